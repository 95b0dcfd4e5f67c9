// The size bound: eviction under 10× max_size of inserts, MDB_MAP_FULL with a map too small
// for the data, and the data file's growth under a slow reader.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "store_fixture.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;
constexpr std::uint64_t MiB = 1 << 20;

std::uint64_t file_size(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

TEST(StoreBounds, EvictionKeepsTheBoundOverTenTimesMaxSize) {
  temp_dir dir;
  const std::uint64_t max_size = 32 * MiB;
  auto s = store::open(settings_for(dir, max_size));
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> peak_charged{0}, peak_bytes{0};
  // Watch the counters the whole time, not only between commits.
  std::thread monitor([&] {
    while (!done) {
      const store_stats st = s->stats();
      peak_charged = std::max(peak_charged.load(), st.charged_bytes);
      peak_bytes = std::max(peak_bytes.load(), st.bytes);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  std::atomic<std::uint64_t> inserted{0};
  std::vector<std::thread> fillers;
  for (int t = 0; t < 2; ++t)
    fillers.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int i = 0; inserted < 10 * max_size; ++i) {
        const std::string key = "http://e/" + std::to_string(t) + "/" + std::to_string(i);
        const std::uint64_t len = 64 * 1024 + rng() % (2 * MiB);
        const commit_result r = put(*s, key, key, len, 0, 64 << 10);
        if (r.ok())
          inserted += len;
        else
          ADD_FAILURE() << to_string(r.error);
        if (i % 3 == 0) s->lookup("http://e/" + std::to_string(t) + "/" + std::to_string(i / 2));
      }
    });
  for (auto& f : fillers) f.join();
  done = true;
  monitor.join();
  s->flush();
  const store_stats st = s->stats();
  const storage_info info = s->storage();
  std::printf(
      "inserted %llu MiB into %llu MiB: peak charged %.1f MiB, peak content %.1f MiB, "
      "evictions %llu, file %.1f MiB, map %.1f MiB\n",
      static_cast<unsigned long long>(inserted / MiB),
      static_cast<unsigned long long>(max_size / MiB), double(peak_charged) / MiB,
      double(peak_bytes) / MiB, static_cast<unsigned long long>(st.evictions),
      double(info.file_bytes) / MiB, double(info.map_size) / MiB);
  EXPECT_LE(peak_charged.load(), max_size);
  EXPECT_LE(peak_bytes.load(), max_size);
  EXPECT_GT(st.evictions, 0u);
  EXPECT_EQ(st.failed_fills, 0u);
  EXPECT_LE(info.file_bytes, info.map_size);
  EXPECT_LE(file_size(dir.store_path() + "/data.mdb"), info.map_size);
  // What is left is exact.
  reader rd(*s);
  std::uint64_t listed = 0;
  s->for_each([&](const cached_object& o) {
    ++listed;
    EXPECT_TRUE(verify(rd, o));
  });
  EXPECT_EQ(listed, st.objects);
  EXPECT_GT(listed, 10u);
}

TEST(StoreBounds, MapFullIsSurvivedByEvicting) {
  temp_dir dir;
  store_settings set = settings_for(dir, 64 * MiB);
  set.map_size = 4 * MiB;  // far below the data bound: only MDB_MAP_FULL can stop the writer
  auto s = store::open(set);
  int ok = 0, refused = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string key = "http://m/" + std::to_string(i);
    const commit_result r = put(*s, key, key, MiB + static_cast<std::uint64_t>(i) * 1000);
    if (r.ok()) {
      ++ok;
    } else {
      ++refused;
      EXPECT_TRUE(r.error == fill_error::map_full || r.error == fill_error::no_space)
          << to_string(r.error);
    }
  }
  const store_stats st = s->stats();
  std::printf(
      "map 4 MiB, 60 × 1 MiB: %d committed, %d refused, %llu MDB_MAP_FULL, %llu evictions\n", ok,
      refused, static_cast<unsigned long long>(st.map_full_events),
      static_cast<unsigned long long>(st.evictions));
  EXPECT_GT(st.map_full_events, 0u);
  EXPECT_GT(ok, 30);
  EXPECT_EQ(st.lmdb_errors, 0u);
  // Still consistent, still serving, still taking inserts.
  reader rd(*s);
  s->for_each([&](const cached_object& o) { EXPECT_TRUE(verify(rd, o)); });
  EXPECT_TRUE(put(*s, "http://m/after", "http://m/after", 1000).ok());
  EXPECT_LE(s->storage().file_bytes, s->storage().map_size);
}

// Commits queued without waiting land in batches with other fills' chunks; with a map far too
// small, such batches hit MDB_MAP_FULL after a commit in them was applied, and are retried or
// failed. Every commit must still be answered exactly once (a lost callback is a broken
// promise here), and a retried commit must store the meta it was given.
TEST(StoreBounds, MapFullRetriesAnswerEveryCommit) {
  temp_dir dir;
  store_settings set = settings_for(dir, 64 * MiB);
  set.map_size = 4 * MiB;
  auto s = store::open(set);
  int ok = 0, refused = 0;
  for (int round = 0; round < 8; ++round) {
    std::vector<std::pair<std::string, std::future<commit_result>>> pending;
    for (int i = 0; i < 24; ++i) {
      const std::string key = "http://q/" + std::to_string(round) + "/" + std::to_string(i);
      const std::uint64_t len = 96 * 1024 + static_cast<std::uint64_t>(i) * 7919;
      fill f = s->begin_fill(key, key, {len});
      ASSERT_TRUE(f.active());
      if (stream(f, seed_of(key, 3), len, 64 << 10) != fill_error::none) continue;
      pending.emplace_back(key, f.commit(meta_for(len, 3)));
    }
    for (auto& [key, fut] : pending) {
      commit_result r;
      ASSERT_NO_THROW(r = fut.get()) << key;
      if (r.ok()) {
        ++ok;
      } else {
        ++refused;
        EXPECT_TRUE(r.error == fill_error::map_full || r.error == fill_error::no_space ||
                    r.error == fill_error::queue_full || r.error == fill_error::purged)
            << key << ": " << to_string(r.error);
      }
    }
  }
  const store_stats st = s->stats();
  std::printf("map 4 MiB, 8 × 24 queued commits: %d committed, %d refused, %llu MDB_MAP_FULL\n", ok,
              refused, static_cast<unsigned long long>(st.map_full_events));
  EXPECT_GT(st.map_full_events, 0u);
  EXPECT_GT(ok, 0);
  reader rd(*s);
  s->for_each([&](const cached_object& o) {
    EXPECT_EQ(o.meta.etag, "\"g3\"") << o.key;
    EXPECT_EQ(o.meta.headers.size(), 2u) << o.key;
    EXPECT_TRUE(verify(rd, o));
  });
}

// A write the store gives up on is counted and handed to the store's owner, which logs it:
// without that a full map (or disk) would stop storing without a word.
TEST(StoreBounds, WritesGivenUpOnAreReportedToTheOwner) {
  temp_dir dir;
  store_settings set = settings_for(dir, 64 * MiB);
  set.map_size = 4 * MiB;
  std::mutex mutex;
  std::vector<write_failure> reported;
  set.on_write_failure = [&](const write_failure& f) {
    std::lock_guard lock(mutex);
    reported.push_back(f);
  };
  auto s = store::open(set);
  // Larger than the whole map: no eviction can make room for it.
  const commit_result r = put(*s, "http://r/big", "http://r/big", 6 * MiB);
  EXPECT_EQ(r.error, fill_error::map_full) << to_string(r.error);
  const store_stats st = s->stats();
  std::lock_guard lock(mutex);
  ASSERT_FALSE(reported.empty());
  EXPECT_EQ(st.write_failures, reported.size());
  for (const auto& f : reported) {
    EXPECT_EQ(f.why, fill_error::map_full);
    EXPECT_NE(f.message.find("MDB_MAP_FULL"), std::string::npos) << f.message;
  }
}

// The slow reader: it holds nothing between batches (read() resets its transaction before
// returning), so a churning writer reuses freed pages and the file stays near the data
// bound. For contrast, the same reader sleeping *inside* the visitor pins its snapshot.
struct churn_result {
  std::uint64_t file_bytes = 0;
  std::uint64_t lost = 0;
  std::uint64_t failed = 0;
  std::uint64_t map_full = 0;
};

churn_result churn_with_reader(bool hold_inside) {
  temp_dir dir;
  const std::uint64_t max_size = 32 * MiB;
  auto s = store::open(settings_for(dir, max_size));
  const std::string big = "http://slow/big";
  EXPECT_TRUE(put(*s, big, big, 8 * MiB).ok());
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> lost_count{0};
  std::thread slow([&] {
    reader rd(*s);
    cached_object o;
    while (!done) {
      if (rd.lookup(big, o) != lookup_status::hit) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      for (std::uint64_t off = 0; off < o.ref.length && !done;) {
        const read_result r = rd.read(o.ref, off, 256 << 10, [&](std::span<const mapped_slice> sl) {
          std::size_t n = 0;
          for (const auto& m : sl) n += m.size;
          if (hold_inside) std::this_thread::sleep_for(std::chrono::milliseconds(20));
          return n;
        });
        if (r.status != read_status::ok) {
          ++lost_count;
          break;
        }
        off += r.bytes;
        // The client is slow: the wait happens with no transaction open.
        if (!hold_inside) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  });
  // Stops and joins the reader however this function is left: an exception (a failed
  // commit_wait) must reach gtest, not std::terminate from a joinable std::thread.
  struct stop_reader {
    std::atomic<bool>& done;
    std::thread& t;
    ~stop_reader() {
      done = true;
      if (t.joinable()) t.join();
    }
  } stop{done, slow};
  std::mt19937_64 rng(7);
  std::uint64_t written = 0;
  for (int i = 0; written < 10 * max_size; ++i) {
    const std::string key = "http://slow/" + std::to_string(i % 40);
    const std::uint64_t len = 256 * 1024 + rng() % MiB;
    put(*s, key, key, len, i, 64 << 10);
    written += len;  // refused inserts count too: the churn is the same for both readers
    // The big object is replaced now and then: the reader must notice, never mix.
    if (i % 25 == 0) put(*s, big, big, 8 * MiB, i);
  }
  done = true;
  slow.join();
  s->flush();
  const store_stats st = s->stats();
  return {s->storage().file_bytes, lost_count.load(), st.failed_fills, st.map_full_events};
}

TEST(StoreBounds, SlowReaderDoesNotPinPages) {
  const churn_result good = churn_with_reader(false);
  const churn_result bad = churn_with_reader(true);
  std::printf(
      "320 MiB of churn through a 32 MiB store (map 48 MiB), a reader streaming 8 MiB in "
      "256 KiB batches with 20 ms waits:\n"
      "  waits between batches: file %.1f MiB, %llu failed inserts, %llu MDB_MAP_FULL, "
      "%llu streams cut\n"
      "  waits inside a batch:  file %.1f MiB, %llu failed inserts, %llu MDB_MAP_FULL, "
      "%llu streams cut\n",
      double(good.file_bytes) / MiB, static_cast<unsigned long long>(good.failed),
      static_cast<unsigned long long>(good.map_full), static_cast<unsigned long long>(good.lost),
      double(bad.file_bytes) / MiB, static_cast<unsigned long long>(bad.failed),
      static_cast<unsigned long long>(bad.map_full), static_cast<unsigned long long>(bad.lost));
  EXPECT_LE(good.file_bytes, 32 * MiB * 5 / 4);  // the data bound plus LMDB's own pages
  EXPECT_EQ(good.failed, 0u);
  EXPECT_EQ(good.map_full, 0u);
  EXPECT_LE(good.file_bytes, bad.file_bytes);
}

}  // namespace
}  // namespace rc_store_test
