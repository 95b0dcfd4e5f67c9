#include "rangecache/plan/answer_plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rangecache/range/parse.hpp"

namespace rangecache::plan {
namespace {

constexpr std::int64_t stored = 1'700'000'000;

cache::object_meta complete(std::uint64_t length) {
  cache::object_meta m;
  m.status = 200;
  m.content_length = length;
  m.headers = {{"Content-Type", "video/mp4"},
               {"ETag", "\"v1\""},
               {"Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"},
               {"Cache-Control", "max-age=3600"}};
  m.etag = "\"v1\"";
  m.last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
  m.stored_at = std::chrono::sys_seconds(std::chrono::seconds(stored));
  m.date = m.stored_at;
  return m;
}

cache::object_meta range_object(std::uint64_t first, std::uint64_t last, std::uint64_t total) {
  auto m = complete(last - first + 1);
  m.status = 206;
  m.range = cache::content_range{first, last, total};
  return m;
}

struct request_case {
  request_case(std::string r = {}, bool h = false, std::optional<std::string> ir = std::nullopt,
               std::optional<std::string> inm = std::nullopt)
      : range(std::move(r)), head(h), if_range(std::move(ir)), if_none_match(std::move(inm)) {}
  std::string range;  // Range header value, "" for none
  bool head = false;
  std::optional<std::string> if_range, if_none_match;
};

// Owns what answer_request points at.
struct fixture {
  range::parsed_range parsed;
  answer_request rq;
  std::string if_range, if_none_match;
  explicit fixture(const request_case& c) {
    if (!c.range.empty()) parsed = range::parse_range(c.range);
    rq.head = c.head;
    rq.method = c.head ? "HEAD" : "GET";
    if (parsed.ok()) rq.ranges = parsed.specs;
    if (c.if_range) rq.if_range = if_range = *c.if_range;
    if (c.if_none_match) rq.if_none_match = if_none_match = *c.if_none_match;
    rq.label = "HIT_FULL";
    rq.now = stored + 10;
    rq.boundary = "BOUNDARY0123456789abcdefghijklmn";
  }
};

bool has_field(const std::string& head, std::string_view line) {
  return head.find("\r\n" + std::string(line) + "\r\n") != std::string::npos;
}

struct expect_case {
  request_case request;
  bool range_object = false;
  unsigned status;
  std::string content_range;  // expected Content-Range value, "" = none
  std::vector<std::pair<std::uint64_t, std::uint64_t>> parts;  // offset, length
  std::uint64_t body_bytes;
};

class PlanAnswer : public ::testing::TestWithParam<expect_case> {};

TEST_P(PlanAnswer, StatusFieldsAndParts) {
  const auto& c = GetParam();
  fixture f(c.request);
  auto meta = c.range_object ? range_object(100, 199, 1000) : complete(1000);
  auto plan = plan_answer(f.rq, meta);
  EXPECT_EQ(plan.status, c.status);
  EXPECT_TRUE(plan.head.starts_with("HTTP/1.1 " + std::to_string(c.status) + " "));
  EXPECT_TRUE(plan.head.ends_with("\r\n\r\n"));
  if (c.content_range.empty()) {
    EXPECT_EQ(plan.head.find("Content-Range"), std::string::npos) << plan.head;
  } else {
    EXPECT_TRUE(has_field(plan.head, "Content-Range: " + c.content_range)) << plan.head;
  }
  // Every answer carries the same per-answer fields, whatever its status.
  EXPECT_TRUE(has_field(plan.head, "Age: 10")) << plan.head;
  EXPECT_TRUE(has_field(plan.head, "Via: 1.1 rangecache")) << plan.head;
  EXPECT_TRUE(has_field(plan.head, "X-Cache: HIT_FULL")) << plan.head;
  EXPECT_TRUE(has_field(plan.head, "ETag: \"v1\"")) << plan.head;
  if (c.status != 304) {
    EXPECT_TRUE(has_field(plan.head, "Content-Length: " + std::to_string(c.body_bytes)))
        << plan.head;
  }
  EXPECT_EQ(plan.body_bytes, c.body_bytes);
  // HEAD: the same head, no body.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> got;
  for (const auto& p : plan.parts) got.emplace_back(p.offset, p.length);
  EXPECT_EQ(got, c.request.head ? decltype(got){} : c.parts);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PlanAnswer,
    ::testing::Values(
        expect_case{{}, false, 200, "", {{0, 1000}}, 1000},
        expect_case{{"", true}, false, 200, "", {}, 1000},
        expect_case{{"bytes=0-99"}, false, 206, "bytes 0-99/1000", {{0, 100}}, 100},
        expect_case{{"bytes=0-99", true}, false, 206, "bytes 0-99/1000", {}, 100},
        expect_case{{"bytes=-10"}, false, 206, "bytes 990-999/1000", {{990, 10}}, 10},
        expect_case{{"bytes=900-"}, false, 206, "bytes 900-999/1000", {{900, 100}}, 100},
        expect_case{{"bytes=990-5000"}, false, 206, "bytes 990-999/1000", {{990, 10}}, 10},
        expect_case{{"bytes=0-"}, false, 206, "bytes 0-999/1000", {{0, 1000}}, 1000},
        expect_case{{"bytes=1000-"}, false, 416, "bytes */1000", {}, 0},
        expect_case{{"bytes=1000-", true}, false, 416, "bytes */1000", {}, 0},
        // If-Range: the stored strong tag allows the range; another tag means the whole.
        expect_case{{"bytes=0-9", false, "\"v1\""}, false, 206, "bytes 0-9/1000", {{0, 10}}, 10},
        expect_case{{"bytes=0-9", false, "\"v2\""}, false, 200, "", {{0, 1000}}, 1000},
        expect_case{{"bytes=0-9", false, "W/\"v1\""}, false, 200, "", {{0, 1000}}, 1000},
        // Conditionals answered from the stored validators.
        expect_case{{"", false, std::nullopt, "\"v1\""}, false, 304, "", {}, 0},
        expect_case{{"bytes=0-9", false, std::nullopt, "\"v1\""}, false, 304, "", {}, 0},
        expect_case{{"", false, std::nullopt, "\"v2\""}, false, 200, "", {{0, 1000}}, 1000},
        // A range object answers with its own Content-Range.
        expect_case{{"bytes=100-199"}, true, 206, "bytes 100-199/1000", {{0, 100}}, 100},
        expect_case{{"bytes=100-199", true}, true, 206, "bytes 100-199/1000", {}, 100}));

// A stored answer other than a 200 (RFC 9111 §3 allows any status with freshness): sent
// with its own status, fields and body whatever the request asks of ranges (RFC 9110
// §14.2: ranges apply to a 200) or conditionals (only a 200's validators can be matched).
cache::object_meta stored_status(unsigned status, std::uint64_t length) {
  auto m = complete(length);
  m.status = static_cast<std::uint16_t>(status);
  m.headers[0] = {"Content-Type", "text/plain"};
  if (status == 301) m.headers.push_back({"Location", "http://o/elsewhere"});
  return m;
}

struct status_case {
  status_case(request_case r, std::optional<std::string> ims = std::nullopt)
      : request(std::move(r)), if_modified_since(std::move(ims)) {}
  request_case request;
  std::optional<std::string> if_modified_since;
};

TEST(PlanAnswerStatus, AnotherStatusIsSentWholeAsItIs) {
  const std::vector<status_case> cases = {
      {{}},
      {{"bytes=0-3"}},
      {{"bytes=0-3,6-9"}},
      {{"bytes=100-"}},  // unsatisfiable for a 200 of 12 bytes: still the stored answer
      {{"bytes=-5"}},
      {{"bytes=0-3", false, "\"v1\""}},       // If-Range that would allow the range on a 200
      {{"", false, std::nullopt, "\"v1\""}},  // If-None-Match naming its ETag
      {{"", false, std::nullopt, "*"}},
      {{"bytes=0-3", false, std::nullopt, "\"v1\""}},
      {{}, "Mon, 01 Jan 2024 00:00:00 GMT"},  // If-Modified-Since its Last-Modified
      {{}, "Tue, 01 Jan 2030 00:00:00 GMT"},
  };
  for (unsigned status : {404u, 410u, 301u, 203u, 501u}) {
    for (const auto& c : cases) {
      for (bool head : {false, true}) {
        auto req = c.request;
        req.head = head;
        fixture f(req);
        if (c.if_modified_since) f.rq.if_modified_since = *c.if_modified_since;
        const auto meta = stored_status(status, 12);
        SCOPED_TRACE(::testing::Message()
                     << status << " range '" << req.range << "' head " << head);
        EXPECT_FALSE(answer_needs_boundary(f.rq, meta));
        const auto plan = plan_answer(f.rq, meta);
        EXPECT_EQ(plan.status, status);
        EXPECT_TRUE(plan.head.starts_with("HTTP/1.1 " + std::to_string(status) + " ")) << plan.head;
        EXPECT_EQ(plan.head.find("Content-Range"), std::string::npos) << plan.head;
        EXPECT_TRUE(has_field(plan.head, "Content-Length: 12")) << plan.head;
        EXPECT_TRUE(has_field(plan.head, "Content-Type: text/plain")) << plan.head;
        EXPECT_TRUE(has_field(plan.head, "ETag: \"v1\"")) << plan.head;
        EXPECT_TRUE(has_field(plan.head, "X-Cache: HIT_FULL")) << plan.head;
        EXPECT_TRUE(has_field(plan.head, "Age: 10")) << plan.head;
        if (status == 301) {
          EXPECT_TRUE(has_field(plan.head, "Location: http://o/elsewhere")) << plan.head;
        }
        EXPECT_EQ(plan.body_bytes, 12u);
        ASSERT_EQ(plan.parts.size(), head ? 0u : 1u);
        if (!head) {
          EXPECT_EQ(plan.parts[0].offset, 0u);
          EXPECT_EQ(plan.parts[0].length, 12u);
        }
      }
    }
  }
}

// The origin's Via is kept, and this cache's entry follows it (RFC 9110 §7.6.3).
TEST(PlanAnswerStatus, StoredViaComesFirst) {
  fixture f({});
  auto meta = complete(1000);
  meta.headers.push_back({"Via", "1.0 upstream-proxy"});
  const auto plan = plan_answer(f.rq, meta);
  EXPECT_TRUE(has_field(plan.head, "Via: 1.0 upstream-proxy, 1.1 rangecache")) << plan.head;
  EXPECT_EQ(plan.head.find("Via:"), plan.head.rfind("Via:")) << "one Via field";
}

TEST(PlanAnswerStatus, ReasonPhrases) {
  fixture f({});
  EXPECT_TRUE(
      plan_answer(f.rq, stored_status(404, 3)).head.starts_with("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_TRUE(plan_answer(f.rq, stored_status(301, 3))
                  .head.starts_with("HTTP/1.1 301 Moved Permanently\r\n"));
  EXPECT_TRUE(plan_answer(f.rq, stored_status(410, 3)).head.starts_with("HTTP/1.1 410 Gone\r\n"));
  EXPECT_TRUE(plan_answer(f.rq, stored_status(299, 3)).head.starts_with("HTTP/1.1 299 \r\n"));
}

// RFC 9110 §8.6, §15.3.5: a 204 has no body and no Content-Length, HEAD or GET, any Range.
TEST(PlanAnswerStatus, A204HasNoBodyAndNoLength) {
  for (const char* range : {"", "bytes=0-3"}) {
    for (bool head : {false, true}) {
      fixture f({range, head});
      const auto plan = plan_answer(f.rq, stored_status(204, 0));
      EXPECT_EQ(plan.status, 204u);
      EXPECT_TRUE(plan.head.starts_with("HTTP/1.1 204 No Content\r\n")) << plan.head;
      EXPECT_EQ(plan.head.find("Content-Length"), std::string::npos) << plan.head;
      EXPECT_TRUE(has_field(plan.head, "X-Cache: HIT_FULL")) << plan.head;
      EXPECT_TRUE(plan.parts.empty());
      EXPECT_EQ(plan.body_bytes, 0u);
    }
  }
}

// Conditionals are still answered for a 200, and for a range object (a part of one).
TEST(PlanAnswerStatus, ConditionalsStayFor200AndRangeObjects) {
  fixture f({"", false, std::nullopt, "\"v1\""});
  EXPECT_EQ(plan_answer(f.rq, complete(12)).status, 304u);
  auto part = range_object(0, 9, 100);
  part.status = 200;  // as the proxy stores a range object
  fixture g({"bytes=0-9", false, std::nullopt, "\"v1\""});
  EXPECT_EQ(plan_answer(g.rq, part).status, 304u);
  fixture h({});
  h.rq.if_modified_since = "Tue, 01 Jan 2030 00:00:00 GMT";
  EXPECT_EQ(plan_answer(h.rq, complete(12)).status, 304u);
}

TEST(PlanAnswerMultipart, PartsHeadersAndLengthAgree) {
  fixture f({"bytes=0-9,500-509"});
  auto meta = complete(1000);
  ASSERT_TRUE(answer_needs_boundary(f.rq, meta));
  auto plan = plan_answer(f.rq, meta);
  EXPECT_EQ(plan.status, 206);
  EXPECT_TRUE(has_field(
      plan.head, "Content-Type: multipart/byteranges; boundary=" + std::string(f.rq.boundary)))
      << plan.head;
  EXPECT_EQ(plan.head.find("video/mp4"), std::string::npos) << "the type belongs in the parts";
  ASSERT_EQ(plan.parts.size(), 2u);
  std::uint64_t total = plan.trailer.size();
  for (const auto& p : plan.parts) {
    EXPECT_NE(p.prefix.find("Content-Type: video/mp4"), std::string::npos);
    total += p.prefix.size() + p.length;
  }
  EXPECT_EQ(total, plan.body_bytes);
  EXPECT_TRUE(has_field(plan.head, "Content-Length: " + std::to_string(total)));
  EXPECT_NE(plan.parts[1].prefix.find("Content-Range: bytes 500-509/1000"), std::string::npos);
}

TEST(PlanAnswerMultipart, SingleRangeNeedsNoBoundary) {
  fixture f({"bytes=0-9"});
  EXPECT_FALSE(answer_needs_boundary(f.rq, complete(1000)));
  fixture g({"bytes=0-9,5-20"});  // coalesces into one part
  EXPECT_FALSE(answer_needs_boundary(g.rq, complete(1000)));
}

TEST(PlanAnswerConnection, SaysWhatTheConnectionDoesNext) {
  fixture f({});
  f.rq.keep_alive = false;
  EXPECT_TRUE(has_field(plan_answer(f.rq, complete(10)).head, "Connection: close"));
  f.rq.keep_alive = true;
  f.rq.http10 = true;
  EXPECT_TRUE(has_field(plan_answer(f.rq, complete(10)).head, "Connection: keep-alive"));
  f.rq.http10 = false;
  EXPECT_EQ(plan_answer(f.rq, complete(10)).head.find("Connection"), std::string::npos);
}

TEST(PlanAnswerFields, StoredFramingIsNeverReplayed) {
  fixture f({"bytes=0-9"});
  auto meta = complete(1000);
  meta.headers.push_back({"Content-Length", "999"});
  meta.headers.push_back({"Content-Range", "bytes 0-1/2"});
  meta.headers.push_back({"Age", "77"});
  meta.headers.push_back({"Transfer-Encoding", "chunked"});
  auto plan = plan_answer(f.rq, meta);
  EXPECT_EQ(plan.head.find("999"), std::string::npos) << plan.head;
  EXPECT_EQ(plan.head.find("bytes 0-1/2"), std::string::npos) << plan.head;
  EXPECT_EQ(plan.head.find("Age: 77"), std::string::npos) << plan.head;
  EXPECT_EQ(plan.head.find("chunked"), std::string::npos) << plan.head;
}

TEST(PlanAnswerRangeObject, UnknownTotalIsAStar) {
  fixture f({"bytes=0-99"});
  auto meta = range_object(0, 99, cache::content_range::unknown_total);
  EXPECT_TRUE(has_field(plan_answer(f.rq, meta).head, "Content-Range: bytes 0-99/*"));
}

}  // namespace
}  // namespace rangecache::plan
