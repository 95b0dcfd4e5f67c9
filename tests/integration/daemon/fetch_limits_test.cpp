// Background-fetch limits: a bounded queue that drops and counts, at most max_concurrent
// fetches, and a failed fetch that stores nothing and is tried again only after
// retry_backoff.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

// ---------------------------------------------------------------------------------------

class FetchQueue : public daemon_suite<FetchQueue> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.max_size = "1GiB";
    o.rule_extra = "    cache_range_requests: {}\n    background_fetch: true\n";
    o.extra = "background_fetch: { max_concurrent: 1, queue_size: 1, log: " + fetch_log().string() +
              " }\n";
    return o;
  }
};

}  // namespace

TEST_F(FetchQueue, OneRunsOneWaitsTheThirdIsDroppedAndCounted) {
  // Each complete object takes about a second at 2 MB/s; its small ranges come at once.
  constexpr std::uint64_t size = 2'000'000;
  std::vector<std::string> paths;
  for (int i = 0; i < 3; ++i) paths.push_back(unique_gen(size) + "?slow=2000000");
  const auto dropped_before =
      metric(daemon_->admin_port(), "rangecache_fetch_dropped_queue_full_total");

  const auto started = std::chrono::steady_clock::now();
  for (const auto& p : paths) {
    auto r = get(daemon_->port(), p, {{"Range", "bytes=0-999"}}, 10s);
    EXPECT_EQ(r.status, 206) << r;
  }
  // The three offers came well within the first fetch's second.
  ASSERT_LT(std::chrono::steady_clock::now() - started, 900ms) << "too slow to fill the queue";
  if (dropped_before) {
    auto running = metric(daemon_->admin_port(), "rangecache_fetch_running");
    auto queued = metric(daemon_->admin_port(), "rangecache_fetch_queued");
    EXPECT_EQ(running, 1.0);
    EXPECT_EQ(queued, 1.0);
  }

  auto first = wait_fetch_end(fetch_log(), paths[0], 20s);
  ASSERT_TRUE(first) << read_file(fetch_log()).value_or("");
  EXPECT_EQ(first->result, "ok");
  auto second = wait_fetch_end(fetch_log(), paths[1], 20s);
  ASSERT_TRUE(second) << read_file(fetch_log()).value_or("");
  EXPECT_EQ(second->result, "ok");
  // One at a time: the second started after the first ended.
  auto log = read_fetch_log(fetch_log());
  std::vector<std::string> order;
  for (const auto& l : log)
    for (std::size_t i = 0; i < 2; ++i)
      if (l.url.ends_with(paths[i])) order.push_back(l.event + std::to_string(i));
  EXPECT_EQ(order, (std::vector<std::string>{"start0", "end0", "start1", "end1"}));

  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(fetch_log_for(fetch_log(), paths[2]).empty()) << read_file(fetch_log()).value_or("");
  EXPECT_EQ(full_gets(*origin_, paths[0]), 1);
  EXPECT_EQ(full_gets(*origin_, paths[1]), 1);
  EXPECT_EQ(full_gets(*origin_, paths[2]), 0);
  if (dropped_before) {
    auto dropped = metric(daemon_->admin_port(), "rangecache_fetch_dropped_queue_full_total");
    ASSERT_TRUE(dropped);
    EXPECT_EQ(*dropped - *dropped_before, 1);
  }

  // Dropped, not remembered: the next range miss of that URL offers it again.
  auto r = get(daemon_->port(), paths[2], {{"Range", "bytes=5000-5999"}}, 10s);
  EXPECT_EQ(r.status, 206) << r;
  auto third = wait_fetch_end(fetch_log(), paths[2], 20s);
  ASSERT_TRUE(third) << read_file(fetch_log()).value_or("");
  EXPECT_EQ(third->result, "ok");
  EXPECT_EQ(full_gets(*origin_, paths[2]), 1);
}

namespace {

// ---------------------------------------------------------------------------------------

class FetchFailure : public daemon_suite<FetchFailure> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.max_size = "1GiB";
    o.rule_extra = "    cache_range_requests: {}\n    background_fetch: true\n";
    o.extra = "background_fetch: { retry_backoff: 2s, log: " + fetch_log().string() + " }\n";
    return o;
  }
};

void failed_fetch_leaves_nothing_and_backs_off(origin& o, proxy_daemon& d,
                                               const std::filesystem::path& log,
                                               const std::string& name, std::uint64_t size,
                                               const std::string& query) {
  const std::string path = name + query;
  // The first 64 KiB are complete (the origin cuts only after 300000 bytes); the complete
  // object is cut mid-body.
  auto miss = get(d.port(), path, {{"Range", "bytes=0-65535"}}, 10s);
  EXPECT_TRUE(is_partial(miss, name, 0, 65535, size)) << miss;
  auto end = wait_fetch_end(log, path, 20s);
  ASSERT_TRUE(end) << read_file(log).value_or("");
  const auto failed_at = std::chrono::steady_clock::now();
  EXPECT_NE(end->result, "ok") << end->raw;
  EXPECT_LT(end->bytes.value_or(0), size) << end->raw;
  EXPECT_EQ(full_gets(o, path), 1);

  // Nothing was stored: a range inside the bytes the fetch did receive is not served from
  // a complete object.
  auto inside = get(d.port(), path, {{"Range", "bytes=100000-100999"}}, 10s);
  EXPECT_TRUE(is_partial(inside, name, 100000, 100999, size)) << inside;
  EXPECT_NE(x_cache(inside), "HIT_FULL") << inside;
  EXPECT_EQ(x_cache(inside), "MISS") << inside;
  // ... and, within the back-off, no new fetch for it (nor for a range-object hit).
  auto hit = get(d.port(), path, {{"Range", "bytes=0-65535"}}, 10s);
  EXPECT_TRUE(is_partial(hit, name, 0, 65535, size)) << hit;
  std::this_thread::sleep_for(300ms);
  ASSERT_LT(std::chrono::steady_clock::now() - failed_at, 1500ms) << "the checks were too slow";
  EXPECT_EQ(full_gets(o, path), 1) << "fetched again within retry_backoff";
  EXPECT_EQ(fetch_log_for(log, path).size(), 2u) << read_file(log).value_or("");

  // After the back-off, the next range miss fetches again.
  std::this_thread::sleep_until(failed_at + 2200ms);
  auto later = get(d.port(), path, {{"Range", "bytes=200000-200999"}}, 10s);
  EXPECT_TRUE(is_partial(later, name, 200000, 200999, size)) << later;
  EXPECT_TRUE(wait_until([&] { return full_gets(o, path) >= 2; }, 10s))
      << "no new fetch after the back-off";
  auto second = wait_fetch_end(log, path, 20s, 2);
  ASSERT_TRUE(second) << read_file(log).value_or("");
  EXPECT_NE(second->result, "ok");
  EXPECT_EQ(full_gets(o, path), 2);
}

}  // namespace

TEST_F(FetchFailure, AFetchResetMidBodyStoresNothingAndIsRetriedAfterTheBackOff) {
  constexpr std::uint64_t size = 1'000'000;
  failed_fetch_leaves_nothing_and_backs_off(*origin_, *daemon_, fetch_log(), unique_gen(size), size,
                                            "?short=300000");
}

TEST_F(FetchFailure, AFetchEndedEarlyByAFinStoresNothingAndIsRetriedAfterTheBackOff) {
  constexpr std::uint64_t size = 1'000'000;
  failed_fetch_leaves_nothing_and_backs_off(*origin_, *daemon_, fetch_log(), unique_gen(size), size,
                                            "?short=300000&fin=1");
}

TEST_F(FetchFailure, FailuresAreCounted) {
  const auto failed = metric(daemon_->admin_port(), "rangecache_fetch_failed_total");
  const auto backing = metric(daemon_->admin_port(), "rangecache_fetch_backing_off_total");
  if (!failed || !backing) GTEST_SKIP() << "no fetch failure metrics on /metrics";
  // Earlier tests in this suite may have run (or not): count from here.
  constexpr std::uint64_t size = 500'000;
  const auto path = unique_gen(size) + "?short=100000&fin=1";
  ASSERT_EQ(get(daemon_->port(), path, {{"Range", "bytes=0-999"}}).status, 206);
  ASSERT_TRUE(wait_fetch_end(fetch_log(), path, 20s));
  ASSERT_EQ(get(daemon_->port(), path, {{"Range", "bytes=1000-1999"}}).status, 206);
  EXPECT_EQ(*metric(daemon_->admin_port(), "rangecache_fetch_failed_total") - *failed, 1);
  EXPECT_GE(*metric(daemon_->admin_port(), "rangecache_fetch_backing_off_total") - *backing, 1);
}
