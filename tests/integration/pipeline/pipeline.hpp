// rangecache's proxy::server inside the test process, in front of the real test origin, on
// a manual clock: a test moves the proxy's time forward instead of sleeping for it to pass.
// The config is the one the daemon tests write (daemon_config), with the cache in memory
// unless a test asks for LMDB.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "daemon.hpp"
#include "rangecache/proxy/server.hpp"
#include "rangecache/util/clock.hpp"

namespace rc_test {

class in_process_proxy {
 public:
  // Loads daemon_config(options) and starts the server; throws when it cannot listen.
  explicit in_process_proxy(daemon_options options);
  // Drains and stops the server.
  ~in_process_proxy();
  in_process_proxy(const in_process_proxy&) = delete;
  in_process_proxy& operator=(const in_process_proxy&) = delete;

  std::uint16_t port() const { return port_; }  // 127.0.0.1
  std::uint16_t admin_port() const { return admin_port_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // The proxy's time; it starts at the real time (origins' Date headers are real) and
  // only ever goes forward. Move the origin's Date along (origin::advance_clock) when
  // later answers must not look that much older than the clock.
  void advance(std::chrono::seconds by) { clock_->advance(by); }
  std::int64_t now() const { return clock_->now(); }

 private:
  temp_dir dir_;
  std::shared_ptr<rangecache::util::manual_clock> clock_;
  std::unique_ptr<rangecache::proxy::server> server_;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
};

// GET with a Range header through the proxy on `port`.
response range_get(std::uint16_t port, const std::string& target, const std::string& range,
                   header_list more = {});

// The status codes the origin logged for `target`, in order.
std::vector<int> origin_statuses(const origin& o, const std::string& target);
// The same once `n` of them are there: the origin logs a request after its answer has gone
// out, so the client may hold the answer a moment before the line is written.
std::vector<int> origin_statuses(const origin& o, const std::string& target, std::size_t n);

// One test origin and one in-process proxy for a whole test suite. `Suite` (the derived
// fixture) says how the proxy is configured with a static `daemon_options options()`; the
// origin's port is filled in here.
template <class Suite>
class pipeline_suite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    origin_ = std::make_unique<origin>();
    daemon_options o = Suite::options();
    o.origin_port = origin_->port();
    proxy_ = std::make_unique<in_process_proxy>(o);
  }
  static void TearDownTestSuite() {
    proxy_.reset();
    origin_.reset();
  }
  void SetUp() override { ASSERT_NE(proxy_, nullptr) << "the fixture did not start"; }

  // Time passes for both the proxy and the origin's Date headers: a response fetched now
  // is as old to the proxy as it would be after that long a wait.
  static void advance(std::chrono::seconds by) {
    origin_->advance_clock(by);
    proxy_->advance(by);
  }

  static response range_get(const std::string& target, const std::string& range,
                            header_list more = {}) {
    return rc_test::range_get(proxy_->port(), target, range, std::move(more));
  }

  static inline std::unique_ptr<origin> origin_;
  static inline std::unique_ptr<in_process_proxy> proxy_;
};

}  // namespace rc_test
