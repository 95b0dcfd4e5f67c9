// Pass-through: every method reaches the origin and every byte comes back unchanged.
#include <gtest/gtest.h>

#include <thread>

#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class Passthrough : public daemon_suite<Passthrough> {};

}  // namespace

TEST_F(Passthrough, GetSmallAndMediumBodiesByteExact) {
  for (const char* name : {"/1k.bin", "/1m.bin"}) {
    auto r = get(daemon_->port(), name);
    ASSERT_EQ(r.status, 200) << r;
    ASSERT_TRUE(r.complete) << r;
    EXPECT_EQ(r.body, expected_file(name)) << name;
    EXPECT_EQ(r.header("ETag"), expected_etag(name, r.body.size()));
    EXPECT_EQ(r.header("Accept-Ranges"), "bytes");
    EXPECT_EQ(r.header("Via"), "1.1 rangecache");
  }
}

TEST_F(Passthrough, Get64MiBByteExact) {
  auto r = get_hashed(daemon_->port(), "/64m.bin", {}, 60s);
  ASSERT_EQ(r.status, 200) << r;
  ASSERT_TRUE(r.complete) << r;
  EXPECT_EQ(r.body_size, 64u << 20);
  EXPECT_EQ(r.body_sha256, expected_sha256("/64m.bin", 0, 64u << 20));
}

TEST_F(Passthrough, HeadKeepsEntityHeaders) {
  auto r = head(daemon_->port(), "/1m.bin");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.header("Content-Length"), "1048576");
  EXPECT_EQ(r.header("ETag"), expected_etag("/1m.bin", 1 << 20));
  EXPECT_TRUE(r.has_header("Last-Modified"));
  EXPECT_TRUE(r.body.empty());
}

TEST_F(Passthrough, RangeRequestsReachTheOriginAndComeBackExact) {
  auto r = get(daemon_->port(), "/1m.bin", {{"Range", "bytes=1000-1999"}});
  ASSERT_EQ(r.status, 206) << r;
  EXPECT_EQ(r.header("Content-Range"), "bytes 1000-1999/1048576");
  EXPECT_EQ(r.body, expected_bytes("/1m.bin", 1000, 1000));
}

TEST_F(Passthrough, IPv6Listener) {
  connection c("::1", daemon_->port_v6());
  ASSERT_TRUE(c.send_request("GET", "/1k.bin"));
  auto r = c.read_response();
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, expected_file("/1k.bin"));
}

TEST_F(Passthrough, PostWithContentLengthArrivesByteExact) {
  std::string body = expected_bytes("/body", 0, 3 * 1024 * 1024 + 17);
  auto r = request(daemon_->port(), "POST", "/upload?x=1", {{"Content-Type", "application/x-test"}},
                   body, 30s);
  ASSERT_EQ(r.status, 200) << r;
  auto echo = json_value::parse(r.body);
  ASSERT_TRUE(echo) << r.body;
  EXPECT_EQ((*echo)["method"].as_string(), "POST");
  EXPECT_EQ((*echo)["path"].as_string().rfind("/upload", 0), 0u);
  EXPECT_EQ((*echo)["length"].as_int(), static_cast<std::int64_t>(body.size()));
  EXPECT_EQ((*echo)["sha256"].as_string(), sha256_hex(body));
}

TEST_F(Passthrough, ChunkedPutArrivesByteExact) {
  std::string body = expected_bytes("/chunked", 0, 200000);
  connection c("127.0.0.1", daemon_->port());
  ASSERT_TRUE(c.send_raw(build_request(
      "PUT", "/put", c.authority(), {{"Transfer-Encoding", "chunked"}}, chunk_encode(body, 7000))));
  auto r = c.read_response();
  ASSERT_EQ(r.status, 200) << r;
  auto echo = json_value::parse(r.body);
  ASSERT_TRUE(echo);
  EXPECT_EQ((*echo)["method"].as_string(), "PUT");
  EXPECT_EQ((*echo)["length"].as_int(), 200000);
  EXPECT_EQ((*echo)["sha256"].as_string(), sha256_hex(body));
}

TEST_F(Passthrough, ExpectContinueIsAnsweredBeforeTheBody) {
  connection c("127.0.0.1", daemon_->port());
  std::string body(5000, 'x');
  ASSERT_TRUE(c.send_raw("POST /e HTTP/1.1\r\nHost: " + c.authority() +
                         "\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.read_available(5s, 25);
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << interim;
  ASSERT_TRUE(c.send_raw(body));
  auto r = c.read_response();
  ASSERT_EQ(r.status, 200) << r;
  auto echo = json_value::parse(r.body);
  ASSERT_TRUE(echo);
  EXPECT_EQ((*echo)["length"].as_int(), 5000);
}

TEST_F(Passthrough, OtherMethodsPassThrough) {
  for (const char* m : {"DELETE", "OPTIONS", "PATCH", "PROPFIND"}) {
    auto r = request(daemon_->port(), m, "/m", {}, m == std::string("PATCH") ? "abc" : "");
    ASSERT_EQ(r.status, 200) << m << " " << r;
    auto echo = json_value::parse(r.body);
    ASSERT_TRUE(echo) << m;
    EXPECT_EQ((*echo)["method"].as_string(), m);
  }
}

TEST_F(Passthrough, HopByHopHeadersStopAtTheProxyAndHostIsRewritten) {
  auto r = get(daemon_->port(), "/__echo_headers",
               {{"Connection", "keep-alive, X-Private"},
                {"X-Private", "secret"},
                {"Keep-Alive", "timeout=5"},
                {"TE", "trailers"},
                {"Upgrade", "h2c"},
                {"X-End-To-End", "kept"}});
  ASSERT_EQ(r.status, 200) << r;
  auto echo = json_value::parse(r.body);
  ASSERT_TRUE(echo) << r.body;
  const auto& h = (*echo)["headers"];
  auto find = [&](std::string_view name) -> std::string {
    for (const auto& [k, v] : h.as_object())
      if (iequals(k, name)) return v.as_string();
    return "<absent>";
  };
  EXPECT_EQ(find("X-Private"), "<absent>");
  EXPECT_EQ(find("Keep-Alive"), "<absent>");
  EXPECT_EQ(find("TE"), "<absent>");
  EXPECT_EQ(find("Upgrade"), "<absent>");
  EXPECT_EQ(find("X-End-To-End"), "kept");
  EXPECT_EQ(find("Host"), origin_->authority());
  EXPECT_EQ(find("Via"), "1.1 rangecache");
  EXPECT_EQ(find("X-Forwarded-For"), "127.0.0.1");
}

TEST_F(Passthrough, KeepAliveReusesClientAndOriginConnections) {
  origin_->reset();
  auto before = origin_->connections();
  connection c("127.0.0.1", daemon_->port());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.send_request("GET", "/1k.bin"));
    auto r = c.read_response();
    ASSERT_EQ(r.status, 200) << i << r;
    ASSERT_EQ(r.body.size(), 1024u);
  }
  // 20 requests through one client connection: the worker's pool reused one origin
  // connection (a second one at most, if the origin closed the first).
  EXPECT_LE(origin_->connections() - before, 2);
}

TEST_F(Passthrough, PipelinedRequestsAreAnsweredInOrder) {
  connection c("127.0.0.1", daemon_->port());
  std::string batch;
  const std::vector<std::string> targets{"/1k.bin", "/gen/10/a", "/1m.bin", "/gen/3/b"};
  for (const auto& t : targets) batch += build_request("GET", t, c.authority());
  ASSERT_TRUE(c.send_raw(batch));
  for (const auto& t : targets) {
    auto r = c.read_response();
    ASSERT_EQ(r.status, 200) << t << r;
    EXPECT_EQ(r.body, expected_file(t)) << t;
  }
}

TEST_F(Passthrough, ChunkedOriginBodyIsRelayedChunked) {
  auto r = get(daemon_->port(), "/gen/300000/c.bin?chunked=1");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_TRUE(r.chunked);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.body, expected_bytes("/gen/300000/c.bin", 0, 300000));
}

TEST_F(Passthrough, CloseDelimitedOriginBodyIsRelayedChunked) {
  auto r = get(daemon_->port(), "/gen/100000/n.bin?nolen=1");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_TRUE(r.chunked);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.body, expected_bytes("/gen/100000/n.bin", 0, 100000));
}

TEST_F(Passthrough, AccessLogHasOneLinePerRequest) {
  auto r = get(daemon_->port(), "/1k.bin?log-marker=1");
  ASSERT_EQ(r.status, 200);
  std::string line;
  ASSERT_TRUE(wait_until(
      [&] {
        auto log = daemon_->access_log();
        auto pos = log.find("/1k.bin?log-marker=1");
        // The log is written in buffer-sized pieces: wait for the whole line.
        if (pos == std::string::npos || log.find('\n', pos) == std::string::npos) return false;
        auto begin = log.rfind('\n', pos);
        line = log.substr(begin == std::string::npos ? 0 : begin + 1,
                          log.find('\n', pos) - (begin == std::string::npos ? 0 : begin + 1));
        return true;
      },
      5s));
  // time client method url status bytes duration cache upstream_status
  EXPECT_NE(line.find(" 127.0.0.1 GET http://"), std::string::npos) << line;
  EXPECT_NE(line.find(" 200 1024 "), std::string::npos) << line;
  EXPECT_NE(line.find(" MISS 200"), std::string::npos) << line;
}

TEST_F(Passthrough, AdminHealthAndMetrics) {
  ASSERT_NE(daemon_->admin_port(), 0);
  auto h = get(daemon_->admin_port(), "/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");
  auto m = get(daemon_->admin_port(), "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("rangecache_requests_total "), std::string::npos) << m.body;
}
