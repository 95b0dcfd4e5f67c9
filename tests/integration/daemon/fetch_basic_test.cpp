// Background fetch (what ATS's background_fetch plugin does): a cacheable range answer
// queues ONE complete-object GET of the URL; afterwards every range is served from the
// complete object with no origin request. The oracle is the origin's own count of requests
// without Range, and the daemon's fetch log (`start URL`, `end URL bytes=N ms=N result=R`).
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

using strings = std::vector<std::string>;

std::string range_of(std::uint64_t first, std::uint64_t last) {
  return "bytes=" + std::to_string(first) + "-" + std::to_string(last);
}

class FetchBasic : public daemon_suite<FetchBasic> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.max_size = "1GiB";
    const std::string to = "    to: http://127.0.0.1:" + std::to_string(origin_->port()) + "/\n";
    // The default rule: range objects and background fetch, as in config/rangecache.yaml.
    // /bgf-only/: background fetch without range objects. /no-ua/: fetches excluded for
    // one user agent, to make a range object without fetching its URL.
    o.rule_extra =
        "    cache_range_requests: {}\n"
        "    background_fetch: true\n"
        "  - from: http://*/bgf-only/\n" +
        to +
        "    background_fetch: true\n"
        "  - from: http://*/no-ua/\n" +
        to +
        "    cache_range_requests: {}\n"
        "    background_fetch: { rules: [ { exclude: { user_agent: \"NoFetch*\" } } ] }\n";
    o.extra = "background_fetch: { log: " + fetch_log().string() + " }\n";
    return o;
  }

 protected:
  // The fixture's range_get, with 30 s to wait instead of 10.
  static response range_get(const std::string& target, const std::string& range,
                            header_list more = {}) {
    more.emplace_back("Range", range);
    return get(daemon_->port(), target, more, 30s);
  }

  // Waits for the fetch of `target` (origin-side target, query included) to end, ok.
  static ::testing::AssertionResult fetched_ok(const std::string& target,
                                               std::chrono::milliseconds timeout = 20s) {
    auto end = wait_fetch_end(fetch_log(), target, timeout);
    if (!end)
      return ::testing::AssertionFailure()
             << "no `end` line for " << target << " in the fetch log within " << timeout.count()
             << " ms; log:\n"
             << read_file(fetch_log()).value_or("<none>");
    if (end->result != "ok")
      return ::testing::AssertionFailure() << "fetch of " << target << " ended: " << end->raw;
    return ::testing::AssertionSuccess();
  }

  // A fetch of a fresh control URL that must happen: once its `end` line is there, any
  // fetch queued before it would have started too (the scheduler runs them in order and
  // max_concurrent is 4), so "no log line" then means "never fetched".
  static void control_fetch() {
    const auto path = unique_gen(20000, ".control");
    auto r = range_get(path, "bytes=0-1999");
    ASSERT_EQ(r.status, 206) << r;
    ASSERT_TRUE(fetched_ok(path));
    std::this_thread::sleep_for(100ms);
  }

  static ::testing::AssertionResult never_fetched(const std::string& target) {
    auto lines = fetch_log_for(fetch_log(), target);
    auto full = full_gets(*origin_, target);
    if (!lines.empty() || full != 0)
      return ::testing::AssertionFailure()
             << target << ": " << lines.size()
             << " fetch log lines (first: " << (lines.empty() ? "" : lines[0].raw) << "), " << full
             << " origin requests without Range";
    return ::testing::AssertionSuccess();
  }
};

}  // namespace

TEST_F(FetchBasic, OneRangeMissMakesOneFullGetThenRangesAreServedFromTheCompleteObject) {
  constexpr std::uint64_t size = 3'000'000;
  const auto path = unique_gen(size);
  auto miss = range_get(path, "bytes=1000-1999");
  EXPECT_TRUE(is_partial(miss, path, 1000, 1999, size));
  EXPECT_EQ(x_cache(miss), "MISS");

  ASSERT_TRUE(fetched_ok(path));
  auto log = fetch_log_for(fetch_log(), path);
  ASSERT_EQ(log.size(), 2u) << read_file(fetch_log()).value_or("");
  EXPECT_EQ(log[0].event, "start");
  EXPECT_EQ(log[1].event, "end");
  EXPECT_EQ(log[1].bytes, size) << log[1].raw;
  EXPECT_TRUE(log[1].raw.find(" ms=") != std::string::npos) << log[1].raw;

  // Exactly two origin requests: the client's range and one GET without Range.
  EXPECT_EQ(origin_->count(path), 2);
  EXPECT_EQ(origin_->ranges(path), strings{"bytes=1000-1999"});
  EXPECT_EQ(full_gets(*origin_, path), 1);
  EXPECT_EQ(traffic(*origin_, path).bytes, static_cast<std::int64_t>(size + 1000));

  // Any other range, and the whole object, now come from the complete object.
  for (auto [first, last] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {0, 0}, {2'000'000, 2'065'535}, {size - 100, size - 1}, {1000, 1999}}) {
    auto hit = range_get(path, range_of(first, last));
    EXPECT_TRUE(is_partial(hit, path, first, last, size)) << first;
    EXPECT_EQ(x_cache(hit), "HIT_FULL") << first << "\n" << hit;
  }
  auto suffix = range_get(path, "bytes=-500");
  EXPECT_TRUE(is_partial(suffix, path, size - 500, size - 1, size));
  auto whole = get_hashed(daemon_->port(), path, {}, 30s);
  EXPECT_EQ(whole.status, 200) << whole;
  EXPECT_EQ(whole.body_sha256, expected_sha256(path, 0, size));
  EXPECT_EQ(x_cache(whole), "HIT_FULL");
  EXPECT_EQ(origin_->count(path), 2) << "a hit went to the origin";
  EXPECT_EQ(fetch_log_for(fetch_log(), path).size(), 2u) << "fetched again";
}

TEST_F(FetchBasic, WithoutRangeObjectsTheFetchStillFillsTheCompleteObject) {
  constexpr std::uint64_t size = 500'000;
  const auto name = unique_gen(size);
  const auto path = "/bgf-only" + name;
  auto miss = range_get(path, "bytes=100-199");
  EXPECT_TRUE(is_partial(miss, name, 100, 199, size));
  ASSERT_TRUE(fetched_ok(name));
  EXPECT_EQ(full_gets(*origin_, name), 1);
  auto hit = range_get(path, "bytes=400000-400099");
  EXPECT_TRUE(is_partial(hit, name, 400000, 400099, size));
  EXPECT_EQ(x_cache(hit), "HIT_FULL") << hit;
  EXPECT_EQ(origin_->count(name), 2);
}

TEST_F(FetchBasic, AFreshRangeObjectHitWithTheCompleteObjectAbsentTriggersAFetch) {
  constexpr std::uint64_t size = 300'000;
  const auto name = unique_gen(size);
  const auto path = "/no-ua" + name;
  // Stored as a range object; the rule keeps this user agent from fetching.
  auto miss = range_get(path, "bytes=0-999", {{"User-Agent", "NoFetch/1"}});
  EXPECT_TRUE(is_partial(miss, name, 0, 999, size));
  EXPECT_EQ(x_cache(miss), "MISS");
  control_fetch();
  ASSERT_TRUE(never_fetched(name));

  // The same range for another agent: a range-object hit, which offers the URL too (the
  // complete object is still missing).
  auto hit = range_get(path, "bytes=0-999", {{"User-Agent", "Player/2"}});
  EXPECT_TRUE(is_partial(hit, name, 0, 999, size));
  EXPECT_EQ(x_cache(hit), "HIT");
  ASSERT_TRUE(fetched_ok(name));
  EXPECT_EQ(full_gets(*origin_, name), 1);
  auto other = range_get(path, "bytes=200000-200999", {{"User-Agent", "NoFetch/1"}});
  EXPECT_TRUE(is_partial(other, name, 200000, 200999, size));
  EXPECT_EQ(x_cache(other), "HIT_FULL");
  EXPECT_EQ(origin_->count(name), 2);
}

TEST_F(FetchBasic, TwoHundredConcurrentRangesOfOneColdUrl) {
  // 20 distinct 64 KiB ranges, 10 clients each, all at once. The origin waits 0.4 s before
  // every answer so that they all overlap.
  constexpr std::uint64_t size = 8u << 20;
  constexpr std::size_t clients = 200, distinct = 20;
  const auto name = unique_gen(size);
  const auto path = name + "?delay=0.4";
  auto range_for = [&](std::size_t i) {
    const std::uint64_t first = (i % distinct) * 400'000 + 17;
    return std::make_pair(first, first + 65535);
  };
  std::vector<response> responses(clients);
  const auto started = std::chrono::steady_clock::now();
  run_together(clients, [&](std::size_t i) {
    auto [first, last] = range_for(i);
    responses[i] = range_get(path, range_of(first, last));
  });
  const auto wall = std::chrono::steady_clock::now() - started;
  std::map<std::string, int> labels;
  for (std::size_t i = 0; i < clients; ++i) {
    auto [first, last] = range_for(i);
    EXPECT_TRUE(is_partial(responses[i], name, first, last, size)) << i;
    ++labels[x_cache(responses[i])];
  }
  ASSERT_TRUE(fetched_ok(path, 30s));
  std::this_thread::sleep_for(200ms);

  const auto ranges = origin_->ranges(path);
  const std::set<std::string> unique(ranges.begin(), ranges.end());
  const auto full = full_gets(*origin_, path);
  const auto t = traffic(*origin_, path);
  std::ostringstream report;
  report << "200 concurrent ranges: origin requests " << origin_->count(path) << " (" << full
         << " without Range, " << ranges.size() << " range GETs for " << unique.size()
         << " distinct ranges), origin body bytes " << t.bytes << " (object " << size
         << "), client wall " << std::chrono::duration_cast<std::chrono::milliseconds>(wall).count()
         << " ms; X-Cache:";
  for (const auto& [label, n] : labels) report << " " << label << "=" << n;
  std::cout << "[ report   ] " << report.str() << std::endl;
  RecordProperty("origin_report", report.str());

  EXPECT_EQ(full, 1) << report.str();
  EXPECT_LE(ranges.size(), distinct) << report.str();
  EXPECT_EQ(unique.size(), ranges.size()) << "a range went upstream twice: " << report.str();
  EXPECT_LE(t.bytes, static_cast<std::int64_t>(size + distinct * 65536)) << report.str();

  // Second wave, after the fetch: everything from the complete object, nothing upstream.
  const auto before = origin_->count(path);
  std::vector<response> again(clients);
  run_together(clients, [&](std::size_t i) {
    const std::uint64_t first = (i * 7919 * 64) % (size - 70000);
    again[i] = range_get(path, range_of(first, first + 65535));
  });
  int hit_full = 0;
  for (std::size_t i = 0; i < clients; ++i) {
    const std::uint64_t first = (i * 7919 * 64) % (size - 70000);
    EXPECT_TRUE(is_partial(again[i], name, first, first + 65535, size)) << i;
    hit_full += x_cache(again[i]) == "HIT_FULL";
  }
  EXPECT_EQ(hit_full, static_cast<int>(clients));
  EXPECT_EQ(origin_->count(path), before);
}

TEST_F(FetchBasic, OnlyACacheableRangeAnswerToAGetTriggers) {
  // A plain GET (it stores the complete object itself), a 200 answer to a range, an
  // uncacheable 206, a 404, a HEAD with a range, and an unsatisfiable range: no fetch.
  const auto plain = unique_gen(50000);
  EXPECT_EQ(get(daemon_->port(), plain).status, 200);
  const auto ignored = unique_gen(50000) + "?ignore_range=1";
  // (the origin's 200 is stored as the complete object and sliced: a 206)
  auto sliced = range_get(ignored, "bytes=0-99");
  EXPECT_TRUE(sliced.status == 206 || sliced.status == 200) << sliced;
  const auto no_store = unique_gen(50000) + "?cc=no-store";
  EXPECT_EQ(range_get(no_store, "bytes=0-99").status, 206);
  const auto is_private = unique_gen(50000) + "?cc=private";
  EXPECT_EQ(range_get(is_private, "bytes=0-99").status, 206);
  const auto missing = unique_gen(50000) + "?status=404";
  EXPECT_EQ(range_get(missing, "bytes=0-99").status, 404);
  const auto headed = unique_gen(50000);
  {
    connection c("127.0.0.1", daemon_->port());
    ASSERT_TRUE(c.send_request("HEAD", headed, {{"Range", "bytes=0-99"}}));
    auto r = c.read_response(true);
    EXPECT_TRUE(r.status == 206 || r.status == 200) << r;
  }
  const auto beyond = unique_gen(50000);
  EXPECT_EQ(range_get(beyond, "bytes=60000-60099").status, 416);
  control_fetch();
  // The plain GET is the client's own full GET; nothing else may reach the origin whole.
  EXPECT_EQ(fetch_log_for(fetch_log(), plain).size(), 0u);
  EXPECT_EQ(full_gets(*origin_, plain), 1);
  for (const auto& t : {ignored, no_store, is_private, missing, headed, beyond})
    EXPECT_TRUE(never_fetched(t)) << t;
}

TEST_F(FetchBasic, TheFetchMarkerFromATrustedClientTriggersNoFetch) {
  // A tier of rangecache nodes: a parent's fetch must never start a fetch of its own.
  const auto marked = unique_gen(80000);
  auto r = range_get(marked, "bytes=0-99", {{"X-Rangecache-Fetch", "1"}});
  EXPECT_TRUE(is_partial(r, marked, 0, 99, 80000));
  control_fetch();
  EXPECT_TRUE(never_fetched(marked));
  // The range object was still stored: a hit, and hits offer the URL only when unmarked.
  auto again = range_get(marked, "bytes=0-99", {{"X-Rangecache-Fetch", "1"}});
  EXPECT_EQ(x_cache(again), "HIT");
  control_fetch();
  EXPECT_TRUE(never_fetched(marked));
}

TEST_F(FetchBasic, TheTriggeringResponseIsNotSlowedByItsFetch) {
  // The complete object trickles in for ~2 s; the 1 KB range that queued it comes back at
  // once: a background fetch never delays the client that triggered it.
  constexpr std::uint64_t size = 4u << 20;
  const auto name = unique_gen(size);
  const auto path = name + "?slow=2000000";
  const auto start = std::chrono::steady_clock::now();
  auto r = range_get(path, "bytes=0-999");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(is_partial(r, name, 0, 999, size));
  EXPECT_LT(took, 300ms) << "the triggering response waited for the background fetch";
  // A range far ahead of the fetch's progress: byte-exact, whether it is read from the
  // fill once its bytes are there or fetched upstream on its own.
  const auto start2 = std::chrono::steady_clock::now();
  auto r2 = range_get(path, "bytes=3000000-3000999");
  const auto took2 = std::chrono::steady_clock::now() - start2;
  EXPECT_TRUE(is_partial(r2, name, 3000000, 3000999, size));
  std::cout << "[ report   ] range ahead of a slow fetch: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took2).count()
            << " ms, X-Cache " << x_cache(r2) << ", origin requests " << origin_->count(path)
            << std::endl;
  ASSERT_TRUE(fetched_ok(path, 20s));
  EXPECT_EQ(full_gets(*origin_, path), 1);
}
