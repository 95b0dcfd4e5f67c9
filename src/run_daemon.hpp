// Running the daemon: load the config, serve until SIGTERM, reload on SIGHUP.
#pragma once

#include <string>

namespace rangecache {

struct daemon_options {
  std::string config_path = "config/rangecache.yaml";
  std::string log_level;  // overrides log.level when set
  std::string port_file;
  bool check_only = false;
};

// The process's exit status.
int run_daemon(const daemon_options& o);

}  // namespace rangecache
