// Failures an operator must see: accept() failing for want of file descriptors, and a store
// that cannot write. Each is counted in /metrics and logged, but only now and then.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>
#include <set>
#include <thread>

#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

// The lowest descriptor number `pid` does not use: the next one it would get.
rlim_t lowest_free_fd(pid_t pid) {
  std::set<rlim_t> used;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    used.insert(std::stoul(e.path().filename().string()));
  rlim_t fd = 0;
  while (used.count(fd)) ++fd;
  return fd;
}

std::size_t lines_with(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find(needle, at)) != std::string::npos; at += needle.size())
    ++n;
  return n;
}

// Lowers the soft limit of `pid`'s resource, keeping its hard limit.
bool set_limit(pid_t pid, __rlimit_resource resource, rlim_t soft) {
  rlimit now{};
  if (::prlimit(pid, resource, nullptr, &now) != 0) return false;
  rlimit next{soft, now.rlim_max};
  return ::prlimit(pid, resource, &next, nullptr) == 0;
}

// Each test starts a daemon of its own: it lowers the daemon's limits and counts its log lines.
class OpsErrors : public daemon_per_test<OpsErrors> {};

}  // namespace

TEST_F(OpsErrors, AcceptFailuresAreCountedAndLoggedRateLimited) {
  daemon_options o = defaults();
  o.workers = 1;
  proxy_daemon d(o);
  const pid_t pid = d.proc().pid();
  rlimit saved{};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, nullptr, &saved), 0);
  // No descriptor left for a new connection: accept() fails with EMFILE while the client
  // waits in the listen backlog.
  ASSERT_TRUE(set_limit(pid, RLIMIT_NOFILE, lowest_free_fd(pid)));
  connection c("127.0.0.1", d.port());
  ASSERT_TRUE(
      wait_until([&] { return d.proc().stderr_text().find("accept") != std::string::npos; }, 10s))
      << d.proc().stderr_text();
  // The loop retries every 50 ms: about 20 failures a second to be counted, not logged.
  std::this_thread::sleep_for(1s);
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &saved, nullptr), 0);

  ASSERT_TRUE(c.send_request("GET", "/1k.bin"));
  EXPECT_EQ(c.read_response().status, 200);
  const auto errors = metric(d.admin_port(), "rangecache_accept_errors_total");
  EXPECT_GE(errors.value_or(-1), 5) << "rangecache_accept_errors_total in /metrics";
  const auto err = d.proc().stderr_text();
  EXPECT_EQ(lines_with(err, "accept"), 1u) << err;
  EXPECT_NE(err.find("Too many open files"), std::string::npos) << err;
}

TEST_F(OpsErrors, AStoreThatCannotWriteSaysSoOnceAndCountsIt) {
  daemon_options o = defaults();
  o.workers = 1;
  o.cache_extra = ", zero_copy: off";  // every body into the LMDB file, which stops growing
  proxy_daemon d(o);
  // Grow the data file first, so that the limit below stops the store and not the logs.
  ASSERT_EQ(get(d.port(), "/4m.bin").status, 200);
  ASSERT_EQ(get(d.port(), "/4m.bin").header("X-Cache"), "HIT_FULL");
  const auto data = d.dir() / "cache" / "data.mdb";
  const auto size = std::filesystem::file_size(data);
  ASSERT_GE(size, 4u << 20);
  // A file-size limit makes every write past the end fail, as a full disk does.
  ASSERT_TRUE(set_limit(d.proc().pid(), RLIMIT_FSIZE, size));

  for (int i = 0; i < 4; ++i) {
    const std::string path = "/gen/1000000/full-" + std::to_string(i) + ".bin";
    auto r = get(d.port(), path);
    ASSERT_EQ(r.status, 200) << r;  // the client is served all the same
    EXPECT_TRUE(r.body == expected_bytes(path, 0, 1000000));
  }
  ASSERT_TRUE(wait_until(
      [&] {
        return metric(d.admin_port(), "rangecache_cache_write_errors_total").value_or(0) >= 2;
      },
      10s))
      << "rangecache_cache_write_errors_total: "
      << metric(d.admin_port(), "rangecache_cache_write_errors_total").value_or(-1);
  const auto err = d.proc().stderr_text();
  EXPECT_EQ(lines_with(err, "cannot write"), 1u) << err;
  EXPECT_NE(err.find("File too large"), std::string::npos) << err;
  EXPECT_TRUE(d.proc().running());
}

// The same when bodies go to files of their own: a body file that cannot be written fails
// its fill (the client is still served), is counted and logged once, and leaves no file.
TEST_F(OpsErrors, ABodyFileThatCannotBeWrittenSaysSoOnceAndCountsIt) {
  daemon_options o = defaults();
  o.workers = 1;
  o.cache_extra = ", zero_copy: on";
  proxy_daemon d(o);
  ASSERT_EQ(get(d.port(), "/1k.bin").status, 200);
  ASSERT_TRUE(set_limit(d.proc().pid(), RLIMIT_FSIZE, 512 << 10));
  for (int i = 0; i < 4; ++i) {
    const std::string path = "/gen/1000000/file-" + std::to_string(i) + ".bin";
    auto r = get(d.port(), path);
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_TRUE(r.body == expected_bytes(path, 0, 1000000));
    // Nothing was stored. A request may still find the failing fill in flight (its writer
    // can lag behind the answer) and follow it, and is then cut when the fill fails: the
    // next one is a miss.
    response again;
    ASSERT_TRUE(wait_until(
        [&] {
          again = get(d.port(), path);
          return again.status == 200;
        },
        10s));
    EXPECT_EQ(again.header("X-Cache"), "MISS");
  }
  ASSERT_TRUE(wait_until(
      [&] {
        return metric(d.admin_port(), "rangecache_cache_write_errors_total").value_or(0) >= 2;
      },
      10s));
  const auto err = d.proc().stderr_text();
  EXPECT_EQ(lines_with(err, "cannot write"), 1u) << err;
  EXPECT_NE(err.find("File too large"), std::string::npos) << err;
  ASSERT_TRUE(wait_until(
      [&] {
        std::size_t n = 0;
        for ([[maybe_unused]] const auto& e :
             std::filesystem::directory_iterator(d.dir() / "cache" / "bodies"))
          ++n;
        return n <= 1;  // /1k.bin's, the only body written whole
      },
      10s));
  EXPECT_TRUE(d.proc().running());
}
