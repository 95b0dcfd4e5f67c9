// The two shapes a daemon test suite takes, as fixtures, so that no test file copies the
// setup of a test origin and a daemon in front of it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "daemon.hpp"
#include "nginx_origin.hpp"

namespace rc_test {

// One origin and one daemon in front of it for a whole test suite, the shape most daemon
// tests share. `Suite` (the derived fixture) says how the daemon is configured with a static
// `daemon_options options()` (the defaults when it has none); the origin's port is filled in
// here. When options() is called the origin is already up (a rule may name its port), and
// so is files_, a temp dir for the suite's own files such as a background-fetch log.
// `Origin` is the test origin unless the suite needs another kind (one that records request
// heads, say).
template <class Suite, class Origin = origin>
class daemon_suite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    files_ = std::make_unique<temp_dir>("rc-suite");
    origin_ = std::make_unique<Origin>();
    daemon_options o = Suite::options();
    o.origin_port = origin_->port();
    daemon_ = std::make_unique<proxy_daemon>(o);
  }
  static void TearDownTestSuite() {
    daemon_.reset();
    origin_.reset();
    files_.reset();
  }
  void SetUp() override { ASSERT_NE(daemon_, nullptr) << "the fixture did not start"; }

  static daemon_options options() { return {}; }
  // A GET of `target` from the daemon with a Range header (and the headers `more`).
  static response range_get(const std::string& target, const std::string& range,
                            header_list more = {},
                            std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    more.emplace_back("Range", range);
    return get(daemon_->port(), target, more, timeout);
  }
  // Where a daemon that logs its background fetches writes them (set in options()).
  static std::filesystem::path fetch_log() { return *files_ / "fetch.log"; }

  static inline std::unique_ptr<temp_dir> files_;
  static inline std::unique_ptr<Origin> origin_;
  static inline std::unique_ptr<proxy_daemon> daemon_;
};

// One test origin for a whole suite and a daemon of each test's own: for tests that each
// want another configuration, or a daemon they signal, limit or restart. The origin starts
// when a test first asks for it, so a test that needs none (or points the daemon at a
// closed port) does not wait for it. Its counts run on across the suite's tests, so a test
// that counts requests asks for paths of its own. `Suite` gives each suite its own origin.
template <class Suite>
class daemon_per_test : public ::testing::Test {
 protected:
  static void TearDownTestSuite() { origin_.reset(); }

  static origin& suite_origin() {
    if (!origin_) origin_ = std::make_unique<origin>();
    return *origin_;
  }
  // The default options, in front of the suite's origin.
  static daemon_options defaults() {
    daemon_options o;
    o.origin_port = suite_origin().port();
    return o;
  }
  // A daemon whose single rule has the lines `rule_extra`, with the top-level YAML `extra`.
  static std::unique_ptr<proxy_daemon> start(const std::string& rule_extra,
                                             const std::string& extra = {}) {
    daemon_options o = defaults();
    o.rule_extra = rule_extra;
    o.extra = extra;
    return std::make_unique<proxy_daemon>(o);
  }

 private:
  static inline std::unique_ptr<origin> origin_;
};

// Debian's nginx serving real files as the origin, and one daemon in front of it, for a whole
// suite (skipped when nginx is not installed). `Suite` writes its files with a static
// `void write_files(nginx_origin&)` and configures the daemon with a static
// `daemon_options options()`; the origin's port is filled in here.
template <class Suite>
class nginx_suite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!nginx_origin::available()) return;
    try {
      nginx_ = std::make_unique<nginx_origin>();
      Suite::write_files(*nginx_);
      daemon_options o = Suite::options();
      o.origin_port = nginx_->port();
      daemon_ = std::make_unique<proxy_daemon>(o);
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    daemon_.reset();
    nginx_.reset();
  }
  void SetUp() override {
    if (!nginx_origin::available()) GTEST_SKIP() << nginx_origin::binary << " is not installed";
    ASSERT_NE(daemon_, nullptr) << "the fixture did not start: " << start_error_;
  }

  static inline std::unique_ptr<nginx_origin> nginx_;
  static inline std::unique_ptr<proxy_daemon> daemon_;
  static inline std::string start_error_;
};

}  // namespace rc_test
