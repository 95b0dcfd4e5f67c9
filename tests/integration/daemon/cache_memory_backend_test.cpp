// The daemon on the in-memory store (cache.backend: memory): the same answers as on LMDB,
// byte for byte, and nothing written under cache.path.
#include <gtest/gtest.h>

#include <filesystem>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;

namespace {

class CacheMemoryBackend : public daemon_suite<CacheMemoryBackend> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    o.cache_backend = "memory";
    o.purge_allow = "[\"127.0.0.1/32\"]";
    return o;
  }

 protected:
  void TearDown() override {
    EXPECT_TRUE(daemon_->proc().running()) << daemon_->proc().stderr_text();
  }
};

}  // namespace

TEST_F(CacheMemoryBackend, WholeObjectMissThenHit) {
  const std::uint64_t size = 300000;  // several chunks
  const auto path = unique_gen(size);
  auto miss = get(daemon_->port(), path);
  ASSERT_TRUE(is_whole(miss, path, size));
  EXPECT_EQ(x_cache(miss), "MISS");
  auto hit = get(daemon_->port(), path);
  EXPECT_TRUE(is_whole(hit, path, size));
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(CacheMemoryBackend, RangeObjectMissThenHit) {
  const std::uint64_t size = 100000;
  const auto path = unique_gen(size);
  auto miss = get(daemon_->port(), path, {{"Range", "bytes=100-70099"}});
  ASSERT_TRUE(is_partial(miss, path, 100, 70099, size));
  EXPECT_EQ(x_cache(miss), "MISS");
  auto hit = get(daemon_->port(), path, {{"Range", "bytes=100-70099"}});
  EXPECT_TRUE(is_partial(hit, path, 100, 70099, size));
  EXPECT_EQ(x_cache(hit), "HIT");
}

TEST_F(CacheMemoryBackend, PurgedObjectIsFetchedAgain) {
  const std::uint64_t size = 2048;
  const auto path = unique_gen(size);
  ASSERT_TRUE(is_whole(get(daemon_->port(), path), path, size));
  EXPECT_EQ(x_cache(get(daemon_->port(), path)), "HIT_FULL");
  EXPECT_EQ(request(daemon_->port(), "PURGE", path).status, 200);
  auto again = get(daemon_->port(), path);
  EXPECT_TRUE(is_whole(again, path, size));
  EXPECT_EQ(x_cache(again), "MISS");
  EXPECT_EQ(origin_->count(path), 2);
}

TEST_F(CacheMemoryBackend, NothingIsWrittenToDiskAndMetricsCountTheStore) {
  const auto path = unique_gen(5000);
  ASSERT_TRUE(is_whole(get(daemon_->port(), path), path, 5000));
  EXPECT_FALSE(std::filesystem::exists(daemon_->dir() / "cache"));
  const auto objects = metric(daemon_->admin_port(), "rangecache_cache_objects");
  ASSERT_TRUE(objects.has_value());
  EXPECT_GE(*objects, 1.0);
  EXPECT_EQ(metric(daemon_->admin_port(), "rangecache_cache_file_bytes"), 0.0);
}
