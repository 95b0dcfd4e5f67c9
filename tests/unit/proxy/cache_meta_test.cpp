#include "rangecache/flight/cache_meta.hpp"

#include <gtest/gtest.h>

using namespace rangecache;
namespace http = boost::beast::http;

TEST(CacheMeta, FreshnessSurvivesTheRecord) {
  http::fields f;
  f.insert("Cache-Control", "max-age=100, must-revalidate");
  f.insert("Date", "Sun, 22 Nov 2026 00:00:00 GMT");
  f.insert("ETag", "\"abc\"");
  f.insert("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT");
  f.insert("Content-Length", "10");
  f.insert("Connection", "keep-alive");
  f.insert("Age", "7");
  cache::freshness_info in;
  in.lifetime = 100;
  in.initial_age = 7;
  in.response_time = 1'790'000'000;
  in.must_revalidate = true;
  auto meta = flight::make_meta(200, f, 10, in, std::nullopt);
  EXPECT_EQ(meta.etag, "\"abc\"");
  EXPECT_EQ(meta.last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
  EXPECT_EQ(meta.content_length, 10u);
  // Framing, hop-by-hop and per-answer fields are never stored.
  EXPECT_EQ(flight::find_header(meta, "Content-Length"), nullptr);
  EXPECT_EQ(flight::find_header(meta, "Connection"), nullptr);
  EXPECT_EQ(flight::find_header(meta, "Age"), nullptr);
  ASSERT_NE(flight::find_header(meta, "cache-control"), nullptr);
  auto out = flight::freshness_of(meta);
  EXPECT_EQ(out.lifetime, 100);
  EXPECT_EQ(out.initial_age, 7);
  EXPECT_EQ(out.response_time, in.response_time);
  EXPECT_TRUE(out.must_revalidate);
  EXPECT_FALSE(out.no_cache);
  EXPECT_EQ(flight::age_of(meta, in.response_time + 5), 12);
}

TEST(CacheMeta, A304ReplacesStoredFieldsOfTheSameName) {
  http::fields f;
  f.insert("Cache-Control", "max-age=1");
  f.insert("ETag", "\"v1\"");
  f.insert("X-Kept", "yes");
  cache::freshness_info fresh;
  fresh.lifetime = 1;
  auto meta = flight::make_meta(200, f, 5, fresh, std::nullopt);
  http::fields update;
  update.insert("Cache-Control", "max-age=600");
  update.insert("Connection", "close");
  update.insert("ETag", "\"v1\"");
  cache::freshness_info fresh2;
  fresh2.lifetime = 600;
  EXPECT_TRUE(flight::merge_304(meta, update, fresh2));
  EXPECT_EQ(*flight::find_header(meta, "Cache-Control"), "max-age=600");
  EXPECT_EQ(*flight::find_header(meta, "X-Kept"), "yes");
  EXPECT_EQ(flight::find_header(meta, "Connection"), nullptr);
  EXPECT_EQ(meta.freshness_lifetime.count(), 600);
  EXPECT_EQ(meta.content_length, 5u);
}

// The stored bytes are v1's: a 304 for v2 must not put v2's tag (or anything else) on them.
TEST(CacheMeta, A304ForAnotherVersionLeavesTheRecordAlone) {
  http::fields f;
  f.insert("Cache-Control", "max-age=1");
  f.insert("ETag", "\"v1\"");
  f.insert("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT");
  cache::freshness_info fresh;
  fresh.lifetime = 1;
  auto meta = flight::make_meta(200, f, 5, fresh, std::nullopt);
  const auto before = meta;
  http::fields update;
  update.insert("Cache-Control", "max-age=600");
  update.insert("ETag", "\"v2\"");
  update.insert("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT");
  cache::exchange_times times{1'790'000'000, 1'790'000'000};
  EXPECT_FALSE(flight::selected_by_304(meta, update));
  EXPECT_FALSE(flight::freshen_with_304(meta, update, times, {}));
  EXPECT_EQ(meta.etag, "\"v1\"");
  EXPECT_EQ(*flight::find_header(meta, "ETag"), "\"v1\"");
  EXPECT_EQ(*flight::find_header(meta, "Cache-Control"), "max-age=1");
  EXPECT_EQ(meta.freshness_lifetime, before.freshness_lifetime);

  update.set("ETag", "\"v1\"");
  EXPECT_TRUE(flight::freshen_with_304(meta, update, times, {}));
  EXPECT_EQ(*flight::find_header(meta, "Cache-Control"), "max-age=600");
  EXPECT_EQ(meta.freshness_lifetime.count(), 600);
}

// Fields named by the response's Connection header, and by no-cache="..." or private="...",
// are never stored; a 304's Connection-named fields never reach the record either.
TEST(CacheMeta, ConnectionNamedAndWithheldFieldsAreNotStored) {
  http::fields f;
  f.insert("Cache-Control", "max-age=60, private=\"X-Secret\", no-cache=\"X-Fresh-Only\"");
  f.insert("Connection", "X-Hop, keep-alive");
  f.insert("X-Hop", "1");
  f.insert("X-Secret", "token");
  f.insert("X-Fresh-Only", "now");
  f.insert("X-Plain", "kept");
  f.insert("ETag", "\"v1\"");
  auto meta = flight::make_meta(200, f, 3, {}, std::nullopt);
  EXPECT_EQ(flight::find_header(meta, "X-Hop"), nullptr);
  EXPECT_EQ(flight::find_header(meta, "X-Secret"), nullptr);
  EXPECT_EQ(flight::find_header(meta, "X-Fresh-Only"), nullptr);
  ASSERT_NE(flight::find_header(meta, "X-Plain"), nullptr);

  http::fields update;
  update.insert("ETag", "\"v1\"");
  update.insert("Connection", "X-Hop2");
  update.insert("X-Hop2", "1");
  update.insert("X-New", "2");
  EXPECT_TRUE(flight::merge_304(meta, update, {}));
  EXPECT_EQ(flight::find_header(meta, "X-Hop2"), nullptr);
  ASSERT_NE(flight::find_header(meta, "X-New"), nullptr);
  EXPECT_EQ(*flight::find_header(meta, "X-Plain"), "kept");
}

// A stored 404 freshened by a 304 keeps its status, and its new heuristic lifetime follows
// the configured fraction and cap.
TEST(CacheMeta, A304FreshensAHeuristicLifetimeByThePolicy) {
  http::fields f;
  f.insert("Date", "Thu, 01 Jan 2026 00:00:00 GMT");
  f.insert("Last-Modified", "Wed, 31 Dec 2025 23:00:00 GMT");  // an hour before
  cache::freshness_info fresh;
  auto meta = flight::make_meta(404, f, 5, fresh, std::nullopt);
  http::fields update;
  update.insert("Date", "Thu, 01 Jan 2026 01:00:00 GMT");  // two hours after Last-Modified
  update.insert("Last-Modified", "Wed, 31 Dec 2025 23:00:00 GMT");
  config::cache_settings settings;
  settings.heuristic_fraction = 0.5;
  const auto policy = flight::freshness_policy_of(settings);
  EXPECT_EQ(policy.heuristic_fraction, 0.5);
  EXPECT_EQ(policy.heuristic_max, 86400);
  cache::exchange_times times{1'767'229'200, 1'767'229'200};
  ASSERT_TRUE(flight::freshen_with_304(meta, update, times, policy));
  EXPECT_EQ(meta.status, 404);
  EXPECT_EQ(meta.freshness_lifetime.count(), 3600);
  EXPECT_TRUE(flight::freshness_of(meta).heuristic);
  settings.heuristic_max = std::chrono::seconds(600);
  ASSERT_TRUE(flight::freshen_with_304(meta, update, times, flight::freshness_policy_of(settings)));
  EXPECT_EQ(meta.freshness_lifetime.count(), 600);
}
