// `rangecache ctl` against a running daemon: purge, stats and reload through the admin
// listener, and each way it can fail, with its exit status.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

struct ctl_result {
  int exit_code = -1;
  std::string out, err;
};

ctl_result run_ctl(const std::vector<std::string>& args) {
  temp_dir dir("rc-ctl");
  std::vector<std::string> argv = {"ctl"};
  argv.insert(argv.end(), args.begin(), args.end());
  process p(rangecache_binary().string(), argv, dir.path(), {}, "ctl");
  auto status = p.wait_exit(30s);
  if (!status) p.stop(1s);
  ctl_result r;
  if (status && WIFEXITED(*status)) r.exit_code = WEXITSTATUS(*status);
  r.out = p.stdout_text();
  r.err = p.stderr_text();
  expect_no_sanitizer_report(r.err, "rangecache ctl");
  return r;
}

std::ostream& operator<<(std::ostream& os, const ctl_result& r) {
  return os << "exit " << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err;
}

std::string admin_of(const proxy_daemon& d) {
  return "127.0.0.1:" + std::to_string(d.admin_port());
}

// A loopback TCP socket of this process, bound to a port of its own; listening or not.
class loopback_socket {
 public:
  explicit loopback_socket(bool listening) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot bind a loopback socket");
    if (listening && ::listen(fd_, 8) != 0) throw std::runtime_error("cannot listen");
    port_ = ntohs(a.sin_port);
  }
  ~loopback_socket() { ::close(fd_); }
  loopback_socket(const loopback_socket&) = delete;
  loopback_socket& operator=(const loopback_socket&) = delete;
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

class Ctl : public daemon_suite<Ctl> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    o.purge_allow = "[\"127.0.0.1/32\"]";
    return o;
  }

 protected:
  static std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(daemon_->port()) + path;
  }
};

class CtlPerTest : public daemon_per_test<CtlPerTest> {};

}  // namespace

TEST_F(Ctl, PurgeRemovesTheObjectSoTheOriginIsAskedAgain) {
  const auto path = unique_gen(4096);
  EXPECT_EQ(x_cache(get(daemon_->port(), path)), "MISS");
  EXPECT_EQ(x_cache(get(daemon_->port(), path)), "HIT_FULL");
  EXPECT_EQ(origin_->count(path), 1);

  auto r = run_ctl({"--admin", admin_of(*daemon_), "purge", url(path)});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("purged 1 objects of http://127.0.0.1:"), std::string::npos) << r;

  EXPECT_EQ(x_cache(get(daemon_->port(), path)), "MISS");
  EXPECT_EQ(origin_->count(path), 2);
  // Nothing left to purge: its own status, for scripts.
  ASSERT_EQ(run_ctl({"--admin", admin_of(*daemon_), "purge", url(path)}).exit_code, 0);
  r = run_ctl({"--admin", admin_of(*daemon_), "purge", url(path)});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_NE(r.out.find("nothing cached"), std::string::npos) << r;
}

TEST_F(Ctl, PurgeOfOneRangeObject) {
  const auto path = unique_gen(5000);
  EXPECT_EQ(x_cache(range_get(path, "bytes=0-99")), "MISS");
  EXPECT_EQ(x_cache(range_get(path, "bytes=100-199")), "MISS");
  auto r = run_ctl({"--admin", admin_of(*daemon_), "purge", url(path), "--range", "0-99"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(x_cache(range_get(path, "bytes=0-99")), "MISS");
  EXPECT_EQ(x_cache(range_get(path, "bytes=100-199")), "HIT") << "only that range is purged";
  r = run_ctl({"--admin", admin_of(*daemon_), "purge", url(path), "--range", "0-1,5-6"});
  EXPECT_EQ(r.exit_code, 2) << r;
}

TEST_F(Ctl, PurgeOfWhatIsNotAUrlIsAUsageError) {
  auto r = run_ctl({"--admin", admin_of(*daemon_), "purge", "not-a-url"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_NE(r.err.find("not an http:// URL"), std::string::npos) << r;
}

TEST_F(Ctl, StatsPrintsTheCountersAndFilters) {
  EXPECT_EQ(get(daemon_->port(), "/1k.bin").status, 200);
  auto r = run_ctl({"--admin", admin_of(*daemon_), "stats"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nrangecache_requests_total +[1-9]\d*\n)")))
      << r;
  EXPECT_EQ(r.out.find('#'), std::string::npos) << "comments are left out\n" << r;
  // A name matches by what it contains.
  r = run_ctl(
      {"--admin", admin_of(*daemon_), "stats", "rangecache_requests_total", "cache_objects"});
  EXPECT_EQ(r.exit_code, 0) << r;
  for (const auto& line : {"rangecache_requests_total", "rangecache_cache_objects"})
    EXPECT_NE(r.out.find(line), std::string::npos) << r;
  EXPECT_EQ(r.out.find("rangecache_bad_requests"), std::string::npos) << r;
  r = run_ctl({"--admin", admin_of(*daemon_), "stats", "no_such_metric"});
  EXPECT_EQ(r.exit_code, 1) << r;
}

TEST_F(Ctl, AdminAddressComesFromTheConfigFile) {
  // The daemon's own file has port 0 (the tests' free port): a copy names the real one.
  temp_dir dir("rc-ctl-config");
  auto text = read_file(daemon_->config_path()).value_or("");
  const std::string any_port = "admin: { listen: \"127.0.0.1:0\"";
  ASSERT_NE(text.find(any_port), std::string::npos) << text;
  auto r = run_ctl({"-c", daemon_->config_path().string(), "stats"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_NE(r.err.find("port 0"), std::string::npos) << r;

  text.replace(text.find(any_port), any_port.size(),
               "admin: { listen: \"" + admin_of(*daemon_) + "\"");
  write_file(dir / "copy.yaml", text);
  r = run_ctl({"-c", (dir / "copy.yaml").string(), "stats", "requests_total"});
  EXPECT_EQ(r.exit_code, 0) << r;
  // -c may come after the command as well.
  r = run_ctl({"stats", "requests_total", "-c", (dir / "copy.yaml").string()});
  EXPECT_EQ(r.exit_code, 0) << r;

  write_file(dir / "none.yaml", "listen: [\"127.0.0.1:0\"]\n");
  r = run_ctl({"-c", (dir / "none.yaml").string(), "reload"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_NE(r.err.find("has no admin.listen"), std::string::npos) << r;
}

TEST_F(Ctl, RefusedPurgeHasItsOwnStatus) {
  daemon_options o = options();
  o.origin_port = origin_->port();
  o.purge_allow = "[\"::1/128\"]";  // the admin listener is on 127.0.0.1 only
  proxy_daemon d(o);
  auto r = run_ctl({"--admin", admin_of(d), "purge", "http://127.0.0.1/1k.bin"});
  EXPECT_EQ(r.exit_code, 4) << r;
  EXPECT_NE(r.err.find("refused"), std::string::npos) << r;
  EXPECT_NE(r.err.find("admin.purge_allow"), std::string::npos) << r;
}

TEST_F(CtlPerTest, ReloadAppliesTheNewConfigBeforeItAnswers) {
  daemon_options o = defaults();
  o.from = "http://*/old/";
  proxy_daemon d(o);
  EXPECT_EQ(get(d.port(), "/new/1k.bin").status, 404);
  auto text = daemon_config(o, d.dir());
  text.replace(text.find("/old/"), 5, "/new/");
  write_file(d.config_path(), text);
  auto r = run_ctl({"--admin", admin_of(d), "reload"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("reloaded " + d.config_path().string()), std::string::npos) << r;
  // No waiting: ctl answers once the reload is done.
  EXPECT_EQ(get(d.port(), "/new/1k.bin").status, 200);
  EXPECT_EQ(get(d.port(), "/old/1k.bin").status, 404);

  write_file(d.config_path(), "listen: [\"127.0.0.1:0\"]\nremap: nonsense\n");
  r = run_ctl({"--admin", admin_of(d), "reload"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_NE(r.err.find(d.config_path().string() + ":2:"), std::string::npos) << r;
  EXPECT_NE(r.err.find("running config is kept"), std::string::npos) << r;
  EXPECT_TRUE(d.proc().running());
  EXPECT_EQ(get(d.port(), "/new/1k.bin").status, 200);
}

TEST(CtlErrors, UnreachableAdminListener) {
  loopback_socket closed(false);  // bound, not listening: connections are refused
  auto r = run_ctl({"--admin", closed.address(), "stats"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_NE(r.err.find("cannot reach the admin listener at " + closed.address()), std::string::npos)
      << r;
  EXPECT_NE(r.err.find("refused"), std::string::npos) << r;
}

TEST(CtlErrors, AdminListenerThatNeverAnswers) {
  loopback_socket silent(true);  // the kernel accepts; nobody reads or answers
  auto r = run_ctl({"--admin", silent.address(), "--timeout", "0.5", "reload"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_NE(r.err.find("no answer within 0.5 s"), std::string::npos) << r;
}

TEST(CtlErrors, UsageErrors) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{},
                                               {"purge"},
                                               {"--admin", "localhost:9090", "stats"},
                                               {"--admin", "127.0.0.1", "stats"},
                                               {"--timeout", "0", "stats"},
                                               {"frobnicate"}}) {
    auto r = run_ctl(args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_FALSE(r.err.empty()) << r;
  }
}

TEST_F(Ctl, AdminEndpointsThatChangeStateTakePostOnly) {
  const auto path = unique_gen(1000);
  EXPECT_EQ(x_cache(get(daemon_->port(), path)), "MISS");
  for (const char* method : {"GET", "HEAD", "PUT"}) {
    auto r = request(daemon_->admin_port(), method, "/purge?url=" + url(path));
    EXPECT_EQ(r.status, 405) << method << " " << r;
    EXPECT_EQ(r.header("Allow").value_or(""), "POST") << r;
    r = request(daemon_->admin_port(), method, "/reload");
    EXPECT_EQ(r.status, 405) << method << " " << r;
  }
  EXPECT_EQ(x_cache(get(daemon_->port(), path)), "HIT_FULL") << "nothing was purged";
  auto r = request(daemon_->admin_port(), "POST", "/health");
  EXPECT_EQ(r.status, 405) << r;
  EXPECT_EQ(r.header("Allow").value_or(""), "GET, HEAD") << r;
  EXPECT_EQ(request(daemon_->admin_port(), "POST", "/purge").status, 400);
  EXPECT_EQ(request(daemon_->admin_port(), "POST", "/nowhere").status, 404);
}

// `ctl owner` prints what the admin listener's /owner says of the URL; a URL no rule takes
// is "nothing to do".
TEST_F(CtlPerTest, OwnerPrintsTheUrlsPlaceInTheTier) {
  daemon_options o = defaults();
  o.from = "http://*/tiered/";
  o.rule_extra = "    parents:\n      nodes: [\"127.0.0.1:1\", \"127.0.0.1:2\", \"127.0.0.1:3\"]\n";
  proxy_daemon d(o);
  const std::string target = "http://videos.test/tiered/a.mp4?x=1&y=2";
  auto r = run_ctl({"--admin", admin_of(d), "owner", target});
  EXPECT_EQ(r.exit_code, 0) << r;
  const auto page = get(d.admin_port(), "/owner?url=" + target);
  ASSERT_EQ(page.status, 200) << page;
  EXPECT_EQ(r.out, page.body);
  EXPECT_NE(r.out.find("\"owner\":\"127.0.0.1:"), std::string::npos) << r;
  EXPECT_NE(r.out.find("\"url\":\"" + target + "\""), std::string::npos) << r;
  auto none = run_ctl({"--admin", admin_of(d), "owner", "http://videos.test/elsewhere"});
  EXPECT_EQ(none.exit_code, 1) << none;
  EXPECT_NE(none.err.find("no remap rule"), std::string::npos) << none;
}
