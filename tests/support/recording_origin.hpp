#pragma once

// A tiny in-process origin on 127.0.0.1 that keeps every request head it receives, for
// tests that must see the exact headers a proxy sends (the Python test origin only counts).
// Every path is `size` bytes of the test origin's generated content for that path
// (content.hpp), so the usual byte checks apply; a single `Range: bytes=a-b` / `bytes=a-`
// gets a 206, anything else a 200. Cacheable (max-age=3600, or the Cache-Control given as
// `?cc=VALUE` in the target, taken as it is, not URL-decoded), keep-alive, HTTP/1.1.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http_client.hpp"

namespace rc_test {

class recording_origin {
 public:
  struct request {
    std::string method;
    std::string target;
    header_list headers;
    std::optional<std::string> header(std::string_view name) const;
    bool has(std::string_view name) const { return header(name).has_value(); }
  };

  explicit recording_origin(std::uint64_t size = 256 * 1024);
  ~recording_origin();
  recording_origin(const recording_origin&) = delete;
  recording_origin& operator=(const recording_origin&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint64_t size() const { return size_; }
  std::vector<request> requests() const;

 private:
  void accept_loop();
  void serve(int fd);

  std::uint64_t size_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<request> requests_;
  std::vector<int> fds_;
  std::vector<std::thread> handlers_;
  std::thread acceptor_;
};

}  // namespace rc_test
