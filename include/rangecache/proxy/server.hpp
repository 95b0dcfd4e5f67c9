// The daemon's network side: worker threads, listeners, admin endpoint, reload and drain.
#pragma once

#include <memory>
#include <string>

#include "rangecache/config/config.hpp"
#include "rangecache/util/clock.hpp"

namespace rangecache::proxy {

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

  // Stop accepting, let in-flight requests finish (up to drain_timeout), then stop.
  void drain_and_stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Builds the access logger from the config (null when access logging is off).
void setup_error_log(const config::config& cfg, const std::string& level_override);

}  // namespace rangecache::proxy
