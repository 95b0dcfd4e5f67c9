// A parent that fails is marked down for `mark_down` on the proxy's clock: skipped (no
// connection tried) until the clock passes it, then tried again. Tests move the clock
// instead of waiting. A parent that accepts and never answers is marked down at the read
// timeout; a parent's 5xx is relayed and marks nothing.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cache_checks.hpp"
#include "pipeline.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

// A loopback port that refuses connections (bound, not listening: the kernel answers a
// SYN with a reset) or accepts them into its backlog and never answers (`listening`).
class dead_port {
 public:
  explicit dead_port(bool listening) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        (listening && ::listen(fd_, 16) != 0) ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot set up a dead port");
    port_ = ntohs(a.sin_port);
  }
  ~dead_port() { ::close(fd_); }
  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// One per-parent metric's value, -1 when the line is missing.
long long parent_metric(std::uint16_t admin, const std::string& name, const std::string& parent) {
  const auto body = get(admin, "/metrics").body;
  const auto line = "rangecache_" + name + "{parent=\"" + parent + "\"} ";
  const auto at = body.find(line);
  if (at == std::string::npos) return -1;
  return std::stoll(body.substr(at + line.size()));
}

class PipelineParents : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = std::make_unique<origin>(); }
  static void TearDownTestSuite() { origin_.reset(); }

  static daemon_options with_parent(const std::string& parent, const std::string& more = {}) {
    daemon_options o;
    o.origin_port = origin_->port();
    o.rule_extra = "    parents: { nodes: [ \"" + parent + "\" ], mark_down: 10s" + more + " }\n";
    return o;
  }

  static inline std::unique_ptr<origin> origin_;
};

TEST_F(PipelineParents, RefusingParentIsSkippedUntilMarkDownHasPassed) {
  dead_port parent(false);
  in_process_proxy proxy(with_parent(parent.address()));
  const auto admin = proxy.admin_port();
  const auto fetch = [&] {
    const auto path = unique_gen(1000);
    auto r = get(proxy.port(), path);
    EXPECT_TRUE(is_whole(r, path, 1000)) << r;  // from the origin: go_direct
    EXPECT_EQ(origin_->count(path), 1);
  };
  fetch();
  EXPECT_EQ(parent_metric(admin, "parent_requests_total", parent.address()), 1);
  EXPECT_EQ(parent_metric(admin, "parent_failures_total", parent.address()), 1);
  EXPECT_EQ(parent_metric(admin, "parent_marked_down_total", parent.address()), 1);
  EXPECT_EQ(parent_metric(admin, "parent_down", parent.address()), 1);
  fetch();
  proxy.advance(9s);
  fetch();
  EXPECT_EQ(parent_metric(admin, "parent_requests_total", parent.address()), 1)
      << "a parent marked down was tried again before mark_down passed";
  proxy.advance(2s);
  EXPECT_EQ(parent_metric(admin, "parent_down", parent.address()), 0);
  fetch();
  EXPECT_EQ(parent_metric(admin, "parent_requests_total", parent.address()), 2);
  EXPECT_EQ(parent_metric(admin, "parent_marked_down_total", parent.address()), 2);
}

TEST_F(PipelineParents, SilentParentIsMarkedDownAtTheReadTimeout) {
  dead_port parent(true);
  auto o = with_parent(parent.address());
  o.extra = "upstream: { read_timeout: 300ms }\n";
  in_process_proxy proxy(o);
  const auto path = unique_gen(1000);
  const auto start = std::chrono::steady_clock::now();
  auto r = get(proxy.port(), path);
  EXPECT_TRUE(is_whole(r, path, 1000)) << r;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(parent_metric(proxy.admin_port(), "parent_failures_total", parent.address()), 1);
  EXPECT_EQ(parent_metric(proxy.admin_port(), "parent_down", parent.address()), 1);
}

TEST_F(PipelineParents, ParentsServerErrorIsRelayedAndMarksNothing) {
  // The test origin stands in as the parent: its 503 is what a parent relays of its origin.
  const auto parent = "127.0.0.1:" + std::to_string(origin_->port());
  in_process_proxy proxy(with_parent(parent));
  for (int i = 0; i < 2; ++i) {
    auto r = get(proxy.port(), "/1k.bin?status=503&n=" + std::to_string(i));
    EXPECT_EQ(r.status, 503) << r;
  }
  EXPECT_EQ(parent_metric(proxy.admin_port(), "parent_requests_total", parent), 2);
  EXPECT_EQ(parent_metric(proxy.admin_port(), "parent_failures_total", parent), 0);
  EXPECT_EQ(parent_metric(proxy.admin_port(), "parent_down", parent), 0);
}

}  // namespace
