// upstream.read_timeout bounds the silence between two bytes from the origin, not the time a
// 64 KiB relay buffer takes to fill: a slow but steady origin is relayed whole by each of the
// three relay loops (pass-through, cache fill, background fetch).
#include <gtest/gtest.h>

#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

// 70,000 bytes at 20,000 B/s: a piece of 1,000 bytes every 50 ms, so 64 KiB takes over 3 s
// while no gap comes near the 300 ms read timeout.
constexpr std::uint64_t body_size = 70000;
const std::string slow_query = "?slow=20000";

class UpstreamTimeout : public daemon_suite<UpstreamTimeout> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.workers = 1;
    o.rule_extra =
        "    cache_range_requests: {}\n"
        "    background_fetch: true\n";
    o.extra =
        "upstream: { read_timeout: 300ms }\nbackground_fetch: { log: " + fetch_log().string() +
        " }\n";
    return o;
  }
};

std::string path_of(const std::string& name) {
  return "/gen/" + std::to_string(body_size) + "/" + name;
}

}  // namespace

TEST_F(UpstreamTimeout, PassThroughOfASlowSteadyOriginIsComplete) {
  // A range unit other than bytes is passed through untouched (forward.cpp).
  const auto path = path_of("forward.bin");
  auto r = get(daemon_->port(), path + slow_query, {{"Range", "items=0-1"}}, 30s);
  ASSERT_EQ(r.status, 200) << r;
  ASSERT_TRUE(r.complete) << r;
  EXPECT_TRUE(r.body == expected_bytes(path, 0, body_size));
}

TEST_F(UpstreamTimeout, CacheFillOfASlowSteadyOriginIsCompleteAndStored) {
  const auto path = path_of("fill.bin");
  auto r = get(daemon_->port(), path + slow_query, {}, 30s);
  ASSERT_EQ(r.status, 200) << r;
  ASSERT_TRUE(r.complete) << r;
  EXPECT_EQ(r.header("X-Cache"), "MISS");
  EXPECT_TRUE(r.body == expected_bytes(path, 0, body_size));
  auto again = get(daemon_->port(), path + slow_query);
  EXPECT_EQ(again.header("X-Cache"), "HIT_FULL") << again;
  EXPECT_TRUE(again.body == expected_bytes(path, 0, body_size));
}

TEST_F(UpstreamTimeout, BackgroundFetchOfASlowSteadyOriginIsStored) {
  const auto path = path_of("fetch.bin");
  auto r = get(daemon_->port(), path + slow_query, {{"Range", "bytes=0-99"}}, 30s);
  ASSERT_EQ(r.status, 206) << r;
  EXPECT_TRUE(r.body == expected_bytes(path, 0, 100));
  auto end = wait_fetch_end(fetch_log(), path + slow_query, 30s);
  ASSERT_TRUE(end) << read_file(fetch_log()).value_or("<no fetch log>");
  EXPECT_EQ(end->result, "ok") << end->raw;
  EXPECT_EQ(end->bytes, body_size) << end->raw;
  auto hit = get(daemon_->port(), path + slow_query, {{"Range", "bytes=65000-65999"}});
  EXPECT_EQ(hit.header("X-Cache"), "HIT_FULL") << hit;
  EXPECT_TRUE(hit.body == expected_bytes(path, 65000, 1000));
}
