#pragma once

// A real nginx (Debian's /usr/sbin/nginx) as an origin: a foreground, single-process nginx
// whose config, logs, pid and temp directories all live in a temp dir of its own, serving
// static files from <dir>/www with "Cache-Control: max-age=3600".

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "process.hpp"
#include "temp_dir.hpp"

namespace rc_test {

class nginx_origin {
 public:
  static constexpr const char* binary = "/usr/sbin/nginx";
  static bool available();

  // Throws std::runtime_error (with nginx's error log) if it does not come up.
  nginx_origin();
  ~nginx_origin();
  nginx_origin(const nginx_origin&) = delete;
  nginx_origin& operator=(const nginx_origin&) = delete;

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& www() const { return www_; }

  // Writes <www>/<name> with the test origin's content for "/<name>" (expected_bytes), so
  // that the same checks work against both origins. `version` as in expected_bytes.
  void write_generated(std::string_view name, std::uint64_t size, std::string_view version = {});

  // Requests nginx logged for `uri` (path without query), any method.
  std::int64_t count(std::string_view uri) const;
  // The Range values of those requests ("-" for none), in order.
  std::vector<std::string> ranges(std::string_view uri) const;
  std::string access_log() const;
  std::string error_log() const;

 private:
  bool start_once();

  temp_dir dir_;
  std::filesystem::path www_;
  std::unique_ptr<process> process_;
  std::uint16_t port_ = 0;
};

}  // namespace rc_test
