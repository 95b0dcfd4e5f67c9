// Answers other than 200 and 206 in the cache (RFC 9111 §3): a 404, 410, 301, 501 or 204
// with freshness is stored under the complete object's key with its own status and served
// from there as it is, whatever the request asks of ranges or conditionals; one without
// anything to make it fresh is not stored. Later answers replace it as any other.
#include <gtest/gtest.h>

#include <algorithm>

#include "cache_checks.hpp"
#include "pipeline.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class PipelineStoredStatus : public pipeline_suite<PipelineStoredStatus> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n    background_fetch: true\n";
    o.purge_allow = "[\"127.0.0.1/32\"]";
    return o;
  }

 protected:
  static std::string body_of(unsigned status) {
    return "status " + std::to_string(status) + "\n";  // the test origin's
  }
  // The stored answer as it must come back: its status, its body, from the cache.
  static ::testing::AssertionResult is_stored_answer(const response& r, unsigned status,
                                                     bool head = false) {
    if (r.status != static_cast<int>(status) || !r.complete)
      return ::testing::AssertionFailure() << "expected a complete " << status << ": " << r;
    if (x_cache(r) != "HIT_FULL") return ::testing::AssertionFailure() << "not a hit: " << r;
    if (r.has_header("Content-Range"))
      return ::testing::AssertionFailure() << "a Content-Range on a " << status << ": " << r;
    const auto body = body_of(status);
    if (r.header("Content-Length") != std::to_string(body.size()))
      return ::testing::AssertionFailure() << "wrong Content-Length: " << r;
    if (r.body != (head ? std::string() : body))
      return ::testing::AssertionFailure() << "wrong body '" << r.body << "': " << r;
    return ::testing::AssertionSuccess();
  }
};

}  // namespace

TEST_F(PipelineStoredStatus, AnswerWithMaxAgeIsServedFromTheCache) {
  for (unsigned status : {404u, 410u, 301u, 501u}) {
    SCOPED_TRACE(status);
    const auto target = unique_gen(1000) + "?status=" + std::to_string(status) + "&cc=max-age=60" +
                        (status == 301 ? "&hdr=Location:/moved" : "");
    auto miss = get(proxy_->port(), target);
    EXPECT_EQ(miss.status, static_cast<int>(status)) << miss;
    EXPECT_EQ(x_cache(miss), "MISS");
    EXPECT_EQ(miss.body, body_of(status));
    auto hit = get(proxy_->port(), target);
    EXPECT_TRUE(is_stored_answer(hit, status));
    EXPECT_EQ(hit.header("Cache-Control"), "max-age=60");
    EXPECT_EQ(hit.header("Content-Type"), "text/plain");
    EXPECT_TRUE(hit.has_header("Age"));
    if (status == 301) {
      EXPECT_EQ(hit.header("Location"), "/moved");
    }
    EXPECT_EQ(origin_->count(target), 1);
  }
}

// RFC 9110 §15.3.5: a 204 ends at its head; stored, it is answered the same way.
TEST_F(PipelineStoredStatus, A204IsStoredWithoutABody) {
  const auto target = unique_gen(1000) + "?status=204&cc=max-age=60";
  auto miss = get(proxy_->port(), target);
  EXPECT_EQ(miss.status, 204) << miss;
  EXPECT_EQ(x_cache(miss), "MISS");
  for (int i = 0; i < 2; ++i) {
    auto hit = i == 0 ? get(proxy_->port(), target) : head(proxy_->port(), target);
    EXPECT_EQ(hit.status, 204) << hit;
    EXPECT_TRUE(hit.complete) << hit;
    EXPECT_EQ(x_cache(hit), "HIT_FULL");
    EXPECT_FALSE(hit.has_header("Content-Length")) << hit;
    EXPECT_TRUE(hit.body.empty());
  }
  auto ranged = range_get(target, "bytes=0-9");
  EXPECT_EQ(ranged.status, 204) << ranged;
  EXPECT_EQ(x_cache(ranged), "HIT_FULL");
  EXPECT_EQ(origin_->count(target), 1);
}

// RFC 9110 §14.2: ranges apply to a 200; §13.1: conditionals to a representation the client
// has. A stored 404 answers every one of these as it is, HEAD without its body.
TEST_F(PipelineStoredStatus, RangesConditionalsAndHeadGetTheStored404) {
  const auto target = unique_gen(1000) + "?status=404&cc=max-age=60";
  auto miss = range_get(target, "bytes=0-3");  // a range request stores it as well
  EXPECT_EQ(miss.status, 404) << miss;
  EXPECT_EQ(x_cache(miss), "MISS");
  EXPECT_EQ(miss.body, body_of(404));
  EXPECT_TRUE(is_stored_answer(range_get(target, "bytes=0-3"), 404));
  EXPECT_TRUE(is_stored_answer(range_get(target, "bytes=-3"), 404));
  EXPECT_TRUE(is_stored_answer(range_get(target, "bytes=0-1,4-5"), 404));
  EXPECT_TRUE(is_stored_answer(range_get(target, "bytes=500-"), 404));  // not a 416
  const std::string past = "Mon, 01 Jan 2024 00:00:00 GMT";
  EXPECT_TRUE(is_stored_answer(range_get(target, "bytes=0-3", {{"If-Range", past}}), 404));
  EXPECT_TRUE(is_stored_answer(get(proxy_->port(), target, {{"If-None-Match", "*"}}), 404));
  const auto later = http_date(proxy_->now() + 3600);
  EXPECT_TRUE(is_stored_answer(get(proxy_->port(), target, {{"If-Modified-Since", later}}), 404));
  EXPECT_TRUE(is_stored_answer(head(proxy_->port(), target), 404, true));
  EXPECT_EQ(origin_->count(target), 1);
}

// Nothing to make it fresh (no max-age, s-maxage, Expires, nor a Last-Modified for the
// heuristic): every request would go upstream anyway, so it is not stored.
TEST_F(PipelineStoredStatus, A404WithoutFreshnessIsNotStored) {
  const auto target = unique_gen(1000) + "?status=404";
  for (int i = 0; i < 2; ++i) {
    auto r = get(proxy_->port(), target);
    EXPECT_EQ(r.status, 404) << r;
    EXPECT_EQ(r.body, body_of(404));
    EXPECT_EQ(x_cache(r), "PASS");
  }
  EXPECT_EQ(origin_->count(target), 2);
  // Answers about one request are never stored, whatever their freshness.
  const auto gone_range = unique_gen(1000) + "?status=416&cc=max-age=60";
  EXPECT_EQ(x_cache(range_get(gone_range, "bytes=0-9")), "PASS");
  EXPECT_EQ(x_cache(range_get(gone_range, "bytes=0-9")), "PASS");
  EXPECT_EQ(origin_->count(gone_range), 2);
}

// A stale 404 goes upstream again; the origin's 200 replaces it, and its ranges are served
// from the new complete object.
TEST_F(PipelineStoredStatus, ALater200ReplacesAStored404) {
  const std::uint64_t size = 5000;
  const auto path = unique_gen(size);
  const auto target = path + "?status=404&status_until=1&cc=max-age=5";
  EXPECT_EQ(get(proxy_->port(), target).status, 404);
  EXPECT_TRUE(is_stored_answer(range_get(target, "bytes=10-19"), 404));
  advance(6s);
  auto refreshed = range_get(target, "bytes=10-19");
  EXPECT_TRUE(is_partial(refreshed, path, 10, 19, size));
  EXPECT_EQ(x_cache(refreshed), "REFRESH");
  // The complete object is asked for whole, as any stale complete object.
  EXPECT_EQ(origin_statuses(*origin_, target, 2), (std::vector<int>{404, 200}));
  auto whole = get(proxy_->port(), target);
  EXPECT_TRUE(is_whole(whole, path, size));
  EXPECT_EQ(x_cache(whole), "HIT_FULL");
  auto part = range_get(target, "bytes=100-199");
  EXPECT_TRUE(is_partial(part, path, 100, 199, size));
  EXPECT_EQ(x_cache(part), "HIT_FULL");
  EXPECT_EQ(origin_->count(target), 2);
}

// Range objects, background fetch and a 404: the fetch stores only a 200, so a 404 to it
// leaves the range object in place; a client's GET stores the 404, which then answers every
// range of the URL (the range objects of the gone representation are dropped).
TEST_F(PipelineStoredStatus, RangeObjectsAndBackgroundFetchAroundA404) {
  const std::uint64_t size = 50000;
  const auto path = unique_gen(size);
  const auto target = path + "?status=404&status_from=2&cc=max-age=60";
  auto first = range_get(target, "bytes=0-99");
  EXPECT_TRUE(is_partial(first, path, 0, 99, size));
  EXPECT_EQ(x_cache(first), "MISS");
  // The background fetch of the whole URL got the 404. It starts as soon as the 206's head
  // is in, so the origin may log either answer first.
  auto statuses = origin_statuses(*origin_, target, 2);
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{206, 404}));
  auto range_hit = range_get(target, "bytes=0-99");
  EXPECT_TRUE(is_partial(range_hit, path, 0, 99, size));
  EXPECT_EQ(x_cache(range_hit), "HIT");
  auto gone = get(proxy_->port(), target);
  EXPECT_EQ(gone.status, 404) << gone;
  EXPECT_EQ(x_cache(gone), "MISS");
  EXPECT_TRUE(is_stored_answer(range_get(target, "bytes=0-99"), 404));
  EXPECT_TRUE(is_stored_answer(range_get(target, "bytes=200-299"), 404));
  EXPECT_EQ(origin_->count(target), 3);
}

TEST_F(PipelineStoredStatus, PurgeRemovesAStoredStatus) {
  const auto target = unique_gen(1000) + "?status=410&cc=max-age=60";
  EXPECT_EQ(x_cache(get(proxy_->port(), target)), "MISS");
  EXPECT_TRUE(is_stored_answer(get(proxy_->port(), target), 410));
  auto purged = request(proxy_->port(), "PURGE", target);
  EXPECT_EQ(purged.status, 200) << purged;
  auto again = get(proxy_->port(), target);
  EXPECT_EQ(again.status, 410) << again;
  EXPECT_EQ(x_cache(again), "MISS");
  EXPECT_EQ(origin_->count(target), 2);
}
