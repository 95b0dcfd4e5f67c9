// Lookups from many threads at once through the LMDB store's pool of read transactions.
// (Concurrent fills and reads on every backend: store_conformance_concurrency_test.cpp.)
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store_fixture.hpp"

namespace rc_store_test {
namespace {

TEST(StoreConcurrency, LookupsFromManyThreadsShareThePool) {
  temp_dir dir;
  auto s = store::open(settings_for(dir, 64ull << 20));
  for (int i = 0; i < 50; ++i) {
    const std::string key = "http://l/" + std::to_string(i);
    ASSERT_TRUE(put(*s, key, key, 100 + i).ok());
  }
  std::vector<std::thread> threads;
  std::atomic<std::uint64_t> hits{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      cached_object o;
      for (int n = 0; n < 5000; ++n)
        if (s->lookup("http://l/" + std::to_string(n % 60), o) == lookup_status::hit) ++hits;
    });
  for (auto& t : threads) t.join();
  std::uint64_t expected = 0;
  for (int n = 0; n < 5000; ++n) expected += (n % 60) < 50;
  EXPECT_EQ(hits.load(), 8 * expected);
  EXPECT_EQ(s->stats().hits, hits.load());
}

}  // namespace
}  // namespace rc_store_test
