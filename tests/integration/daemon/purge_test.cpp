// PURGE from the real daemon: the answer, the store afterwards, the process afterwards, and
// what happens to a PURGE's body (it must never be read as the next request).
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class Purge : public daemon_suite<Purge> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    // IPv4 loopback may purge; ::1 may not, which gives the test a refused client.
    o.purge_allow = "[\"127.0.0.1/32\"]";
    return o;
  }

 protected:
  void TearDown() override {
    EXPECT_TRUE(daemon_->proc().running()) << daemon_->proc().stderr_text();
  }
};

// The smuggled request a PURGE's body carries: if the daemon ever reads it as a request of
// its own, its answer shows up on the connection.
const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

// After the answer to a PURGE with `smuggled` as its body, the connection either closes or
// stays quiet: no second answer.
::testing::AssertionResult no_second_answer(connection& c) {
  auto rest = c.read_available(500ms);
  if (rest.find("HTTP/1.1") != std::string::npos)
    return ::testing::AssertionFailure() << "the body was answered as a request: " << rest;
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST_F(Purge, StoredObjectIsPurgedAndTheDaemonKeepsServing) {
  const std::uint64_t size = 1024;
  const auto path = unique_gen(size);
  for (int round = 0; round < 3; ++round) {
    auto first = get(daemon_->port(), path);
    ASSERT_TRUE(is_whole(first, path, size));
    EXPECT_EQ(x_cache(first), "MISS");
    EXPECT_EQ(x_cache(get(daemon_->port(), path)), "HIT_FULL");
    auto purged = request(daemon_->port(), "PURGE", path);
    EXPECT_EQ(purged.status, 200) << purged;
    auto again = request(daemon_->port(), "PURGE", path);
    EXPECT_EQ(again.status, 404) << again;
    ASSERT_TRUE(daemon_->proc().running()) << daemon_->proc().stderr_text();
  }
}

TEST_F(Purge, RangeObjectPurgedByItsRange) {
  const std::uint64_t size = 5000;
  const auto path = unique_gen(size);
  auto r = get(daemon_->port(), path, {{"Range", "bytes=0-99"}});
  ASSERT_TRUE(is_partial(r, path, 0, 99, size));
  auto purged = request(daemon_->port(), "PURGE", path, {{"Range", "bytes=0-99"}});
  EXPECT_EQ(purged.status, 200) << purged;
  auto bad = request(daemon_->port(), "PURGE", path, {{"Range", "bytes=0-1,5-6"}});
  EXPECT_EQ(bad.status, 400) << bad;
}

TEST_F(Purge, RefusedPurgeBodyIsNotReadAsARequest) {
  connection c("::1", daemon_->port_v6());
  ASSERT_TRUE(c.send_request("PURGE", unique_gen(100), {}, smuggled));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 403) << r;
  EXPECT_TRUE(no_second_answer(c));
}

TEST_F(Purge, AllowedPurgeBodyIsNotReadAsARequest) {
  connection c("127.0.0.1", daemon_->port());
  ASSERT_TRUE(c.send_request("PURGE", unique_gen(100), {}, smuggled));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 404) << r;
  EXPECT_TRUE(no_second_answer(c));
}

TEST_F(Purge, ChunkedPurgeBodyIsNotReadAsARequest) {
  connection c("::1", daemon_->port_v6());
  ASSERT_TRUE(c.send_request("PURGE", unique_gen(100), {{"Transfer-Encoding", "chunked"}},
                             chunk_encode(smuggled)));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 403) << r;
  EXPECT_TRUE(no_second_answer(c));
}
