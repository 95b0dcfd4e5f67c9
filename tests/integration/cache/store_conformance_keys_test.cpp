// The hash-collision guard: a store whose hasher maps every key (and URL) to one value must
// never return one key's object for another.
#include "store_conformance.hpp"

namespace rc_store_test {
namespace {

key_hash everything_collides(std::string_view) {
  return {0x1234, 0x5678};
}

store_settings colliding(store_settings s) {
  s.hasher = everything_collides;
  return s;
}

commit_result put_text(object_store& s, std::string_view key, std::string_view body) {
  fill f = s.begin_fill(key, key);
  EXPECT_EQ(f.append(body), fill_error::none);
  object_meta m;
  m.content_length = body.size();
  return f.commit_wait(m);
}

std::string body_of(object_store& s, const cached_object& o) {
  reader r(s);
  std::string out(o.ref.length, '\0');
  EXPECT_EQ(r.read_copy(o.ref, 0, std::as_writable_bytes(std::span(out))).bytes, out.size());
  return out;
}

TEST_P(StoreConformance, OtherKeyWithSameHashIsAMiss) {
  open(colliding(settings_));
  ASSERT_TRUE(put_text(*store_, "http://a/x", "body of a").ok());
  EXPECT_FALSE(store_->lookup("http://b/y").has_value());
  EXPECT_EQ(store_->stats().collisions, 1u);
  EXPECT_EQ(store_->stats().misses, 1u);
  const auto hit = store_->lookup("http://a/x");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(body_of(*store_, *hit), "body of a");
}

TEST_P(StoreConformance, ReaderLookupChecksTheKeyToo) {
  open(colliding(settings_));
  ASSERT_TRUE(put_text(*store_, "http://a/x", "body of a").ok());
  reader r(*store_);
  cached_object o;
  EXPECT_EQ(r.lookup("http://b/y", o), lookup_status::miss);
  EXPECT_EQ(r.lookup("http://a/x", o), lookup_status::hit);
}

TEST_P(StoreConformance, ColliderReplacesAndOnlyItIsFound) {
  open(colliding(settings_));
  ASSERT_TRUE(put_text(*store_, "http://a/x", "body of a").ok());
  ASSERT_TRUE(put_text(*store_, "http://b/y", "body of b").ok());
  EXPECT_FALSE(store_->lookup("http://a/x").has_value());
  const auto hit = store_->lookup("http://b/y");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(body_of(*store_, *hit), "body of b");
  EXPECT_EQ(store_->stats().objects, 1u);
}

TEST_P(StoreConformance, PurgeOfCollidingKeyOrUrlRemovesNothing) {
  open(colliding(settings_));
  ASSERT_TRUE(put_text(*store_, "http://a/x", "body of a").ok());
  EXPECT_EQ(store_->purge_wait("http://b/y"), 0u);
  EXPECT_EQ(store_->purge_url_wait("http://b/y"), 0u);
  EXPECT_TRUE(store_->lookup("http://a/x").has_value());
  EXPECT_EQ(store_->purge_url_wait("http://a/x"), 1u);
  EXPECT_FALSE(store_->lookup("http://a/x").has_value());
}

}  // namespace
}  // namespace rc_store_test
