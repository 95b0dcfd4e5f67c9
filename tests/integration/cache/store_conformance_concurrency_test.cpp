// Several threads filling (with replacements, aborts and purges) and several reading at
// once: every batch a reader gets must be bytes of the version its lookup returned.
#include <atomic>
#include <random>
#include <thread>

#include "store_conformance.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;

TEST_P(StoreConformance, FillsAndReadsFromManyThreads) {
  auto& s = store_;
  constexpr int writers = 4, readers = 4, keys = 24, puts_per_writer = 60;
  std::atomic<std::uint64_t> next_gen{1};
  std::atomic<int> writers_left{writers};
  std::atomic<std::uint64_t> verified_batches{0}, gone{0}, commits{0}, purged{0};
  std::atomic<bool> failed{false};

  auto key_of = [](int i) {
    return "http://c/" + std::to_string(i % 6) + "/obj" + std::to_string(i);
  };
  auto url_of = [](int i) { return "http://c/" + std::to_string(i % 6); };

  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(w);
      for (int n = 0; n < puts_per_writer && !failed; ++n) {
        const int k = static_cast<int>(rng() % keys);
        const std::uint64_t gen = next_gen++;
        const std::uint64_t len = rng() % (6 * cs) + (rng() % 4 == 0 ? 0 : 1);
        fill f = s->begin_fill(key_of(k), url_of(k), {len});
        if (stream(f, seed_of(key_of(k), gen), len, 1 + rng() % (3 * cs)) != fill_error::none) {
          failed = true;
          return;
        }
        if (rng() % 8 == 0) {
          f.abort();
          continue;
        }
        const commit_result r = f.commit_wait(meta_for(len, gen));
        // Another writer purging this URL while the fill ran makes it fail, by design.
        if (r.error == fill_error::purged) {
          ++purged;
          continue;
        }
        if (!r.ok()) {
          ADD_FAILURE() << "commit: " << to_string(r.error);
          failed = true;
          return;
        }
        ++commits;
        if (rng() % 20 == 0) s->purge_url(url_of(k));
      }
      --writers_left;
    });
  }
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([&, r] {
      reader rd(*s);
      std::mt19937_64 rng(100 + r);
      cached_object o;
      while (writers_left > 0 && !failed) {
        const int k = static_cast<int>(rng() % keys);
        if (rd.lookup(key_of(k), o) != lookup_status::hit) continue;
        const std::uint64_t seed = seed_of(o.key, gen_of(o));
        std::uint64_t off = rng() % (o.ref.length + 1);
        while (off < o.ref.length) {
          std::int64_t bad = -1;
          const read_result res =
              rd.read(o.ref, off, o.ref.length - off, [&](std::span<const mapped_slice> sl) {
                std::size_t n = 0;
                for (const mapped_slice& m : sl) {
                  if (bad < 0) bad = first_difference(seed, off + n, {m.data, m.size});
                  n += m.size;
                }
                return n;
              });
          if (res.status == read_status::gone) {
            ++gone;
            break;
          }
          if (res.status != read_status::ok || bad >= 0) {
            ADD_FAILURE() << o.key << " gen " << gen_of(o) << ": status "
                          << static_cast<int>(res.status) << " bad byte " << bad;
            failed = true;
            return;
          }
          ++verified_batches;
          off += res.bytes;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);
  s->flush();
  // The end state: everything listed is readable and exact, and the counters agree.
  reader rd(*s);
  std::uint64_t listed = 0, bytes = 0;
  s->for_each([&](const cached_object& o) {
    ++listed;
    bytes += o.ref.length;
    EXPECT_TRUE(verify(rd, o));
  });
  const store_stats st = s->stats();
  EXPECT_EQ(st.objects, listed);
  EXPECT_EQ(st.bytes, bytes);
  EXPECT_GT(verified_batches.load(), 0u);
  EXPECT_EQ(st.commits, commits.load());
  EXPECT_EQ(st.failed_fills, purged.load());
  std::printf(
      "commits %llu (%llu purged while filling), batches read %llu, lost mid-stream %llu, write "
      "txns %llu (avg %.1f ops)\n",
      static_cast<unsigned long long>(commits.load()),
      static_cast<unsigned long long>(purged.load()),
      static_cast<unsigned long long>(verified_batches.load()),
      static_cast<unsigned long long>(gone.load()),
      static_cast<unsigned long long>(st.write_batches),
      double(st.write_batch_ops) / double(std::max<std::uint64_t>(st.write_batches, 1)));
}

}  // namespace
}  // namespace rc_store_test
