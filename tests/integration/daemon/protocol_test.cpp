// Bad input gets a clear answer: 400 / 404 / 408 / 431, smuggling attempts never reach the
// origin, slow clients cannot hold a worker.
#include <gtest/gtest.h>

#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class Protocol : public daemon_suite<Protocol> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.from = "http://mapped.test/";
    o.more_rules = "  - from: http://prefix.test/gen/\n    to: http://127.0.0.1:" +
                   std::to_string(origin_->port()) + "/gen/\n";
    o.extra = "server: { header_limit: 8KiB, header_timeout: 1s, idle_timeout: 2s }\n";
    return o;
  }

 protected:
  // Sends raw bytes on a fresh connection and reads one response.
  static response raw(const std::string& bytes) {
    connection c("127.0.0.1", daemon_->port());
    EXPECT_TRUE(c.send_raw(bytes));
    auto r = c.read_response();
    // Every rejection of a malformed request closes the connection: nothing after it can be
    // trusted. (404 is a well-formed request and keeps the connection.)
    if (r.status >= 400 && r.status != 404) {
      EXPECT_TRUE(c.peer_closed(3s)) << r;
    }
    return r;
  }
};

}  // namespace

TEST_F(Protocol, MappedHostIsServed) {
  auto r = raw("GET /1k.bin HTTP/1.1\r\nHost: mapped.test\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.status, 200) << r;
}

TEST_F(Protocol, UnmappedHostOrPathIs404NeverAnOpenProxy) {
  origin_->reset();
  EXPECT_EQ(raw("GET /1k.bin HTTP/1.1\r\nHost: other.test\r\n\r\n").status, 404);
  EXPECT_EQ(raw("GET http://127.0.0.1:" + std::to_string(origin_->port()) +
                "/1k.bin HTTP/1.1\r\nHost: mapped.test\r\n\r\n")
                .status,
            404);
  EXPECT_EQ(origin_->total(), 0);
}

TEST_F(Protocol, AbsoluteFormTargetUsesItsAuthority) {
  auto r = raw("GET http://mapped.test/1k.bin HTTP/1.1\r\nHost: ignored.test\r\n\r\n");
  EXPECT_EQ(r.status, 200) << r;
}

TEST_F(Protocol, MalformedRequestsAre400) {
  EXPECT_EQ(raw("GARBAGE\r\n\r\n").status, 400);
  EXPECT_EQ(raw("GET /1k.bin HTTP/1.1\r\n\r\n").status, 400);  // no Host
  EXPECT_EQ(raw("GET /1k.bin HTTP/1.1\r\nHost: mapped.test\r\nHost: mapped.test\r\n\r\n").status,
            400);
  EXPECT_EQ(raw("GET /1k.bin HTTP/1.1\r\nHost: bad host\r\n\r\n").status, 400);
  EXPECT_EQ(raw("GET /1k.bin HTTP/1.1\r\nHost: mapped.test\r\nBad Header\r\n\r\n").status, 400);
  EXPECT_EQ(raw("CONNECT mapped.test:443 HTTP/1.1\r\nHost: mapped.test:443\r\n\r\n").status, 405);
  // Beast's parser refuses unknown versions itself (400); versions it parses get 505.
  auto v = raw("GET /1k.bin HTTP/2.0\r\nHost: mapped.test\r\n\r\n").status;
  EXPECT_TRUE(v == 400 || v == 505) << v;
}

TEST_F(Protocol, OversizedHeaderIs431) {
  std::string big(9000, 'a');
  auto r = raw("GET /1k.bin HTTP/1.1\r\nHost: mapped.test\r\nX-Big: " + big + "\r\n\r\n");
  EXPECT_EQ(r.status, 431) << r;
}

TEST_F(Protocol, SmugglingAttemptsAreRejectedAndNeverForwarded) {
  origin_->reset();
  const std::string head = "POST /upload HTTP/1.1\r\nHost: mapped.test\r\n";
  const std::vector<std::string> attacks{
      head + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      head + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
      head + "Transfer-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd",
      head + "Transfer-Encoding: gzip\r\n\r\nabcd",
      head + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
      head + "Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
      head + "Content-Length: 4, 5\r\n\r\nabcde",
      head + "X-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n",
      head + "Content-Length : 4\r\n\r\nabcd",
      head + "X-Bare: a\rb\r\nContent-Length: 0\r\n\r\n",
      "POST /upload HTTP/1.1\nHost: mapped.test\nContent-Length: 0\n\n",
      "POST /upload HTTP/1.0\r\nHost: mapped.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  };
  for (const auto& a : attacks) {
    auto r = raw(a);
    EXPECT_EQ(r.status, 400) << a << "\n" << r;
  }
  EXPECT_EQ(origin_->total(), 0) << origin_->stats_json();
}

TEST_F(Protocol, TransferCodingsOtherThanChunkedAre501AndNeverForwarded) {
  origin_->reset();
  const std::string head = "POST /upload HTTP/1.1\r\nHost: mapped.test\r\n";
  const std::string body = "3\r\nabc\r\n0\r\n\r\n";
  for (const char* te : {"Transfer-Encoding: gzip, chunked\r\n",
                         "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
                         "Transfer-Encoding: identity, chunked\r\n"}) {
    auto r = raw(head + te + "\r\n" + body);
    EXPECT_EQ(r.status, 501) << te << r;
  }
  EXPECT_EQ(origin_->total(), 0) << origin_->stats_json();
}

TEST_F(Protocol, RepeatedEqualContentLengthGoesUpstreamAsOne) {
  const std::string head = "POST /cl HTTP/1.1\r\nHost: mapped.test\r\nConnection: close\r\n";
  for (const char* cl : {"Content-Length: 3, 03\r\n", "Content-Length: 3\r\nContent-Length: 3\r\n",
                         "Content-Length: 003\r\n"}) {
    auto r = raw(head + cl + "\r\nabc");
    ASSERT_EQ(r.status, 200) << cl << r;
    auto echo = json_value::parse(r.body);
    ASSERT_TRUE(echo) << r;
    EXPECT_EQ((*echo)["length"].as_int(), 3) << cl;
    std::vector<std::string> lengths;
    for (const auto& field : (*echo)["raw_headers"].as_array())
      if (iequals(field[0].as_string(), "Content-Length")) lengths.push_back(field[1].as_string());
    EXPECT_EQ(lengths, std::vector<std::string>{"3"}) << cl << r.body;
  }
}

TEST_F(Protocol, MalformedChunkedBodyIs400AndCloses) {
  const std::string head =
      "POST /chunks HTTP/1.1\r\nHost: mapped.test\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* body :
       {"3\r\nabc\r\nzz\r\n", "3\r\nabcdef\r\n0\r\n\r\n", "3;\x01\r\nabc\r\n0\r\n\r\n"}) {
    auto r = raw(head + body);
    EXPECT_EQ(r.status, 400) << body << r;
  }
}

TEST_F(Protocol, SlowHeaderIsCutAtTheHeaderTimeout) {
  connection c("127.0.0.1", daemon_->port());
  // A slowloris client: a byte now and then, never the end of the header.
  ASSERT_TRUE(c.send_raw("GET /1k.bin HTTP/1.1\r\nHost: mapped.test\r\n"));
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    c.send_raw("X");
    closed = c.peer_closed(200ms);
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);  // header_timeout is 1 s
  // The client is told why before the connection closes.
  auto r = c.read_response();
  EXPECT_EQ(r.status, 408) << r;
}

TEST_F(Protocol, IdleKeepAliveConnectionIsClosed) {
  connection c("127.0.0.1", daemon_->port());
  ASSERT_TRUE(c.send_raw("GET /1k.bin HTTP/1.1\r\nHost: mapped.test\r\n\r\n"));
  EXPECT_EQ(c.read_response().status, 200);
  const auto answered = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.peer_closed(6s));
  // idle_timeout is 2 s; the worker's idle sweep looks every 250 ms.
  const auto idle = std::chrono::steady_clock::now() - answered;
  EXPECT_GE(idle, 1900ms);
  EXPECT_LT(idle, 3500ms);
}

TEST_F(Protocol, DotSegmentsCannotLeaveTheRulesPrefix) {
  origin_->reset();
  // The only rule is http://mapped.test/gen/ -> /gen/: resolved, these paths are outside it.
  for (const char* target : {"/gen/../1k.bin", "/gen/%2e%2e/1k.bin", "/gen/%2E%2E/1k.bin",
                             "/gen/./../1k.bin", "/gen/a/../../1k.bin"}) {
    auto r = raw(std::string("GET ") + target + " HTTP/1.1\r\nHost: prefix.test\r\n\r\n");
    EXPECT_EQ(r.status, 404) << target << "\n" << r;
  }
  EXPECT_EQ(origin_->total(), 0) << origin_->stats_json();
  // Inside the prefix once resolved: served, and the origin sees the resolved path.
  auto r =
      raw("GET /gen/x/../100/a?q=/../b HTTP/1.1\r\nHost: prefix.test\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(origin_->count("/gen/100/a?q=/../b"), 1) << origin_->stats_json();
}

TEST_F(Protocol, LeadingEmptyLinesAreIgnored) {
  auto r = raw("\r\n\r\nGET /1k.bin HTTP/1.1\r\nHost: mapped.test\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.status, 200) << r;
}

TEST_F(Protocol, Http10ClientGetsABodyItCanFrame) {
  connection c("127.0.0.1", daemon_->port());
  ASSERT_TRUE(c.send_raw("GET /gen/5000/x?chunked=1 HTTP/1.0\r\nHost: mapped.test\r\n\r\n"));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_FALSE(r.chunked);
  EXPECT_EQ(r.body, expected_bytes("/gen/5000/x", 0, 5000));
}
