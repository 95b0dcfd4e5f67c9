// The hash-collision guard: a store whose hasher maps every key (and URL) to one value must
// never return one key's object for another.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "rangecache/cache/store.hpp"
#include "temp_dir.hpp"

namespace rangecache::cache {
namespace {

key_hash everything_collides(std::string_view) {
  return {0x1234, 0x5678};
}

class Collision : public ::testing::Test {
 protected:
  void SetUp() override {
    store_settings s;
    s.path = (dir_ / "store").string();
    s.max_size = 16 << 20;
    s.sync = sync_mode::none;
    s.hasher = everything_collides;
    store_ = store::open(s);
  }
  void TearDown() override { store_.reset(); }
  commit_result put(std::string_view key, std::string_view url, std::string_view body) {
    fill f = store_->begin_fill(key, url);
    EXPECT_EQ(f.append(body), fill_error::none);
    object_meta m;
    m.content_length = body.size();
    return f.commit_wait(m);
  }
  std::string body_of(const cached_object& o) {
    reader r(*store_);
    std::string out(o.ref.length, '\0');
    EXPECT_EQ(r.read_copy(o.ref, 0, std::as_writable_bytes(std::span(out))).bytes, out.size());
    return out;
  }

  rc_test::temp_dir dir_{"rc-unit"};
  std::unique_ptr<store> store_;
};

TEST_F(Collision, OtherKeyWithSameHashIsAMiss) {
  ASSERT_TRUE(put("http://a/x", "http://a/x", "body of a").ok());
  EXPECT_FALSE(store_->lookup("http://b/y").has_value());
  EXPECT_EQ(store_->stats().collisions, 1u);
  const auto hit = store_->lookup("http://a/x");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(body_of(*hit), "body of a");
}

TEST_F(Collision, ReaderLookupChecksTheKeyToo) {
  ASSERT_TRUE(put("http://a/x", "http://a/x", "body of a").ok());
  reader r(*store_);
  cached_object o;
  EXPECT_EQ(r.lookup("http://b/y", o), lookup_status::miss);
  EXPECT_EQ(r.lookup("http://a/x", o), lookup_status::hit);
}

TEST_F(Collision, ColliderReplacesAndOnlyItIsFound) {
  ASSERT_TRUE(put("http://a/x", "http://a/x", "body of a").ok());
  ASSERT_TRUE(put("http://b/y", "http://b/y", "body of b").ok());
  EXPECT_FALSE(store_->lookup("http://a/x").has_value());
  const auto hit = store_->lookup("http://b/y");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(body_of(*hit), "body of b");
}

TEST_F(Collision, PurgeOfCollidingKeyOrUrlRemovesNothing) {
  ASSERT_TRUE(put("http://a/x", "http://a/x", "body of a").ok());
  EXPECT_EQ(store_->purge_wait("http://b/y"), 0u);
  EXPECT_EQ(store_->purge_url_wait("http://b/y"), 0u);
  EXPECT_TRUE(store_->lookup("http://a/x").has_value());
  EXPECT_EQ(store_->purge_url_wait("http://a/x"), 1u);
  EXPECT_FALSE(store_->lookup("http://a/x").has_value());
}

}  // namespace
}  // namespace rangecache::cache
