// The shipped config/haproxy.cfg, run by the real HAProxy in front of three real nodes: its
// consistent URI hash keeps each URL on one node, the tier behind it fetches each object and
// each range from the origin once, and a killed node costs no failed request.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "cache_checks.hpp"
#include "tier.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path haproxy_binary = "/usr/sbin/haproxy";
const std::filesystem::path shipped_config =
    std::filesystem::path(RC_SOURCE_DIR) / "config" / "haproxy.cfg";

// A free loopback port for HAProxy, which cannot report one it picked itself.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// The shipped file with the test's addresses: the front on `port`, and server line k on
// node k of the tier (its admin port for the health check). Everything else as shipped.
std::string config_for(tier& t, std::uint16_t port) {
  std::ifstream in(shipped_config);
  std::ostringstream out;
  std::size_t server = 0;
  const std::regex server_line(R"(^(\s*server\s+\S+\s+)\S+(\s+check\s+port\s+)\d+(.*)$)");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line.find("bind :80") != std::string::npos) {
      line = "    bind 127.0.0.1:" + std::to_string(port);
    } else if (std::regex_match(line, m, server_line) && server < t.size()) {
      line = m[1].str() + t.address(server) + m[2].str() +
             std::to_string(t.node(server).admin_port()) + m[3].str();
      ++server;
    }
    out << line << "\n";
  }
  EXPECT_EQ(server, t.size()) << "the shipped file should list one server per node";
  return out.str();
}

class haproxy_front {
 public:
  explicit haproxy_front(tier& t) : dir_("rc-haproxy"), port_(free_port()) {
    const auto cfg = dir_ / "haproxy.cfg";
    write_file(cfg, config_for(t, port_));
    proc_ = std::make_unique<process>(haproxy_binary.string(),
                                      std::vector<std::string>{"-db", "-f", cfg.string()},
                                      dir_.path(), env_list{}, "haproxy");
    header_list host;
    host.emplace_back("Host", tier_host);
    const bool up = wait_until(
        [&] { return !proc_->running() || get(port_, "/__up", host, 1s).status != 0; }, 10s, 50ms);
    if (!up || !proc_->running())
      throw std::runtime_error("haproxy did not start: " + proc_->stderr_text());
  }
  ~haproxy_front() { proc_->stop(5s); }
  // A GET through the front, with a Range when `range` is not empty.
  response get_via(const std::string& target, const std::string& range = {}) {
    header_list headers;
    headers.reserve(2);
    headers.emplace_back("Host", tier_host);
    if (!range.empty()) headers.emplace_back("Range", range);
    return get(port_, target, headers);
  }

 private:
  temp_dir dir_;
  std::uint16_t port_;
  std::unique_ptr<process> proc_;
};

class TierHaproxy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(haproxy_binary))
      GTEST_SKIP() << haproxy_binary << " is not installed (scripts/install-deps.sh)";
  }
};

TEST_F(TierHaproxy, ShippedConfigIsValid) {
  temp_dir dir("rc-haproxy");
  process check(haproxy_binary.string(), {"-c", "-f", shipped_config.string()}, dir.path(),
                env_list{}, "haproxy-check");
  const auto status = check.wait_exit(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(describe_wait_status(*status), describe_wait_status(0)) << check.stderr_text();
}

TEST_F(TierHaproxy, EachObjectAndRangeReachesTheOriginOnceThroughTheFront) {
  origin o;
  tier t(o.port(), "    cache_range_requests: {}\n", "");
  t.configure_all();
  haproxy_front front(t);
  for (int i = 0; i < 10; ++i) {
    const auto path = unique_gen(30000);
    for (int round = 0; round < 3; ++round) {
      auto r = front.get_via(path);
      EXPECT_TRUE(is_whole(r, path, 30000)) << r;
      // The URI hash sends a URL to the same node every time: its cache answers.
      if (round > 0) {
        EXPECT_EQ(x_cache(r), "HIT_FULL") << path;
      }
    }
    EXPECT_EQ(o.count(path), 1) << path;
  }
  const auto path = unique_gen(30000);
  for (int round = 0; round < 3; ++round) {
    for (std::uint64_t first : {0u, 10000u, 29000u}) {
      const auto range = "bytes=" + std::to_string(first) + "-" + std::to_string(first + 999);
      auto r = front.get_via(path, range);
      EXPECT_TRUE(is_partial(r, path, first, first + 999, 30000)) << r;
    }
  }
  EXPECT_EQ(o.count(path), 3);
  EXPECT_EQ(o.ranges(path).size(), 3u);
}

TEST_F(TierHaproxy, KilledNodeCostsNoFailedRequest) {
  origin o;
  tier t(o.port(), "", "");
  t.configure_all();
  haproxy_front front(t);
  t.kill(1);
  // At once, before any health check has noticed: HAProxy's retry goes to another node, and
  // that node's parent route skips the dead one.
  for (int i = 0; i < 12; ++i) {
    const auto path = unique_gen(5000);
    for (int round = 0; round < 2; ++round) {
      auto r = front.get_via(path);
      EXPECT_TRUE(is_whole(r, path, 5000)) << r;
    }
    EXPECT_EQ(o.count(path), 1) << path;
  }
}

}  // namespace
