// rangecache: parse flags, load the config, run the server until SIGTERM.
#include <signal.h>
#include <systemd/sd-daemon.h>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <cstdio>

#include "rangecache/config/config.hpp"
#include "rangecache/proxy/server.hpp"

namespace {

// Signals are taken synchronously by the main thread (sigwait), so no handler runs inside a
// worker and reload/drain happen in plain sequential code.
sigset_t blocked_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rangecache: a caching reverse proxy for byte-range requests"};
  std::string config_path = "config/rangecache.yaml";
  std::string log_level;
  std::string port_file;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "YAML configuration file")->capture_default_str();
  app.add_flag("--check", check_only, "validate the configuration and exit");
  app.add_option("-l,--log-level", log_level, "override log.level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--port-file", port_file,
                 "write the bound listen/admin ports to this file once listening");
  app.set_version_flag("--version", std::string("rangecache ") + RANGECACHE_VERSION);
  CLI11_PARSE(app, argc, argv);

  std::shared_ptr<const rangecache::config::config> cfg;
  try {
    cfg = std::make_shared<const rangecache::config::config>(
        rangecache::config::load_file(config_path));
  } catch (const rangecache::config::config_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  if (check_only) {
    std::printf("%s: OK (%zu listen addresses, %zu remap rules)\n", config_path.c_str(),
                cfg->listen.size(), cfg->remap.size());
    return 0;
  }

  sigset_t signals = blocked_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every worker thread
  ::signal(SIGPIPE, SIG_IGN);
  // A file-size limit (LimitFSIZE=) reached by the store must fail that write (EFBIG, logged
  // and counted like a full disk), not kill the daemon.
  ::signal(SIGXFSZ, SIG_IGN);

  try {
    rangecache::proxy::setup_error_log(*cfg, log_level);
    rangecache::proxy::server srv(cfg);
    srv.start(port_file);
    sd_notify(0, "READY=1\nSTATUS=serving");
    spdlog::info("rangecache {} started with {}", RANGECACHE_VERSION, config_path);
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        sd_notify(0, "RELOADING=1");
        try {
          auto next = std::make_shared<const rangecache::config::config>(
              rangecache::config::load_file(config_path));
          rangecache::proxy::setup_error_log(*next, log_level);
          srv.reload(next);
          spdlog::info("reloaded {}", config_path);
        } catch (const std::exception& e) {
          spdlog::error("reload failed, keeping the running config: {}", e.what());
        }
        sd_notify(0, "READY=1");
        continue;
      }
      spdlog::info("signal {}: draining", sig);
      sd_notify(0, "STOPPING=1");
      srv.drain_and_stop();
      break;
    }
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    std::fprintf(stderr, "rangecache: %s\n", e.what());
    return 1;
  }
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}
