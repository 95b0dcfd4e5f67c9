// Origin faults: refused → 502, stalled → 504, reset mid-body → the client connection is cut
// (a short body is never presented as whole).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

// A loopback port with nothing listening: bound, read back, closed.
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Each test starts a daemon of its own: most configure it differently.
class Faults : public daemon_per_test<Faults> {};

}  // namespace

TEST_F(Faults, RefusedOriginIs502) {
  daemon_options o;
  o.origin_port = closed_port();
  proxy_daemon d(o);
  auto r = get(d.port(), "/1k.bin");
  EXPECT_EQ(r.status, 502) << r;
  EXPECT_TRUE(r.complete);
}

TEST_F(Faults, StalledOriginIs504) {
  daemon_options o = defaults();
  o.extra = "upstream: { read_timeout: 1s }\n";
  proxy_daemon d(o);
  auto start = std::chrono::steady_clock::now();
  auto r = get(d.port(), "/1k.bin?stall=10", {}, 15s);
  EXPECT_EQ(r.status, 504) << r;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 6s);
}

TEST_F(Faults, OriginResetMidBodyCutsTheClient) {
  daemon_options o = defaults();
  proxy_daemon d(o);
  for (const char* target : {"/1m.bin?short=1000", "/1m.bin?short=300000"}) {
    connection c("127.0.0.1", d.port());
    ASSERT_TRUE(c.send_request("GET", target));
    auto r = c.read_response();
    // The head goes out with the first body piece: a reset before any of it was sent is a
    // clean 502; after that, the connection is cut. Never a short body presented as whole.
    if (r.status == 502) {
      EXPECT_TRUE(r.complete) << target << r;
    } else {
      EXPECT_EQ(r.status, 200) << target << r;
      EXPECT_FALSE(r.complete) << target << r;
    }
    EXPECT_LT(r.body.size(), 1u << 20);
  }
  // The daemon is unharmed: the next request is served whole.
  auto ok = get(d.port(), "/1m.bin");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, expected_file("/1m.bin"));
}

TEST_F(Faults, OriginResetMidChunkedBodyCutsTheClient) {
  daemon_options o = defaults();
  proxy_daemon d(o);
  connection c("127.0.0.1", d.port());
  ASSERT_TRUE(c.send_request("GET", "/1m.bin?chunked=1&short=200000"));
  auto r = c.read_response();
  EXPECT_FALSE(r.complete) << r;
}

TEST_F(Faults, SlowReadingClientIsCutAfterTheSendTimeout) {
  daemon_options o = defaults();
  o.extra = "server: { send_timeout: 1s }\n";
  proxy_daemon d(o);
  connection c("127.0.0.1", d.port());
  ASSERT_TRUE(c.send_request("GET", "/64m.bin"));
  // Read nothing: socket buffers fill, the daemon's write stalls and it must give up.
  std::this_thread::sleep_for(4s);
  auto r = c.read_response_hashed();
  EXPECT_FALSE(r.complete);
  EXPECT_LT(r.body_size, 64u << 20);
}
