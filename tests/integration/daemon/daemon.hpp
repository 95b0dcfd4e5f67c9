// The real rangecache binary on loopback, with a config written for the test, a real LMDB
// directory and its own logs, all in a temp dir of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "rc_test.hpp"

namespace rc_test {

struct daemon_options {
  std::string origin = "127.0.0.1";  // upstream IP literal
  std::uint16_t origin_port = 0;
  std::string from = "http://*/";  // the single remap rule's `from`
  std::string rule_extra;          // YAML lines added to the rule (indented 4 spaces)
  std::string more_rules;          // further remap list items ("  - from: ...")
  std::string extra;               // top-level YAML added at the end (server:, upstream:)
  unsigned workers = 2;
  std::string max_size = "256MiB";
  std::string cache_path;     // the store directory; empty: <the daemon's temp dir>/cache
  std::string cache_backend;  // cache.backend (lmdb, memory); empty: not set (lmdb)
  std::string cache_extra;    // more keys of the cache map (", heuristic_fraction: 0.5")
  std::string purge_allow;    // admin.purge_allow as a YAML list; empty: not set (no one)
  std::string access_format;  // log.access_format (line, json, combined); empty: not set
};

// The YAML the daemon is started with.
std::string daemon_config(const daemon_options& o, const std::filesystem::path& dir);

class proxy_daemon {
 public:
  explicit proxy_daemon(daemon_options options);
  ~proxy_daemon();

  std::uint16_t port() const { return port_; }        // 127.0.0.1
  std::uint16_t port_v6() const { return port_v6_; }  // ::1
  std::uint16_t admin_port() const { return admin_port_; }
  process& proc() { return *process_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path config_path() const { return dir_ / "rangecache.yaml"; }
  std::string access_log() const;

 private:
  temp_dir dir_;
  std::unique_ptr<process> process_;
  std::uint16_t port_ = 0, port_v6_ = 0, admin_port_ = 0;
};

std::filesystem::path rangecache_binary();

// Starts the daemon with the config daemon_config() writes for `options` and waits (at most
// `timeout`) for it to exit: for configurations that must be refused at start-up.
struct daemon_exit {
  bool exited = false;  // false: still running after `timeout` (then killed)
  int exit_code = -1;   // when it exited normally
  std::string config_path;
  std::string err;  // its stderr
};
daemon_exit run_daemon_to_exit(const daemon_options& options,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace rc_test
