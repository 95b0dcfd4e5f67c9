// The access-log formats as pure functions: every field of every format, and escaping of
// whatever bytes a client can put in a request.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rangecache/proxy/access_format.hpp"

using namespace rangecache;
using rangecache::config::access_log_format;
using std::chrono::microseconds;

namespace {

// 2026-11-22T10:04:05.123Z
const auto fixed_now =
    std::chrono::system_clock::time_point(std::chrono::milliseconds(1795341845123));

const std::string from_origin = "origin";

proxy::access_entry miss_entry() {
  proxy::access_entry e;
  e.client = "192.0.2.7";
  e.method = "GET";
  e.host = "videos.example.com";
  e.target = "/v/a.mp4?x=1";
  e.range = "bytes=0-99";
  e.referer = "http://example.com/page";
  e.user_agent = "curl/7.88.1";
  e.status = 206;
  e.bytes = 100;
  e.origin_bytes = 100;
  e.cache = "MISS";
  e.upstream_status = 206;
  e.upstream = &from_origin;
  return e;
}

proxy::access_times times(long duration_us, long ttfb_us) {
  return {fixed_now, microseconds(duration_us), microseconds(ttfb_us)};
}

std::string format(access_log_format f, const proxy::access_entry& e,
                   const proxy::access_times& t) {
  fmt::memory_buffer out;
  proxy::format_access(f, e, t, out);
  return fmt::to_string(out);
}

struct format_case {
  const char* name;
  access_log_format format;
  proxy::access_entry entry;
  proxy::access_times times;
  std::string expected;
};

std::vector<format_case> cases() {
  auto hit = miss_entry();
  hit.status = 206;
  hit.origin_bytes = 0;
  hit.upstream_status = 0;
  hit.upstream = nullptr;
  hit.cache = "HIT_FULL";
  hit.range = "bytes=5000-5099";
  hit.referer = {};
  auto timeout = proxy::access_entry{};  // a header that never arrived: no request at all
  timeout.client = "::1";
  timeout.status = 408;
  timeout.bytes = 28;
  timeout.cache = "ERROR";
  auto http10 = hit;
  http10.version = 10;
  http10.host = {};
  http10.target = "/plain";
  http10.range = {};
  http10.user_agent = {};
  return {
      {"line miss", access_log_format::line, miss_entry(), times(2345, 1200),
       "192.0.2.7 GET http://videos.example.com/v/a.mp4?x=1 206 100 2.345 MISS 206 origin"},
      {"line hit", access_log_format::line, hit, times(87, 40),
       "192.0.2.7 GET http://videos.example.com/v/a.mp4?x=1 206 100 0.087 HIT_FULL - -"},
      {"line timeout", access_log_format::line, timeout, times(10000000, 9999000),
       "::1   408 28 10000.000 ERROR - -"},
      {"json miss", access_log_format::json, miss_entry(), times(2345, 1200),
       R"({"time":"2026-11-22T10:04:05.123Z","client":"192.0.2.7","method":"GET",)"
       R"("url":"http://videos.example.com/v/a.mp4?x=1","protocol":"HTTP/1.1","status":206,)"
       R"("bytes":100,"duration_ms":2.345,"ttfb_ms":1.200,"cache":"MISS","range":"bytes=0-99",)"
       R"("origin_bytes":100,"upstream_status":206,"upstream":"origin",)"
       R"("referer":"http://example.com/page",)"
       R"("user_agent":"curl/7.88.1"})"},
      {"json hit", access_log_format::json, hit, times(87, 40),
       R"({"time":"2026-11-22T10:04:05.123Z","client":"192.0.2.7","method":"GET",)"
       R"("url":"http://videos.example.com/v/a.mp4?x=1","protocol":"HTTP/1.1","status":206,)"
       R"("bytes":100,"duration_ms":0.087,"ttfb_ms":0.040,"cache":"HIT_FULL",)"
       R"("range":"bytes=5000-5099","origin_bytes":0,"upstream_status":null,"upstream":null,)"
       R"("referer":null,)"
       R"("user_agent":"curl/7.88.1"})"},
      {"json timeout", access_log_format::json, timeout, times(1500, -1),
       R"({"time":"2026-11-22T10:04:05.123Z","client":"::1","method":null,"url":null,)"
       R"("protocol":"HTTP/1.1","status":408,"bytes":28,"duration_ms":1.500,"ttfb_ms":null,)"
       R"("cache":"ERROR","range":null,"origin_bytes":0,"upstream_status":null,"upstream":null,)"
       R"("referer":null,"user_agent":null})"},
      {"json http/1.0 without host", access_log_format::json, http10, times(1000, 500),
       R"({"time":"2026-11-22T10:04:05.123Z","client":"192.0.2.7","method":"GET",)"
       R"("url":"/plain","protocol":"HTTP/1.0","status":206,"bytes":100,"duration_ms":1.000,)"
       R"("ttfb_ms":0.500,"cache":"HIT_FULL","range":null,"origin_bytes":0,)"
       R"("upstream_status":null,"upstream":null,"referer":null,"user_agent":null})"},
      {"combined miss", access_log_format::combined, miss_entry(), times(2345, 1200),
       R"(192.0.2.7 - - [22/Nov/2026:10:04:05 +0000] "GET /v/a.mp4?x=1 HTTP/1.1" 206 100 )"
       R"("http://example.com/page" "curl/7.88.1" cache=MISS host="videos.example.com" )"
       R"(range="bytes=0-99" origin_bytes=100 ttfb_ms=1.200 upstream_status=206 upstream=origin )"
       R"(duration_ms=2.345)"},
      {"combined hit", access_log_format::combined, hit, times(87, 40),
       R"(192.0.2.7 - - [22/Nov/2026:10:04:05 +0000] "GET /v/a.mp4?x=1 HTTP/1.1" 206 100 "-" )"
       R"("curl/7.88.1" cache=HIT_FULL host="videos.example.com" range="bytes=5000-5099" )"
       R"(origin_bytes=0 ttfb_ms=0.040 upstream_status=- upstream=- duration_ms=0.087)"},
      {"combined timeout", access_log_format::combined, timeout, times(1500, -1),
       R"(::1 - - [22/Nov/2026:10:04:05 +0000] "-" 408 28 "-" "-" cache=ERROR host="-" )"
       R"(range="-" origin_bytes=0 ttfb_ms=- upstream_status=- upstream=- duration_ms=1.500)"},
      {"combined http/1.0", access_log_format::combined, http10, times(1000, 500),
       R"(192.0.2.7 - - [22/Nov/2026:10:04:05 +0000] "GET /plain HTTP/1.0" 206 100 "-" "-" )"
       R"(cache=HIT_FULL host="-" range="-" origin_bytes=0 ttfb_ms=0.500 upstream_status=- )"
       R"(upstream=- duration_ms=1.000)"},
  };
}

}  // namespace

TEST(AccessFormat, EachFormatWritesEveryField) {
  for (const auto& c : cases()) EXPECT_EQ(format(c.format, c.entry, c.times), c.expected) << c.name;
}

TEST(AccessFormat, JsonEscapesWhatWouldBreakTheLine) {
  struct escape_case {
    std::string in, out;
  };
  const std::vector<escape_case> table = {
      {"plain", "plain"},
      {"say \"hi\"", "say \\\"hi\\\""},
      {"back\\slash", "back\\\\slash"},
      {"new\nline\r\ttab", "new\\nline\\r\\ttab"},
      {std::string("nul\0byte", 8), "nul\\u0000byte"},
      {"\x1b[31m\x7f", "\\u001b[31m\\u007f"},
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xac", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xac"},
      {"latin1 \xe9t\xe9", "latin1 \\u00e9t\\u00e9"},
      {"cut \xe2\x82", "cut \\u00e2\\u0082"},
      {"overlong \xc0\xaf \xe0\x80\xaf", "overlong \\u00c0\\u00af \\u00e0\\u0080\\u00af"},
      {"surrogate \xed\xa0\x80", "surrogate \\u00ed\\u00a0\\u0080"},
      {"too high \xf4\x90\x80\x80", "too high \\u00f4\\u0090\\u0080\\u0080"},
  };
  for (const auto& c : table) {
    fmt::memory_buffer out;
    proxy::append_json_escaped(c.in, out);
    EXPECT_EQ(fmt::to_string(out), c.out) << c.in;
  }
}

TEST(AccessFormat, CombinedEscapesLikeNginx) {
  struct escape_case {
    std::string in, out;
  };
  const std::vector<escape_case> table = {
      {"Mozilla/5.0 (X11)", "Mozilla/5.0 (X11)"},
      {"a\"b", "a\\\"b"},
      {"a\\b", "a\\\\b"},
      {"two\nlines", "two\\x0alines"},
      {"caf\xc3\xa9", "caf\\xc3\\xa9"},
      {"\x7f", "\\x7f"},
  };
  for (const auto& c : table) {
    fmt::memory_buffer out;
    proxy::append_combined_escaped(c.in, out);
    EXPECT_EQ(fmt::to_string(out), c.out) << c.in;
  }
}

TEST(AccessFormat, RequestTextCannotForgeFieldsOrLines) {
  auto e = miss_entry();
  e.target = "/a\" 200 1 \"-\" \"x\nforged";
  e.user_agent = "ua\" cache=HIT";
  const auto combined = format(access_log_format::combined, e, times(1, 1));
  EXPECT_EQ(combined.find('\n'), std::string::npos) << combined;
  EXPECT_NE(combined.find(R"("GET /a\" 200 1 \"-\" \"x\x0aforged HTTP/1.1")"), std::string::npos)
      << combined;
  EXPECT_NE(combined.find(R"("ua\" cache=HIT" cache=MISS)"), std::string::npos) << combined;
  const auto json = format(access_log_format::json, e, times(1, 1));
  EXPECT_EQ(json.find('\n'), std::string::npos) << json;
  EXPECT_NE(json.find(R"("user_agent":"ua\" cache=HIT")"), std::string::npos) << json;
}

TEST(AccessFormat, MeasuredTimesComeFromTheEntry) {
  proxy::access_entry e;
  e.start = std::chrono::steady_clock::now() - std::chrono::milliseconds(50);
  auto t = proxy::measure_access(e, access_log_format::json);
  EXPECT_LT(t.ttfb.count(), 0) << "no answer was written: no time to first byte";
  EXPECT_GE(t.duration, std::chrono::milliseconds(50));
  EXPECT_NE(t.now.time_since_epoch().count(), 0);
  e.first_byte = e.start + std::chrono::milliseconds(20);
  t = proxy::measure_access(e, access_log_format::line);
  EXPECT_EQ(t.ttfb, std::chrono::milliseconds(20));
  EXPECT_EQ(t.now.time_since_epoch().count(), 0) << "the line format's logger writes the time";
}
