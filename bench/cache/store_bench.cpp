// Store micro-benchmarks: fill throughput with 1, 4 and 16 concurrent fills (sync none),
// reads of cached chunks (zero-copy, touching every cache line, copying), lookup latency.
// Run a Release build: bench_cache --benchmark_filter=Store
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <future>
#include <random>
#include <thread>
#include <vector>

#include "rangecache/cache/store.hpp"

namespace {

using namespace rangecache::cache;

constexpr std::uint64_t MiB = 1 << 20;

// One store per benchmark family, in its own temporary directory, removed at exit.
struct bench_store {
  explicit bench_store(std::uint64_t max_size) {
    char tmpl[] = "/tmp/rc-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    store_settings s;
    s.path = dir + "/store";
    s.max_size = max_size;
    s.sync = sync_mode::none;
    s.sync_interval = std::chrono::seconds(3600);  // the kernel writes back; we measure the store
    st = store::open(s);
  }
  ~bench_store() {
    st.reset();
    std::filesystem::remove_all(dir);
  }
  std::string dir;
  std::unique_ptr<store> st;
};

std::vector<std::byte> random_bytes(std::size_t n) {
  std::vector<std::byte> v(n);
  std::mt19937_64 rng(1);
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    const std::uint64_t x = rng();
    std::memcpy(v.data() + i, &x, 8);
  }
  return v;
}

object_meta meta_of(std::uint64_t len) {
  object_meta m;
  m.content_length = len;
  m.headers = {{"Content-Type", "video/mp4"}, {"Cache-Control", "max-age=3600"}};
  m.etag = "\"abc\"";
  return m;
}

// Writes `total` bytes as `fills` concurrent fills fed round-robin by one thread (as an event
// loop would), 16 KiB per append, then waits for every commit. Returns failed commits.
std::uint64_t write_round(store& st, std::size_t fills, std::uint64_t total, std::uint64_t& n) {
  constexpr std::size_t piece = 16 << 10;
  static const auto data = random_bytes(piece);
  const std::uint64_t per_fill = total / fills;
  std::vector<fill> fs;
  for (std::size_t i = 0; i < fills; ++i) {
    const std::string key = "http://bench/w/" + std::to_string(n++);
    fs.push_back(st.begin_fill(key, key, {per_fill}));
  }
  for (std::uint64_t off = 0; off < per_fill; off += piece)
    for (fill& f : fs)
      f.append(
          std::span<const std::byte>(data.data(), std::min<std::uint64_t>(piece, per_fill - off)));
  std::vector<std::future<commit_result>> done;
  for (fill& f : fs) done.push_back(f.commit(meta_of(per_fill)));
  std::uint64_t failed = 0;
  for (auto& d : done)
    if (!d.get().ok()) ++failed;
  return failed;
}

// A store in steady state: its file has been filled past max_size once, so writes land in
// pages freed by eviction (what a running cache sees). A fresh store's file still grows, and
// extending a file costs the file system more: BM_StoreWriteFresh shows that case.
struct write_fixture {
  write_fixture() : b(512 * MiB) {
    for (int i = 0; i < 16; ++i) write_round(*b.st, 4, 64 * MiB, n);
  }
  static write_fixture& get() {
    static write_fixture w;
    return w;
  }
  bench_store b;
  std::uint64_t n = 0;
};

void report_batches(benchmark::State& state, const store& st, std::uint64_t failed) {
  const store_stats s = st.stats();
  state.counters["failed"] = static_cast<double>(failed);
  state.counters["avg_batch_KiB"] =
      double(s.write_batch_bytes) / double(std::max<std::uint64_t>(s.write_batches, 1)) / 1024;
}

// range(0) concurrent fills from one producer thread; 64 MiB per iteration; sync none.
void BM_StoreWrite(benchmark::State& state) {
  auto& w = write_fixture::get();
  const auto fills = static_cast<std::size_t>(state.range(0));
  std::uint64_t failed = 0;
  for (auto _ : state) failed += write_round(*w.b.st, fills, 64 * MiB, w.n);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 64 * MiB));
  report_batches(state, *w.b.st, failed);
}
BENCHMARK(BM_StoreWrite)
    ->ArgName("fills")
    ->Arg(1)
    ->Arg(4)
    ->Arg(16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same on producer threads of their own (range(0) threads, one fill each at a time).
void BM_StoreWriteProducers(benchmark::State& state) {
  auto& w = write_fixture::get();
  const auto threads = static_cast<std::size_t>(state.range(0));
  std::atomic<std::uint64_t> failed{0}, n{w.n + 1'000'000'000};
  for (auto _ : state) {
    std::vector<std::thread> ts;
    for (std::size_t t = 0; t < threads; ++t)
      ts.emplace_back([&] {
        std::uint64_t local = n.fetch_add(1'000'000);
        failed += write_round(*w.b.st, 1, 64 * MiB / threads, local);
      });
    for (auto& t : ts) t.join();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 64 * MiB));
  report_batches(state, *w.b.st, failed);
}
BENCHMARK(BM_StoreWriteProducers)
    ->ArgName("threads")
    ->Arg(2)
    ->Arg(4)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A fresh store (its file grows with every write), 4 concurrent fills.
void BM_StoreWriteFresh(benchmark::State& state) {
  bench_store b(4096 * MiB);
  std::uint64_t n = 0, failed = 0;
  for (auto _ : state) failed += write_round(*b.st, 4, 64 * MiB, n);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 64 * MiB));
  report_batches(state, *b.st, failed);
}
BENCHMARK(BM_StoreWriteFresh)->Iterations(16)->Unit(benchmark::kMillisecond)->UseRealTime();

// A 64 MiB object read back in batches.
struct read_fixture {
  read_fixture() : b(1024 * MiB) {
    const auto data = random_bytes(MiB);
    fill f = b.st->begin_fill("http://bench/r", "http://bench/r", {len});
    for (std::uint64_t off = 0; off < len; off += MiB) f.append(data);
    ref = f.commit_wait(meta_of(len)).ref;
  }
  static read_fixture& get() {
    static read_fixture r;
    return r;
  }
  static constexpr std::uint64_t len = 64 * MiB;
  bench_store b;
  object_ref ref;
};

// What the hit path does: pointers into the map handed to the caller (who would writev
// them); no byte is touched here.
void BM_StoreReadZeroCopy(benchmark::State& state) {
  auto& rf = read_fixture::get();
  reader rd(*rf.b.st);
  const auto range = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t off = 0, bytes = 0;
  for (auto _ : state) {
    const read_result r = rd.read(rf.ref, off, range, [](std::span<const mapped_slice> s) {
      std::size_t n = 0;
      for (const auto& m : s) n += m.size;
      benchmark::DoNotOptimize(s.data());
      return n;
    });
    bytes += r.bytes;
    off = (off + r.bytes) % (rf.len - range);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_StoreReadZeroCopy)->ArgName("range")->Arg(64 << 10)->Arg(1 << 20);

// The same, reading every cache line of what was delivered (memory bandwidth of the map).
void BM_StoreReadZeroCopyTouch(benchmark::State& state) {
  auto& rf = read_fixture::get();
  reader rd(*rf.b.st);
  const auto range = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t off = 0, bytes = 0, sum = 0;
  for (auto _ : state) {
    const read_result r = rd.read(rf.ref, off, range, [&](std::span<const mapped_slice> s) {
      std::size_t n = 0;
      for (const auto& m : s) {
        for (std::size_t i = 0; i + 8 <= m.size; i += 64) {
          std::uint64_t w;
          std::memcpy(&w, m.data + i, 8);
          sum += w;
        }
        n += m.size;
      }
      return n;
    });
    bytes += r.bytes;
    off = (off + r.bytes) % (rf.len - range);
  }
  benchmark::DoNotOptimize(sum);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_StoreReadZeroCopyTouch)->ArgName("range")->Arg(64 << 10)->Arg(1 << 20);

void BM_StoreReadCopy(benchmark::State& state) {
  auto& rf = read_fixture::get();
  reader rd(*rf.b.st);
  const auto range = static_cast<std::uint64_t>(state.range(0));
  std::vector<std::byte> buf(range);
  std::uint64_t off = 0, bytes = 0;
  for (auto _ : state) {
    const read_result r = rd.read_copy(rf.ref, off, buf);
    bytes += r.bytes;
    off = (off + r.bytes) % (rf.len - range);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_StoreReadCopy)->ArgName("range")->Arg(64 << 10)->Arg(1 << 20);

// Reads over 1 GiB (16 objects of 64 MiB), more than this machine's last-level cache: 1 MiB
// ranges at random places, every cache line read (zero-copy) or copied out.
struct large_read_fixture {
  large_read_fixture() : b(2048 * MiB) {
    const auto data = random_bytes(MiB);
    for (int i = 0; i < 16; ++i) {
      const std::string key = "http://bench/large/" + std::to_string(i);
      fill f = b.st->begin_fill(key, key, {len});
      for (std::uint64_t off = 0; off < len; off += MiB) f.append(data);
      refs.push_back(f.commit_wait(meta_of(len)).ref);
    }
  }
  static large_read_fixture& get() {
    static large_read_fixture r;
    return r;
  }
  static constexpr std::uint64_t len = 64 * MiB;
  bench_store b;
  std::vector<object_ref> refs;
};

void BM_StoreReadLargeSet(benchmark::State& state) {
  auto& rf = large_read_fixture::get();
  reader rd(*rf.b.st);
  const bool copy = state.range(0) != 0;
  std::vector<std::byte> buf(MiB);
  std::mt19937_64 rng(3);
  std::uint64_t bytes = 0, sum = 0;
  for (auto _ : state) {
    const object_ref& ref = rf.refs[rng() % rf.refs.size()];
    const std::uint64_t off = (rng() % (rf.len / MiB - 1)) * MiB + rng() % 4096;
    if (copy) {
      bytes += rd.read_copy(ref, off, buf).bytes;
      continue;
    }
    for (std::uint64_t done = 0; done < MiB;) {
      const read_result r =
          rd.read(ref, off + done, MiB - done, [&](std::span<const mapped_slice> s) {
            std::size_t n = 0;
            for (const auto& m : s) {
              for (std::size_t i = 0; i + 8 <= m.size; i += 64) {
                std::uint64_t w;
                std::memcpy(&w, m.data + i, 8);
                sum += w;
              }
              n += m.size;
            }
            return n;
          });
      if (r.bytes == 0) break;
      done += r.bytes;
    }
    bytes += MiB;
  }
  benchmark::DoNotOptimize(sum);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetLabel(copy ? "copy" : "zero-copy, every cache line read");
}
BENCHMARK(BM_StoreReadLargeSet)->ArgName("copy")->Arg(0)->Arg(1);

// Lookups of 10,000 stored range objects.
struct lookup_fixture {
  lookup_fixture() : b(256 * MiB) {
    for (int i = 0; i < count; ++i) {
      const std::string url = "http://bench.example.com/videos/" + std::to_string(i / 10) + ".mp4";
      const std::string key =
          url + "-bytes=" + std::to_string(i % 10) + "00000-" + std::to_string(i % 10) + "65535";
      keys.push_back(key);
      fill f = b.st->begin_fill(key, url, {100});
      f.append(std::string(100, 'x'));
      f.commit(meta_of(100), nullptr);
    }
    b.st->flush();
  }
  static lookup_fixture& get() {
    static lookup_fixture l;
    return l;
  }
  static constexpr int count = 10'000;
  bench_store b;
  std::vector<std::string> keys;
};

void BM_StoreLookupHit(benchmark::State& state) {
  auto& lf = lookup_fixture::get();
  cached_object o;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(lf.b.st->lookup(lf.keys[i], o));
    i = (i + 7919) % lf.keys.size();
  }
}
BENCHMARK(BM_StoreLookupHit);

void BM_StoreLookupHitReader(benchmark::State& state) {
  auto& lf = lookup_fixture::get();
  reader rd(*lf.b.st);
  cached_object o;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(rd.lookup(lf.keys[i], o));
    i = (i + 7919) % lf.keys.size();
  }
}
BENCHMARK(BM_StoreLookupHitReader);

void BM_StoreLookupMiss(benchmark::State& state) {
  auto& lf = lookup_fixture::get();
  reader rd(*lf.b.st);
  cached_object o;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(rd.lookup(lf.keys[i] + "?miss", o));
    i = (i + 7919) % lf.keys.size();
  }
}
BENCHMARK(BM_StoreLookupMiss);

}  // namespace

BENCHMARK_MAIN();
