// Checks the test origin and tests/support against each other, without the daemon: if
// these fail, the daemon tests built on them cannot be trusted.

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "rc_test.hpp"

namespace rc_test {
namespace {

using namespace std::chrono_literals;

class OriginSelftest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = new origin(); }
  static void TearDownTestSuite() {
    delete origin_;
    origin_ = nullptr;
  }
  void SetUp() override { origin_->reset(); }

  static std::uint16_t port() { return origin_->port(); }

  static origin* origin_;
};

origin* OriginSelftest::origin_ = nullptr;

std::chrono::duration<double> seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::steady_clock::now() - start;
}

TEST(ContentTest, SizesFollowTheNamingRules) {
  EXPECT_EQ(generated_size("/1k.bin"), 1024u);
  EXPECT_EQ(generated_size("/1m.bin"), 1u << 20);
  EXPECT_EQ(generated_size("/64M.bin"), 64u << 20);
  EXPECT_EQ(generated_size("/1g.bin"), 1u << 30);
  EXPECT_EQ(generated_size("/100.txt"), 100u);
  EXPECT_EQ(generated_size("/gen/65521/a.bin"), 65521u);
  EXPECT_EQ(generated_size("/gen/0/empty"), 0u);
  EXPECT_FALSE(generated_size("/1x.bin"));
  EXPECT_FALSE(generated_size("/gen/12/a/b"));
  EXPECT_FALSE(generated_size("/index.html"));
}

TEST(ContentTest, SlicesAgreeAcrossPieceBoundaries) {
  const auto whole = expected_bytes("/1m.bin", 0, 3 * content_piece_size);
  EXPECT_TRUE(same_bytes(expected_bytes("/1m.bin", 65530, 20), whole.substr(65530, 20)));
  EXPECT_EQ(expected_sha256("/1m.bin", 100, 190000), sha256_hex(whole.substr(100, 190000)));
  EXPECT_NE(expected_bytes("/1m.bin", 0, 64), expected_bytes("/1m.bin", 0, 64, "v2"));
  EXPECT_NE(expected_bytes("/1m.bin", 0, 64), expected_bytes("/2m.bin", 0, 64));
  // No short period: range bugs must not be able to hide behind repeated content.
  EXPECT_NE(whole.substr(0, 64), whole.substr(content_piece_size, 64));
}

TEST_F(OriginSelftest, FullGetIsByteExact) {
  auto r = get(port(), "/1m.bin");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_TRUE(r.complete) << r;
  EXPECT_EQ(r.header("Content-Length"), "1048576");
  EXPECT_EQ(r.header("ETag"), expected_etag("/1m.bin", 1 << 20));
  EXPECT_EQ(r.header("Last-Modified"), "Mon, 01 Jan 2024 00:00:00 GMT");
  EXPECT_EQ(r.header("Accept-Ranges"), "bytes");
  EXPECT_EQ(r.header("Cache-Control"), "max-age=3600");
  EXPECT_EQ(r.header("Content-Type"), "application/octet-stream");
  EXPECT_TRUE(r.has_header("Date"));
  EXPECT_TRUE(same_bytes(r.body, expected_file("/1m.bin")));

  auto odd = get(port(), "/gen/65521/a.bin");
  ASSERT_EQ(odd.status, 200) << odd;
  EXPECT_TRUE(same_bytes(odd.body, expected_file("/gen/65521/a.bin")));
  EXPECT_EQ(get(port(), "/3k.txt").header("Content-Type"), "text/plain");
  EXPECT_EQ(get(port(), "/1k.mp4").header("Content-Type"), "video/mp4");
  EXPECT_EQ(get(port(), "/nothing-here").status, 404);
}

TEST_F(OriginSelftest, HeadHasHeadersOnly) {
  connection c("127.0.0.1", port());
  ASSERT_TRUE(c.send_request("HEAD", "/1m.bin"));
  auto r = c.read_response(true);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.header("Content-Length"), "1048576");
  EXPECT_EQ(r.body_size, 0u);
  // Nothing follows the head: the next response on the connection parses cleanly.
  ASSERT_TRUE(c.send_request("GET", "/1k.bin"));
  EXPECT_EQ(c.read_response().body_size, 1024u);
}

TEST_F(OriginSelftest, SingleRanges) {
  struct probe {
    std::string range;
    std::uint64_t first, last;
  };
  const std::uint64_t size = 1 << 20;
  for (const auto& p : std::vector<probe>{{"bytes=0-0", 0, 0},
                                          {"bytes=65530-65545", 65530, 65545},
                                          {"bytes=-100", size - 100, size - 1},
                                          {"bytes=1048000-", 1048000, size - 1},
                                          {"bytes=100-99999999", 100, size - 1},
                                          {"bytes=5-1,", 0, 0}}) {
    auto r = get(port(), "/1m.bin", {{"Range", p.range}});
    if (p.range == "bytes=5-1,") {
      EXPECT_EQ(r.status, 200) << "an invalid range set is ignored";
      continue;
    }
    ASSERT_EQ(r.status, 206) << p.range << " " << r;
    EXPECT_EQ(r.header("Content-Range"), "bytes " + std::to_string(p.first) + "-" +
                                             std::to_string(p.last) + "/" + std::to_string(size));
    EXPECT_TRUE(is_content(r.body, "/1m.bin", p.first, p.last - p.first + 1)) << p.range;
  }
}

TEST_F(OriginSelftest, RangesBeyondFourGigabytes) {
  const std::string name = "/gen/10000000000/big.bin";
  auto r = get(port(), name, {{"Range", "bytes=9999999000-"}});
  ASSERT_EQ(r.status, 206) << r;
  EXPECT_EQ(r.header("Content-Range"), "bytes 9999999000-9999999999/10000000000");
  EXPECT_TRUE(is_content(r.body, name, 9999999000, 1000));
}

TEST_F(OriginSelftest, MultiRangeIsMultipart) {
  auto r = get(port(), "/1m.bin", {{"Range", "bytes=0-9, 100-109,65535-65537"}});
  ASSERT_EQ(r.status, 206) << r;
  EXPECT_FALSE(r.has_header("Content-Range"));
  EXPECT_EQ(r.header("Content-Length"), std::to_string(r.body.size()));
  auto boundary = multipart_boundary(r.header("Content-Type").value_or(""));
  ASSERT_TRUE(boundary) << r;
  std::string error;
  auto parts = parse_byteranges(r.body, *boundary, &error);
  ASSERT_TRUE(parts) << error;
  ASSERT_EQ(parts->size(), 3u);
  const std::uint64_t firsts[] = {0, 100, 65535};
  for (std::size_t i = 0; i < parts->size(); ++i) {
    const auto& part = (*parts)[i];
    EXPECT_EQ(part.range.first, firsts[i]);
    EXPECT_EQ(part.range.complete_length, 1u << 20);
    EXPECT_TRUE(is_content(part.data, "/1m.bin", part.range.first, part.data.size()));
  }
}

TEST_F(OriginSelftest, UnsatisfiableAndInvalidRanges) {
  auto r = get(port(), "/1k.bin", {{"Range", "bytes=2000-"}});
  EXPECT_EQ(r.status, 416) << r;
  EXPECT_EQ(r.header("Content-Range"), "bytes */1024");
  EXPECT_EQ(get(port(), "/1k.bin", {{"Range", "bytes=-0"}}).status, 416);
  EXPECT_EQ(get(port(), "/gen/0/e.bin", {{"Range", "bytes=0-"}}).status, 416);
  for (const char* invalid : {"bytes=5-1", "items=0-1", "bytes=a-b", "bytes="}) {
    auto full = get(port(), "/1k.bin", {{"Range", invalid}});
    EXPECT_EQ(full.status, 200) << invalid;
    EXPECT_EQ(full.body_size, 1024u) << invalid;
  }
}

TEST_F(OriginSelftest, ConditionalRequests) {
  const auto etag = expected_etag("/1k.bin", 1024);
  const std::string last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
  auto not_modified = get(port(), "/1k.bin", {{"If-None-Match", etag}});
  EXPECT_EQ(not_modified.status, 304) << not_modified;
  EXPECT_EQ(not_modified.body_size, 0u);
  EXPECT_EQ(not_modified.header("ETag"), etag);
  EXPECT_EQ(get(port(), "/1k.bin", {{"If-None-Match", "\"other\", W/" + etag}}).status, 304);
  EXPECT_EQ(get(port(), "/1k.bin", {{"If-None-Match", "\"other\""}}).status, 200);
  EXPECT_EQ(get(port(), "/1k.bin", {{"If-Modified-Since", last_modified}}).status, 304);
  EXPECT_EQ(get(port(), "/1k.bin", {{"If-Modified-Since", "Sun, 31 Dec 2023 23:59:59 GMT"}}).status,
            200);

  const header_list range = {{"Range", "bytes=10-19"}};
  auto with = [&](std::string if_range) {
    auto headers = range;
    headers.emplace_back("If-Range", std::move(if_range));
    return get(port(), "/1k.bin", headers).status;
  };
  EXPECT_EQ(with(etag), 206);
  EXPECT_EQ(with("\"stale\""), 200);
  EXPECT_EQ(with("W/" + etag), 200) << "If-Range needs a strong match";
  EXPECT_EQ(with(last_modified), 206);
  EXPECT_EQ(with("Tue, 02 Jan 2024 00:00:00 GMT"), 200);
}

TEST_F(OriginSelftest, NewVersionChangesEtagAndContent) {
  auto r = get(port(), "/1k.bin?etag=v2");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.header("ETag"), expected_etag("/1k.bin", 1024, "v2"));
  EXPECT_NE(r.header("ETag"), expected_etag("/1k.bin", 1024));
  EXPECT_TRUE(same_bytes(r.body, expected_file("/1k.bin", "v2")));
  EXPECT_EQ(get(port(), "/1k.bin?weak=1").header("ETag"), "W/" + expected_etag("/1k.bin", 1024));
  EXPECT_FALSE(get(port(), "/1k.bin?no_etag=1&no_lm=1").has_header("ETag"));
}

TEST_F(OriginSelftest, HeaderControls) {
  auto r = get(port(), "/1k.bin?cc=no-store%2C%20private&hdr=Vary%3A%20Accept&hdr=X-A:1");
  EXPECT_EQ(r.header("Cache-Control"), "no-store, private");
  EXPECT_EQ(r.header("Vary"), "Accept");
  EXPECT_EQ(r.header("X-A"), "1");
  auto error = get(port(), "/1k.bin?status=503");
  EXPECT_EQ(error.status, 503);
  EXPECT_EQ(error.body, "status 503\n");
  auto full = get(port(), "/1k.bin?ignore_range=1", {{"Range", "bytes=0-9"}});
  EXPECT_EQ(full.status, 200);
  EXPECT_EQ(full.body_size, 1024u);
}

// status_from / status_until: the status answers only the requests in that window.
TEST_F(OriginSelftest, StatusWindow) {
  const std::string until = "/1k.bin?status=404&status_until=1";
  EXPECT_EQ(get(port(), until).status, 404);
  EXPECT_EQ(get(port(), until).status, 200);
  const std::string from = "/1k.bin?status=410&status_from=2";
  EXPECT_EQ(get(port(), from).status, 200);
  auto gone = get(port(), from);
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(gone.body, "status 410\n");
  auto empty = get(port(), "/1k.bin?status=204&cc=max-age=5");
  EXPECT_EQ(empty.status, 204);
  EXPECT_TRUE(empty.complete) << empty;
  EXPECT_TRUE(empty.body.empty());
  EXPECT_EQ(empty.header("Cache-Control"), "max-age=5");
}

TEST_F(OriginSelftest, FailAtDelayAtAndNoDate) {
  const std::string target = "/1k.bin?fail_at=2&fail_status=500&delay=0.3&delay_at=3";
  EXPECT_EQ(get(port(), target).status, 200);
  EXPECT_EQ(get(port(), target).status, 500);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(get(port(), target).status, 500);
  EXPECT_GE(seconds_since(start).count(), 0.29);
  EXPECT_EQ(get(port(), "/1k.bin?fail_at=1").status, 503);
  EXPECT_TRUE(get(port(), "/1k.bin").has_header("Date"));
  EXPECT_FALSE(get(port(), "/1k.bin?no_date=1").has_header("Date"));
}

TEST_F(OriginSelftest, ShortBodyIsIncomplete) {
  auto rst = get(port(), "/1m.bin?short=1000");
  EXPECT_EQ(rst.status, 200);
  EXPECT_FALSE(rst.complete) << rst;
  EXPECT_LE(rst.body_size, 1000u);
  EXPECT_TRUE(is_content(rst.body, "/1m.bin", 0, rst.body.size()));

  auto fin = get(port(), "/1m.bin?short=1000&fin=1", {{"Range", "bytes=500-"}});
  EXPECT_EQ(fin.status, 206);
  EXPECT_FALSE(fin.complete) << fin;
  EXPECT_EQ(fin.body_size, 1000u);
  EXPECT_TRUE(is_content(fin.body, "/1m.bin", 500, 1000));
}

TEST_F(OriginSelftest, StallTimesOut) {
  const auto start = std::chrono::steady_clock::now();
  auto r = get(port(), "/1k.bin?stall=3", {}, 500ms);
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.timed_out) << r;
  EXPECT_LT(seconds_since(start).count(), 2.5);

  // Mid-body: the head and 100 bytes, then silence.
  auto mid = get(port(), "/1k.bin?stall=3&stall_after=100", {}, 500ms);
  EXPECT_EQ(mid.status, 200);
  EXPECT_TRUE(mid.timed_out) << mid;
  EXPECT_EQ(mid.body_size, 100u);
}

TEST_F(OriginSelftest, DelayAndSlow) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(get(port(), "/1k.bin?delay=0.3").status, 200);
  EXPECT_GE(seconds_since(start).count(), 0.29);

  start = std::chrono::steady_clock::now();
  auto slow = get(port(), "/gen/40000/s.bin?slow=100000");
  EXPECT_TRUE(slow.complete);
  EXPECT_TRUE(same_bytes(slow.body, expected_file("/gen/40000/s.bin")));
  EXPECT_GE(seconds_since(start).count(), 0.3);
}

TEST_F(OriginSelftest, ChunkedAndCloseDelimitedBodies) {
  auto chunked = get(port(), "/gen/200000/c.bin?chunked=1", {{"Range", "bytes=1-100000"}});
  EXPECT_EQ(chunked.status, 206);
  EXPECT_TRUE(chunked.chunked);
  EXPECT_TRUE(chunked.complete) << chunked;
  EXPECT_FALSE(chunked.has_header("Content-Length"));
  EXPECT_TRUE(is_content(chunked.body, "/gen/200000/c.bin", 1, 100000));

  auto nolen = get(port(), "/gen/200000/c.bin?nolen=1");
  EXPECT_TRUE(nolen.close_delimited);
  EXPECT_TRUE(nolen.complete) << nolen;
  EXPECT_FALSE(nolen.has_header("Content-Length"));
  EXPECT_TRUE(same_bytes(nolen.body, expected_file("/gen/200000/c.bin")));
}

TEST_F(OriginSelftest, LyingAndMissingContentRange) {
  auto lie = get(port(), "/1k.bin?lie=1", {{"Range", "bytes=10-19"}});
  EXPECT_EQ(lie.status, 206);
  EXPECT_EQ(lie.header("Content-Range"), "bytes 11-20/1024");
  EXPECT_TRUE(is_content(lie.body, "/1k.bin", 10, 10)) << "the body is the range asked for";

  auto at_end = get(port(), "/1k.bin?lie=1", {{"Range", "bytes=-10"}});
  EXPECT_EQ(at_end.header("Content-Range"), "bytes 1013-1022/1024");

  auto no_cr = get(port(), "/1k.bin?no_cr=1", {{"Range", "bytes=10-19"}});
  EXPECT_EQ(no_cr.status, 206);
  EXPECT_FALSE(no_cr.has_header("Content-Range"));
  EXPECT_EQ(no_cr.body_size, 10u);
}

TEST_F(OriginSelftest, RequestBodiesAreEchoed) {
  const auto body = expected_bytes("/upload", 0, 300000);
  auto r = request(port(), "POST", "/up?x=1", {{"X-Test", "yes"}}, body);
  ASSERT_EQ(r.status, 200) << r;
  auto doc = json_value::parse(r.body);
  ASSERT_TRUE(doc) << r.body;
  EXPECT_EQ((*doc)["method"].as_string(), "POST");
  EXPECT_EQ((*doc)["target"].as_string(), "/up?x=1");
  EXPECT_EQ((*doc)["path"].as_string(), "/up");
  EXPECT_EQ((*doc)["length"].as_int(), 300000);
  EXPECT_EQ((*doc)["sha256"].as_string(), sha256_hex(body));
  EXPECT_EQ((*doc)["headers"]["x-test"].as_string(), "yes");
  EXPECT_EQ((*doc)["raw_headers"][1][0].as_string(), "X-Test");

  auto chunked =
      request(port(), "PUT", "/up", {{"Transfer-Encoding", "chunked"}}, chunk_encode(body, 7000));
  auto echoed = json_value::parse(chunked.body).value_or(json_value{});
  EXPECT_EQ(echoed["sha256"].as_string(), sha256_hex(body)) << chunked;
  EXPECT_TRUE(echoed["chunked"].as_bool());

  for (const char* method : {"DELETE", "OPTIONS", "PATCH"}) {
    auto e = json_value::parse(request(port(), method, "/x").body).value_or(json_value{});
    EXPECT_EQ(e["method"].as_string(), method);
    EXPECT_EQ(e["length"].as_int(), 0);
  }
  auto headers = json_value::parse(get(port(), "/__echo_headers", {{"Via", "1.1 a"}}).body);
  ASSERT_TRUE(headers);
  EXPECT_EQ((*headers)["headers"]["via"].as_string(), "1.1 a");
  EXPECT_EQ((*headers)["headers"]["host"].as_string(), "127.0.0.1:" + std::to_string(port()));
}

TEST_F(OriginSelftest, ExpectContinue) {
  const std::string body(5000, 'x');
  connection c("127.0.0.1", port());
  const std::string head = build_request("POST", "/up", c.authority(),
                                         {{"Expect", "100-continue"}, {"Content-Length", "5000"}});
  ASSERT_TRUE(c.send_raw(head));
  auto interim = c.read_interim();
  ASSERT_EQ(interim.status, 100) << interim;
  ASSERT_TRUE(c.send_raw(body));
  auto r = c.read_response();
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(json_value::parse(r.body).value_or(json_value{})["sha256"].as_string(),
            sha256_hex(body));

  // In one go, read_response records the 100 and returns the final response.
  connection again("127.0.0.1", port());
  ASSERT_TRUE(again.send_raw(head + body));
  auto both = again.read_response();
  EXPECT_EQ(both.status, 200);
  EXPECT_EQ(both.interim_statuses, std::vector<int>{100});

  auto refused = request(port(), "POST", "/up?expect=417",
                         {{"Expect", "100-continue"}, {"Content-Length", "5000"}});
  EXPECT_EQ(refused.status, 417);
}

TEST_F(OriginSelftest, StatsCountRequests) {
  EXPECT_EQ(origin_->total(), 0);
  get(port(), "/1k.bin", {{"Range", "bytes=0-1"}});
  get(port(), "/1k.bin");
  get(port(), "/1k.bin?short=10");
  EXPECT_EQ(origin_->count("/1k.bin"), 2);
  EXPECT_EQ(origin_->count("/1k.bin?short=10"), 1);
  EXPECT_EQ(origin_->count("/never"), 0);
  EXPECT_EQ(origin_->total(), 3);
  EXPECT_EQ(origin_->ranges("/1k.bin"), std::vector<std::string>{"bytes=0-1"})
      << origin_->stats_json();
  EXPECT_NE(origin_->log().find("GET /1k.bin bytes=0-1 206 2\n"), std::string::npos)
      << origin_->log();
  origin_->reset();
  EXPECT_EQ(origin_->total(), 0);
  EXPECT_EQ(origin_->count("/1k.bin"), 0);
}

TEST_F(OriginSelftest, KeepAliveReusesTheConnection) {
  connection c("127.0.0.1", port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send_request("GET", "/1k.bin"));
    auto r = c.read_response();
    ASSERT_EQ(r.status, 200) << r;
  }
  EXPECT_EQ(origin_->connections(), 1);
  ASSERT_TRUE(c.send_request("GET", "/1k.bin", {{"Connection", "close"}}));
  EXPECT_EQ(c.read_response().header("Connection"), "close");
  EXPECT_TRUE(c.peer_closed(2s));
}

TEST_F(OriginSelftest, ClientVanishingMidBodyDoesNotHurt) {
  {
    connection c("127.0.0.1", port());
    ASSERT_TRUE(c.send_request("GET", "/64m.bin"));
    EXPECT_FALSE(c.read_available(100ms, 100000).empty());
    c.reset();
  }
  auto r = get(port(), "/1k.bin");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(origin_->proc().running());
}

TEST_F(OriginSelftest, HundredConcurrentClients) {
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 100; ++i) {
    clients.emplace_back([&, i] {
      const std::uint64_t first = static_cast<std::uint64_t>(i) * 10007;
      auto r =
          get(port(), "/1m.bin?delay=0.2",
              {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(first + 999)}});
      if (r.status == 206 && r.body == expected_bytes("/1m.bin", first, 1000)) ++good;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(good.load(), 100);
}

TEST_F(OriginSelftest, BulkAndSmallRangeSpeed) {
  auto start = std::chrono::steady_clock::now();
  auto big = get_hashed(port(), "/64m.bin");
  const double bulk_seconds = seconds_since(start).count();
  ASSERT_EQ(big.status, 200) << big;
  EXPECT_EQ(big.body_size, 64u << 20);
  EXPECT_EQ(big.body_sha256, expected_sha256("/64m.bin", 0, 64u << 20));
  const double mb_per_s = 64 * 1.048576 / bulk_seconds;

  connection c("127.0.0.1", port());
  const int requests = 2000;
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < requests; ++i) {
    const auto first = static_cast<std::uint64_t>(i) * 4099 % 1000000;
    ASSERT_TRUE(c.send_request(
        "GET", "/1m.bin",
        {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(first + 99)}}));
    ASSERT_EQ(c.read_response().body_size, 100u);
  }
  const double per_second = requests / seconds_since(start).count();
  RecordProperty("bulk_mb_per_s", static_cast<int>(mb_per_s));
  RecordProperty("small_range_requests_per_s", static_cast<int>(per_second));
  std::printf("origin: 64 MiB GET %.0f MB/s; 100-byte ranges %.0f req/s (one client)\n", mb_per_s,
              per_second);
}

TEST_F(OriginSelftest, ConnectionFaultsBetweenResponses) {
  {
    // extra=1: a whole stray response follows the real one on the same connection.
    connection c("127.0.0.1", port());
    ASSERT_TRUE(c.send_request("GET", "/gen/100/a.bin?extra=1"));
    auto first = c.read_response();
    EXPECT_EQ(first.body, expected_bytes("/gen/100/a.bin", 0, 100)) << first;
    auto stray = c.read_response();
    EXPECT_EQ(stray.status, 200) << stray;
    EXPECT_EQ(stray.header("X-Stray"), "1");
    EXPECT_EQ(stray.body, "stray answer");
    EXPECT_TRUE(wait_until([] { return origin_->events("extra_sent") == 1; }, 5s));
  }
  {
    // close_after=S: the origin closes the idle keep-alive connection.
    connection c("127.0.0.1", port());
    ASSERT_TRUE(c.send_request("GET", "/gen/100/b.bin?close_after=0.05"));
    EXPECT_EQ(c.read_response().status, 200);
    EXPECT_TRUE(c.peer_closed(5s));
    EXPECT_TRUE(wait_until([] { return origin_->events("closed_after") == 1; }, 5s));
  }
  // Every method on /__echo_headers names the fields it got, HEAD included.
  auto h = head(port(), "/__echo_headers", {{"X-Probe", "1"}});
  EXPECT_NE(h.header("X-Echo-Names").value_or("").find("x-probe"), std::string::npos) << h;
}

TEST(OriginLifecycle, SigtermExitsPromptly) {
  origin o;
  ASSERT_EQ(get(o.port(), "/1k.bin").status, 200);
  // A request sleeping in the origin must not hold the exit up.
  std::thread stalled([&] { get(o.port(), "/1k.bin?stall=30", {}, 5s); });
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(o.proc().signal(SIGTERM));
  auto status = o.proc().wait_exit(3s);
  stalled.join();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status)) << describe_wait_status(*status);
}

TEST(OriginLifecycle, ListensOnIpv6) {
  const int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (probe < 0) GTEST_SKIP() << "no IPv6";
  ::close(probe);
  origin_options options;
  options.listen = "::1";
  std::unique_ptr<origin> o;
  try {
    o = std::make_unique<origin>(options);
  } catch (const std::exception& e) {
    GTEST_SKIP() << "IPv6 loopback unusable: " << e.what();
  }
  connection c("::1", o->port());
  ASSERT_TRUE(c.send_request("GET", "/1k.bin"));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(o->authority(), "[::1]:" + std::to_string(o->port()));
}

TEST(SupportTest, ProcessReportsExitAndSignals) {
  temp_dir dir;
  process exits("/bin/sh", {"-c", "echo out; echo err >&2; exit 3"}, dir.path(),
                {{"RC_TEST_VAR", "x"}}, "sh");
  auto status = exits.wait_exit(5s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 3) << describe_wait_status(*status);
  EXPECT_EQ(exits.stdout_text(), "out\n");
  EXPECT_EQ(exits.stderr_text(), "err\n");
  EXPECT_FALSE(exits.signal(SIGTERM)) << "a reaped child is never signalled";

  process env("/bin/sh", {"-c", "printf %s \"$RC_TEST_VAR\""}, dir.path(), {{"RC_TEST_VAR", "42"}},
              "env");
  ASSERT_TRUE(env.wait_exit(5s));
  EXPECT_EQ(env.stdout_text(), "42");

  process sleeper("sleep", {"30"}, dir.path());
  EXPECT_FALSE(sleeper.wait_exit(50ms));
  auto usage = rss_kib(sleeper.pid());
  ASSERT_TRUE(usage);
  EXPECT_GT(usage->vm_rss_kib, 0);
  ASSERT_TRUE(sleeper.signal(SIGTERM));
  auto killed = sleeper.wait_exit(5s);
  ASSERT_TRUE(killed);
  EXPECT_TRUE(WIFSIGNALED(*killed) && WTERMSIG(*killed) == SIGTERM);
  EXPECT_THROW(process("/nonexistent/program", {}, dir.path()), std::system_error);
}

TEST(SupportTest, TempDirIsRemoved) {
  std::filesystem::path kept;
  {
    temp_dir dir("rc-selftest");
    kept = dir.path();
    ASSERT_TRUE(write_file(dir / "a", "hello"));
    EXPECT_EQ(read_file(dir / "a"), "hello");
    std::filesystem::create_directories(dir / "x" / "y");
    EXPECT_TRUE(wait_for_file(dir / "x" / "y", 10ms));
    ASSERT_TRUE(write_file(dir / "port", "123\n"));
    EXPECT_EQ(wait_port_file(dir / "port", 100ms), 123);
    EXPECT_FALSE(wait_port_file(dir / "missing", 50ms));
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(SupportTest, ContentRangeParsing) {
  auto r = parse_content_range("bytes 0-9/100");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->last, 9u);
  EXPECT_EQ(r->complete_length, 100u);
  EXPECT_FALSE(parse_content_range("bytes 0-9/*")->complete_length);
  EXPECT_TRUE(parse_content_range("bytes */100")->unsatisfied);
  EXPECT_FALSE(parse_content_range("bytes 9-0/100"));
  EXPECT_FALSE(parse_content_range("bytes 0-100/100"));
  EXPECT_FALSE(parse_content_range("items 0-1/2"));
}

}  // namespace
}  // namespace rc_test
