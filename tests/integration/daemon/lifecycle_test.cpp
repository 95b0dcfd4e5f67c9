// Operations: --check, SIGHUP reload, SIGTERM drain, the systemd unit, flat memory.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <thread>

#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

struct run_result {
  int exit_code = -1;
  std::string out, err;
};

run_result run_rangecache(const std::vector<std::string>& args, const temp_dir& dir) {
  process p(rangecache_binary().string(), args, dir.path(), {}, "check");
  auto status = p.wait_exit(15s);
  run_result r;
  if (status && WIFEXITED(*status)) r.exit_code = WEXITSTATUS(*status);
  r.out = p.stdout_text();
  r.err = p.stderr_text();
  expect_no_sanitizer_report(r.err, "rangecache");
  return r;
}

// Each test that needs a daemon starts its own: they reload, signal and measure it.
class Lifecycle : public daemon_per_test<Lifecycle> {};

}  // namespace

TEST_F(Lifecycle, CheckAcceptsTheShippedConfig) {
  temp_dir dir;
  auto r = run_rangecache({"--check", "-c", std::string(RC_SOURCE_DIR) + "/config/rangecache.yaml"},
                          dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out;
}

TEST_F(Lifecycle, CheckReportsFileLineAndWhatWasExpected) {
  temp_dir dir;
  struct bad_case {
    std::string yaml;
    std::string where;  // ":line:" expected in the message
  };
  const std::vector<bad_case> cases{
      {"listen: [\"127.0.0.1:8080\"]\ncache: { path: /tmp/x, max_size: 10 parsecs }\n"
       "remap: [{ from: \"http://a/\", to: \"http://127.0.0.1:1/\" }]\n",
       ":2:"},
      {"listen: [\"127.0.0.1:8080\"]\nremap: [{ from: \"http://a/\", to: \"http://127.0.0.1:1/\" "
       "}]\n"
       "colour: blue\n",
       ":3:"},
      {"listen: [\"127.0.0.1:8080\"]\nremap:\n  - from: http://a/\n    to: http://127.0.0.1:1/\n"
       "    cache_range_requests: { no_modify_cachekey: true }\n",
       ":5:"},
      {"listen: [\"127.0.0.1:8080\"\n", ":"},
  };
  for (const auto& c : cases) {
    auto path = dir / "bad.yaml";
    write_file(path, c.yaml);
    auto r = run_rangecache({"--check", "-c", path.string()}, dir);
    EXPECT_NE(r.exit_code, 0) << c.yaml;
    EXPECT_NE(r.err.find("bad.yaml" + c.where), std::string::npos) << c.yaml << "\n" << r.err;
  }
  auto r = run_rangecache({"--check", "-c", (dir / "missing.yaml").string()}, dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing.yaml"), std::string::npos) << r.err;
}

TEST_F(Lifecycle, VersionAndHelp) {
  temp_dir dir;
  auto v = run_rangecache({"--version"}, dir);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("rangecache "), std::string::npos) << v.out;
  auto h = run_rangecache({"--help"}, dir);
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("--config"), std::string::npos);
}

TEST_F(Lifecycle, SighupReloadsAndABadConfigKeepsTheOldOne) {
  daemon_options o = defaults();
  o.from = "http://*/old/";
  proxy_daemon d(o);
  EXPECT_EQ(get(d.port(), "/old/1k.bin").status, 200);
  EXPECT_EQ(get(d.port(), "/new/1k.bin").status, 404);

  auto text = daemon_config(o, d.dir());
  text.replace(text.find("/old/"), 5, "/new/");
  write_file(d.config_path(), text);
  ASSERT_TRUE(d.proc().signal(SIGHUP));
  EXPECT_TRUE(wait_until([&] { return get(d.port(), "/new/1k.bin").status == 200; }, 5s));
  EXPECT_EQ(get(d.port(), "/old/1k.bin").status, 404);

  write_file(d.config_path(), "listen: [\"127.0.0.1:0\"]\nremap: nonsense\n");
  ASSERT_TRUE(d.proc().signal(SIGHUP));
  EXPECT_TRUE(wait_until(
      [&] { return d.proc().stderr_text().find("reload failed") != std::string::npos; }, 5s))
      << d.proc().stderr_text();
  EXPECT_TRUE(d.proc().running());
  EXPECT_EQ(get(d.port(), "/new/1k.bin").status, 200);
}

TEST_F(Lifecycle, SighupWarnsAboutEachSettingThatNeedsARestart) {
  daemon_options o = defaults();
  o.workers = 2;
  proxy_daemon d(o);
  daemon_options changed = o;
  changed.workers = 3;
  changed.max_size = "128MiB";
  changed.cache_path = (d.dir() / "other-cache").string();
  auto text = daemon_config(changed, d.dir());
  const std::string old_listen = "listen: [\"127.0.0.1:0\", \"[::1]:0\"]";
  ASSERT_NE(text.find(old_listen), std::string::npos) << text;
  text.replace(text.find(old_listen), old_listen.size(), "listen: [\"127.0.0.1:0\"]");
  write_file(d.config_path(), text);
  ASSERT_TRUE(d.proc().signal(SIGHUP));
  ASSERT_TRUE(
      wait_until([&] { return d.proc().stderr_text().find("reloaded") != std::string::npos; }, 5s))
      << d.proc().stderr_text();
  // One warning line naming every changed setting that only a restart applies.
  const auto err = d.proc().stderr_text();
  std::string warning;
  for (std::size_t at = 0; at < err.size();) {
    auto eol = err.find('\n', at);
    auto line = err.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
    if (line.find("restart") != std::string::npos) warning += line + "\n";
    at = eol == std::string::npos ? err.size() : eol + 1;
  }
  for (const char* setting : {"listen", "workers", "cache.path", "cache.max_size"})
    EXPECT_NE(warning.find(setting), std::string::npos) << setting << " not named in:\n" << err;
  // Still serving with what it started with.
  EXPECT_EQ(get(d.port(), "/1k.bin").status, 200);
  connection v6("::1", d.port_v6());
  ASSERT_TRUE(v6.send_request("GET", "/1k.bin"));
  EXPECT_EQ(v6.read_response().status, 200);
}

TEST_F(Lifecycle, SigtermDrainsInFlightRequestsThenExits) {
  daemon_options o = defaults();
  proxy_daemon d(o);
  // ~2.5 s of body at 400 KB/s: still in flight when SIGTERM arrives.
  connection c("127.0.0.1", d.port());
  ASSERT_TRUE(c.send_request("GET", "/1m.bin?slow=400000"));
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(d.proc().signal(SIGTERM));
  std::this_thread::sleep_for(300ms);
  // No new connections once draining.
  auto late = get(d.port(), "/1k.bin", {}, 2s);
  EXPECT_NE(late.status, 200) << late;
  auto r = c.read_response();
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_TRUE(r.complete) << r;
  EXPECT_EQ(r.body, expected_file("/1m.bin"));
  auto status = d.proc().wait_exit(10s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describe_wait_status(*status);
}

TEST_F(Lifecycle, SystemdUnitVerifies) {
  if (::system("command -v systemd-analyze >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "systemd-analyze is not installed";
  temp_dir dir;
  auto unit = read_file(std::string(RC_SOURCE_DIR) + "/config/rangecache.service");
  ASSERT_TRUE(unit);
  // Verify checks that ExecStart exists: point it at the binary we built.
  auto text = std::regex_replace(*unit, std::regex("/usr/local/bin/rangecache"),
                                 rangecache_binary().string());
  auto path = dir / "rangecache.service";
  write_file(path, text);
  process p("systemd-analyze", {"verify", path.string()}, dir.path(), {}, "verify");
  auto status = p.wait_exit(60s);
  ASSERT_TRUE(status);
  auto err = p.stderr_text();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << describe_wait_status(*status) << "\n"
      << err;
  // Only complaints about this unit count (the host's own units may be imperfect).
  EXPECT_EQ(err.find("rangecache.service:"), std::string::npos) << err;
}

TEST_F(Lifecycle, ProxyingOneGiBKeepsMemoryFlat) {
  daemon_options o = defaults();
  o.workers = 1;
  proxy_daemon d(o);
  std::atomic<bool> done{false};
  std::int64_t peak_anon = 0;
  std::thread sampler([&] {
    while (!done) {
      if (auto m = rss_kib(d.proc().pid())) peak_anon = std::max(peak_anon, m->rss_anon_kib);
      std::this_thread::sleep_for(50ms);
    }
  });
  auto r = get_hashed(d.port(), "/1g.bin", {}, 120s);
  done = true;
  sampler.join();
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body_size, 1ull << 30);
  EXPECT_EQ(r.body_sha256, expected_sha256("/1g.bin", 0, 1ull << 30));
  std::printf("[ metric ] peak RssAnon while proxying 1 GiB: %lld KiB\n",
              static_cast<long long>(peak_anon));
  if (memory_bounds_apply) {
    EXPECT_LT(peak_anon, 64 * 1024) << "anonymous RSS grew with the body";
  }
}
