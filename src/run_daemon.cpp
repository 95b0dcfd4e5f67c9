#include "run_daemon.hpp"

#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <cstdio>

#include "rangecache/config/config.hpp"
#include "rangecache/proxy/server.hpp"

namespace rangecache {
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

// SIGHUP, and POST /reload on the admin listener (which raises SIGHUP): one reload, however
// it was asked for.
proxy::reload_outcome reload(proxy::server& srv, const daemon_options& o) {
  sd_notify(0, "RELOADING=1");
  proxy::reload_outcome out;
  try {
    auto next = std::make_shared<const config::config>(config::load_file(o.config_path));
    proxy::setup_error_log(*next, o.log_level);
    srv.reload(next);
    spdlog::info("reloaded {}", o.config_path);
    out = {true, "reloaded " + o.config_path};
  } catch (const std::exception& e) {
    spdlog::error("reload failed, keeping the running config: {}", e.what());
    out = {false, std::string("reload failed, the running config is kept: ") + e.what()};
  }
  sd_notify(0, "READY=1");
  return out;
}

void serve(proxy::server& srv, const daemon_options& o, sigset_t signals) {
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      auto answer = srv.begin_reload();
      answer(reload(srv, o));
      continue;
    }
    spdlog::info("signal {}: draining", sig);
    sd_notify(0, "STOPPING=1");
    srv.drain_and_stop();
    return;
  }
}

}  // namespace

int run_daemon(const daemon_options& o) {
  std::shared_ptr<const config::config> cfg;
  try {
    cfg = std::make_shared<const config::config>(config::load_file(o.config_path));
  } catch (const config::config_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  if (o.check_only) {
    std::printf("%s: OK (%zu listen addresses, %zu remap rules)\n", o.config_path.c_str(),
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
    proxy::setup_error_log(*cfg, o.log_level);
    proxy::server srv(cfg);
    // Blocked in every thread, SIGHUP reaches only the sigwait above.
    srv.set_reload_trigger([] { ::kill(::getpid(), SIGHUP); });
    srv.start(o.port_file);
    sd_notify(0, "READY=1\nSTATUS=serving");
    spdlog::info("rangecache {} started with {}", RANGECACHE_VERSION, o.config_path);
    serve(srv, o, signals);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    std::fprintf(stderr, "rangecache: %s\n", e.what());
    return 1;
  }
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace rangecache
