// The daemon's network side: worker threads, listeners, admin endpoint, reload and drain.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "rangecache/config/config.hpp"
#include "rangecache/util/clock.hpp"

namespace rangecache::proxy {

// How a reload went, for whoever asked for it (POST /reload on the admin listener).
struct reload_outcome {
  bool ok = false;
  std::string message;  // "reloaded FILE", or why the running config was kept
};

class server {
 public:
  // `clock` gives the time freshness is judged at; tests pass one they can move.
  explicit server(std::shared_ptr<const config::config> cfg,
                  std::shared_ptr<const util::clock> clock = util::system_clock());
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds every listener (throws std::runtime_error naming the address on failure) and
  // starts the workers. Writes "listen ADDR PORT" / "admin ADDR PORT" lines to port_file
  // when it is not empty, once every socket is listening.
  void start(const std::string& port_file);

  // A new validated config: remap rules, timeouts and logs take effect for new requests;
  // listen addresses and worker count need a restart (logged).
  void reload(std::shared_ptr<const config::config> cfg);

  // POST /reload on the admin listener calls `trigger` (the daemon raises SIGHUP) and waits
  // for the reload it causes. Without a trigger the endpoint answers 503.
  void set_reload_trigger(std::function<void()> trigger);

  // Whoever reloads calls this before reading the file, then calls what it returns with the
  // outcome: every POST /reload waiting when it began is answered with it.
  std::function<void(const reload_outcome&)> begin_reload();

  // Stop accepting, let in-flight requests finish (up to drain_timeout), then stop.
  void drain_and_stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Builds the access logger from the config (null when access logging is off).
void setup_error_log(const config::config& cfg, const std::string& level_override);

}  // namespace rangecache::proxy
