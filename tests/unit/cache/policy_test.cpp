#include <gtest/gtest.h>

#include <cstdio>

#include "cache/policies.hpp"
#include "cache/trace_sim.hpp"
#include "rangecache/cache/policy.hpp"

namespace rangecache::cache {
namespace {

key_hash k(std::uint64_t i) {
  return {0, i};
}

TEST(LruPolicy, EvictsLeastRecentlyUsed) {
  auto p = make_policy(eviction_policy_kind::lru, 100);
  p->insert(k(1), 10);
  p->insert(k(2), 10);
  p->insert(k(3), 10);
  p->access(k(1));
  EXPECT_EQ(p->evict(), k(2));
  EXPECT_EQ(p->evict(), k(3));
  EXPECT_EQ(p->evict(), k(1));
  EXPECT_EQ(p->evict(), std::nullopt);
  EXPECT_EQ(p->bytes(), 0u);
}

TEST(LruPolicy, ReplacementUpdatesSizeAndErasedIsNeverAVictim) {
  auto p = make_policy(eviction_policy_kind::lru, 100);
  p->insert(k(1), 10);
  p->insert(k(2), 10);
  p->insert(k(1), 30);
  EXPECT_EQ(p->bytes(), 40u);
  p->erase(k(2));
  EXPECT_EQ(p->count(), 1u);
  EXPECT_EQ(p->evict(), k(1));
}

TEST(S3FifoPolicy, OneHitWondersGoFirst) {
  auto p = make_policy(eviction_policy_kind::s3fifo, 50);  // small queue: 5 bytes
  p->restore(k(1), 40);                                    // survived a restart: main queue
  p->insert(k(2), 5);
  p->insert(k(3), 5);
  p->insert(k(4), 5);  // small is over its 5 bytes
  p->access(k(3));
  EXPECT_EQ(p->evict(), k(2));  // from small, never used again
  EXPECT_EQ(p->evict(), k(4));  // k(3) was used: promoted to main instead
  EXPECT_TRUE(p->contains(k(3)));
  EXPECT_TRUE(p->contains(k(1)));
}

TEST(S3FifoPolicy, GhostHitGoesToMain) {
  auto p = make_policy(eviction_policy_kind::s3fifo, 100);
  p->restore(k(1), 50);
  p->insert(k(2), 20);
  EXPECT_EQ(p->evict(), k(2));  // small over target: evicted, remembered
  p->insert(k(2), 20);          // back soon: straight to main, behind k(1)
  p->insert(k(3), 20);          // small
  p->access(k(1));
  // Small (20) is over its target (10): k(3) goes first; then main: k(1) gets a second
  // chance for its use, k(2) is evicted.
  EXPECT_EQ(p->evict(), k(3));
  EXPECT_EQ(p->evict(), k(2));
  EXPECT_EQ(p->evict(), k(1));
}

TEST(S3FifoPolicy, MainGivesUsedObjectsAnotherRound) {
  auto p = make_policy(eviction_policy_kind::s3fifo, 1000);
  p->restore(k(1), 10);
  p->restore(k(2), 10);
  p->access(k(1));
  EXPECT_EQ(p->evict(), k(2));
  EXPECT_EQ(p->evict(), k(1));
  EXPECT_EQ(p->evict(), std::nullopt);
}

// A small run of the simulation that chose the default: with scans in the trace the
// scan-resistant policy must not lose to LRU. The full comparison is bench_cache
// --benchmark_filter=Policy.
TEST(PolicySimulation, S3FifoResistsScans) {
  sim::trace_params t;
  t.objects = 20'000;
  t.requests = 200'000;
  t.scan_every = 20'000;
  t.scan_length = 5'000;
  const std::uint64_t capacity =
      static_cast<std::uint64_t>(double(sim::popular_bytes(t)) * t.cache_fraction);
  auto lru = make_policy(eviction_policy_kind::lru, capacity);
  auto s3 = make_policy(eviction_policy_kind::s3fifo, capacity);
  const auto a = sim::simulate(*lru, t, capacity);
  const auto b = sim::simulate(*s3, t, capacity);
  std::printf(
      "zipf %.2f, %llu objects, cache %.0f%%, scans of %llu every %llu: "
      "lru %.4f (bytes %.4f), s3fifo %.4f (bytes %.4f)\n",
      t.alpha, static_cast<unsigned long long>(t.objects), t.cache_fraction * 100,
      static_cast<unsigned long long>(t.scan_length), static_cast<unsigned long long>(t.scan_every),
      a.hit_ratio(), a.byte_hit_ratio(), b.hit_ratio(), b.byte_hit_ratio());
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_GT(b.hit_ratio(), a.hit_ratio());
}

}  // namespace
}  // namespace rangecache::cache
