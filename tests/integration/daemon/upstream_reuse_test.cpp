// A pooled origin connection is reused only when nothing came after its last answer: stray
// bytes (an origin sending more than it announced) or the origin's close poison it.
#include <gtest/gtest.h>

#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class UpstreamReuse : public daemon_suite<UpstreamReuse> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.workers = 1;  // one pool: every request meets the connection the last one left
    return o;
  }

 protected:
  // The tests share the daemon, but each counts the origin's faults from zero: a fault left
  // over from an earlier test must not pass for the one this test waits for.
  void SetUp() override {
    daemon_suite::SetUp();
    if (!HasFatalFailure()) origin_->reset();
  }

  // Waits until the origin has carried out `n` connection faults of kind `name`.
  ::testing::AssertionResult origin_did(const char* name, std::int64_t n) {
    if (wait_until([&] { return origin_->events(name) >= n; }, 10s))
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "origin: no " << name << ": " << origin_->stats_json();
  }

  // A POST, then a GET, after the poisoned connection: each gets its own answer. The POST
  // comes first: a request with a body is never retried on another connection.
  void expect_clean_answers(const std::string& tag) {
    auto p = request(daemon_->port(), "POST", "/post-" + tag, {}, "hello");
    ASSERT_EQ(p.status, 200) << p;
    EXPECT_FALSE(p.has_header("X-Stray")) << p;
    auto echo = json_value::parse(p.body);
    ASSERT_TRUE(echo) << p;
    EXPECT_EQ((*echo)["length"].as_int(), 5);
    const std::string path = "/gen/3000/" + tag + ".bin";
    auto r = get(daemon_->port(), path);
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_FALSE(r.has_header("X-Stray")) << r;
    EXPECT_TRUE(r.body == expected_bytes(path, 0, 3000)) << r;
  }
};

}  // namespace

TEST_F(UpstreamReuse, StrayBytesRightAfterAnAnswerNeverAnswerTheNextRequest) {
  auto r = get(daemon_->port(), "/gen/1000/first.bin?extra=1");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_TRUE(r.body == expected_bytes("/gen/1000/first.bin", 0, 1000));
  ASSERT_TRUE(origin_did("extra_sent", 1));
  expect_clean_answers("after-immediate");
}

TEST_F(UpstreamReuse, StrayBytesArrivingLaterNeverAnswerTheNextRequest) {
  // The connection is parked clean; the stray answer arrives while it waits in the pool.
  auto r = get(daemon_->port(), "/gen/1000/first.bin?extra=1&extra_delay=0.2");
  ASSERT_EQ(r.status, 200) << r;
  ASSERT_TRUE(origin_did("extra_sent", 1));
  expect_clean_answers("after-late");
  // The stray answer was stored under no URL.
  auto again = get(daemon_->port(), "/gen/3000/after-late.bin");
  EXPECT_TRUE(again.body == expected_bytes("/gen/3000/after-late.bin", 0, 3000)) << again;
}

TEST_F(UpstreamReuse, AConnectionTheOriginClosedIsNotReused) {
  auto r = get(daemon_->port(), "/gen/1000/first.bin?close_after=0.05");
  ASSERT_EQ(r.status, 200) << r;
  ASSERT_TRUE(origin_did("closed_after", 1));
  const auto reused_before = metric(daemon_->admin_port(), "rangecache_upstream_reused_total");
  expect_clean_answers("after-close");
  // The POST went on a fresh connection (it cannot be retried: the closed one would have
  // failed it). Only the GET may have reused one, the POST's, if that was back in the pool
  // when the GET came (the daemon parks it after the client has the POST's answer).
  const auto reused_after = metric(daemon_->admin_port(), "rangecache_upstream_reused_total");
  ASSERT_TRUE(reused_before && reused_after);
  EXPECT_LE(*reused_after, *reused_before + 1);
}
