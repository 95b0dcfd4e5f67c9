#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "json.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace rc_test {

struct origin_options {
  std::string listen = "127.0.0.1";  // an IP literal; "::1" for IPv6
  std::vector<std::string> extra_args;
  std::chrono::milliseconds start_timeout = std::chrono::seconds(15);
};

// The test origin (tests/origin/test_origin.py) running on an ephemeral loopback port,
// with its port file, request log and stdout/stderr in a temp dir of its own. It exits
// with this process even if the test binary dies without running destructors.
class origin {
 public:
  // Throws std::runtime_error (with the origin's stderr) if it does not come up in time.
  origin() : origin(origin_options{}) {}
  explicit origin(origin_options options);
  ~origin();
  origin(const origin&) = delete;
  origin& operator=(const origin&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& host() const { return options_.listen; }
  // "127.0.0.1:PORT" or "[::1]:PORT".
  std::string authority() const;
  // "http://" + authority() + target.
  std::string url(std::string_view target = "/") const;

  // The /__stats document; throws std::runtime_error when the origin does not answer.
  std::string stats_json() const;
  json_value stats() const;
  // Requests seen for `target` exactly as sent, query included ("/1m.bin?short=10").
  std::int64_t count(std::string_view target) const;
  std::int64_t total() const;
  std::int64_t connections() const;
  // Connection faults carried out so far, by name ("extra_sent", "closed_after").
  std::int64_t events(std::string_view name) const;
  // The Range values of the requests for `target` that had one, in arrival order.
  std::vector<std::string> ranges(std::string_view target) const;
  void reset() const;
  // Moves the time in the origin's Date headers forward (POST /__clock), to keep them in
  // step with a proxy whose clock a test moves.
  void advance_clock(std::chrono::seconds by) const;

  const std::filesystem::path& log_path() const { return log_path_; }
  std::string log() const;
  const std::filesystem::path& dir() const { return dir_.path(); }
  process& proc() { return *process_; }

 private:
  std::string control(std::string_view method, std::string_view target) const;

  origin_options options_;
  temp_dir dir_;  // declared before process_: the files outlive the process
  std::filesystem::path log_path_;
  std::unique_ptr<process> process_;
  std::uint16_t port_ = 0;
};

// tests/origin/test_origin.py in the source tree.
std::filesystem::path origin_script();

}  // namespace rc_test
