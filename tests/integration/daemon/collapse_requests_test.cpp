// Request collapsing ("read-while-write"): concurrent misses for one cache key make ONE
// upstream request and the others are served from it; server.collapse_timeout bounds the
// wait (0 turns collapsing off). The origin waits (?delay=S) or trickles (?slow=BPS) so
// that the requests really overlap.
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

using strings = std::vector<std::string>;

std::string tally(const std::vector<response>& rs) {
  std::map<std::string, int> labels;
  for (const auto& r : rs) ++labels[x_cache(r)];
  std::string out;
  for (const auto& [label, n] : labels) out += " " + label + "=" + std::to_string(n);
  return out;
}

long long ms_since(clock_type::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t).count();
}

// A response read by hand so that the arrival of its first byte is known.
struct timed_response {
  int status = 0;
  std::string head;
  std::string body;
  bool complete = false;
  clock_type::duration first_byte{}, done{};  // since the request was sent
};

timed_response timed_get(std::uint16_t port, const std::string& target, const header_list& h,
                         std::chrono::milliseconds budget) {
  timed_response out;
  connection c("127.0.0.1", port, budget);
  const auto sent = clock_type::now();
  if (!c.send_request("GET", target, h)) return out;
  std::string data = c.read_available(budget, 1);
  if (data.empty()) return out;
  out.first_byte = clock_type::now() - sent;
  std::optional<std::size_t> length;
  while (clock_type::now() - sent < budget) {
    auto end = data.find("\r\n\r\n");
    if (end != std::string::npos && !length) {
      out.head = data.substr(0, end + 2);
      out.status = std::atoi(out.head.c_str() + 9);
      auto cl = out.head.find("Content-Length: ");
      if (cl == std::string::npos) cl = out.head.find("content-length: ");
      if (cl == std::string::npos) break;
      length = std::stoull(out.head.substr(cl + 16));
      data.erase(0, end + 4);
    }
    if (length && data.size() >= *length) break;
    // Byte by byte until the head is complete, then exactly what is still missing.
    const std::size_t want = length ? std::min<std::size_t>(*length - data.size(), 1 << 20) : 1;
    auto more = c.read_available(2000ms, want);
    if (more.empty()) break;  // closed, or nothing for 2 s
    data += more;
  }
  out.done = clock_type::now() - sent;
  if (length && data.size() == *length) {
    out.complete = true;
    out.body = std::move(data);
  }
  return out;
}

std::string x_cache_of(const timed_response& r) {
  auto at = r.head.find("X-Cache: ");
  if (at == std::string::npos) return "<none>";
  return r.head.substr(at + 9, r.head.find("\r\n", at) - at - 9);
}

// The configuration the suites here share; `extra` sets each one's collapse_timeout.
daemon_options collapse_options(std::string extra) {
  daemon_options o;
  o.max_size = "1GiB";
  o.rule_extra = "    cache_range_requests: {}\n";
  o.extra = std::move(extra);
  return o;
}

class Collapse : public daemon_suite<Collapse> {
 public:
  static daemon_options options() { return collapse_options(""); }
};

}  // namespace

TEST_F(Collapse, ConcurrentIdenticalRangeMissesMakeOneUpstreamRequest) {
  constexpr std::uint64_t size = 1u << 20;
  constexpr std::size_t n = 20;
  const auto name = unique_gen(size);
  const auto path = name + "?delay=0.5";
  std::vector<response> rs(n);
  run_together(n, [&](std::size_t i) {
    rs[i] = get(daemon_->port(), path, {{"Range", "bytes=1000-66535"}}, 20s);
  });
  for (std::size_t i = 0; i < n; ++i) EXPECT_TRUE(is_partial(rs[i], name, 1000, 66535, size)) << i;
  std::cout << "[ report   ] " << n << " identical range misses: origin requests "
            << origin_->count(path) << ", X-Cache:" << tally(rs) << std::endl;
  EXPECT_EQ(origin_->count(path), 1);
  EXPECT_EQ(origin_->ranges(path), strings{"bytes=1000-66535"});
}

TEST_F(Collapse, ConcurrentFullGetsOfAColdUrlMakeOneUpstreamGet) {
  constexpr std::uint64_t size = 2u << 20;
  constexpr std::size_t n = 20;
  const auto name = unique_gen(size);
  const auto path = name + "?delay=0.5";
  std::vector<response> rs(n);
  run_together(n, [&](std::size_t i) { rs[i] = get_hashed(daemon_->port(), path, {}, 20s); });
  const auto sha = expected_sha256(name, 0, size);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(rs[i].status, 200) << i << " " << rs[i];
    EXPECT_EQ(rs[i].body_size, size) << i;
    EXPECT_EQ(rs[i].body_sha256, sha) << i;
  }
  std::cout << "[ report   ] " << n << " identical full GETs: origin requests "
            << origin_->count(path) << ", X-Cache:" << tally(rs) << std::endl;
  EXPECT_EQ(origin_->count(path), 1);
  EXPECT_TRUE(origin_->ranges(path).empty());
}

TEST_F(Collapse, DifferentRangesDoNotWaitForEachOther) {
  constexpr std::uint64_t size = 1u << 20;
  constexpr std::size_t n = 8;
  const auto name = unique_gen(size);
  const auto path = name + "?delay=0.5";
  std::vector<response> rs(n);
  const auto start = clock_type::now();
  run_together(n, [&](std::size_t i) {
    rs[i] =
        get(daemon_->port(), path,
            {{"Range", "bytes=" + std::to_string(i * 1000) + "-" + std::to_string(i * 1000 + 999)}},
            20s);
  });
  const auto wall = ms_since(start);
  for (std::size_t i = 0; i < n; ++i)
    EXPECT_TRUE(is_partial(rs[i], name, i * 1000, i * 1000 + 999, size)) << i;
  EXPECT_EQ(origin_->count(path), static_cast<std::int64_t>(n));
  EXPECT_LT(wall, 1400) << "distinct keys were served one after another";
}

TEST_F(Collapse, RequestsAfterTheFillFindTheObject) {
  constexpr std::uint64_t size = 100'000;
  const auto name = unique_gen(size);
  const auto path = name + "?delay=0.3";
  std::vector<response> rs(10);
  run_together(10, [&](std::size_t i) {
    rs[i] = get(daemon_->port(), path, {{"Range", "bytes=0-9999"}}, 20s);
  });
  auto late = get(daemon_->port(), path, {{"Range", "bytes=0-9999"}});
  EXPECT_TRUE(is_partial(late, name, 0, 9999, size));
  EXPECT_EQ(x_cache(late), "HIT");
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(Collapse, UncacheableAnswersAreNotServedOneAtATime) {
  // The leader's answer cannot be stored: the others must not queue up behind one another
  // (each needs its own upstream request, but concurrently).
  constexpr std::size_t n = 5;
  const auto name = unique_gen(50000);
  const auto path = name + "?delay=0.5&cc=no-store";
  std::vector<response> rs(n);
  const auto start = clock_type::now();
  run_together(n, [&](std::size_t i) { rs[i] = get(daemon_->port(), path, {}, 20s); });
  const auto wall = ms_since(start);
  for (std::size_t i = 0; i < n; ++i) EXPECT_TRUE(is_whole(rs[i], name, 50000)) << i;
  EXPECT_EQ(origin_->count(path), static_cast<std::int64_t>(n));
  EXPECT_LT(wall, 1500) << "uncacheable requests were serialized behind each other";
}

TEST_F(Collapse, OneClientsNoStoreDoesNotStopCollapsingForOthers) {
  // A request's own "Cache-Control: no-store" keeps its answer out of the cache, but the
  // response is cacheable: later clients must still collapse onto one upstream request.
  constexpr std::size_t n = 5;
  const auto name = unique_gen(50000);
  const auto path = name + "?delay=0.3";
  auto first = get(daemon_->port(), path, {{"Cache-Control", "no-store"}}, 20s);
  ASSERT_TRUE(is_whole(first, name, 50000));
  EXPECT_EQ(origin_->count(path), 1);
  std::vector<response> rs(n);
  run_together(n, [&](std::size_t i) { rs[i] = get(daemon_->port(), path, {}, 20s); });
  for (std::size_t i = 0; i < n; ++i) EXPECT_TRUE(is_whole(rs[i], name, 50000)) << i;
  EXPECT_EQ(origin_->count(path), 2) << "X-Cache:" << tally(rs);
}

TEST_F(Collapse, AFollowerIsServedFromTheFillAsItsBytesArrive) {
  // The leader's complete object trickles in over ~2 s. A follower 0.5 s later for the same
  // key gets its answer head and first bytes from the fill in progress, not after it ends.
  constexpr std::uint64_t size = 8u << 20;
  const auto name = unique_gen(size);
  const auto path = name + "?slow=4000000";
  timed_response leader, follower;
  std::thread lead([&] { leader = timed_get(daemon_->port(), path, {}, 20s); });
  std::this_thread::sleep_for(500ms);
  follower = timed_get(daemon_->port(), path, {}, 20s);
  lead.join();
  ASSERT_TRUE(leader.complete) << leader.head;
  ASSERT_TRUE(follower.complete) << follower.head;
  EXPECT_EQ(leader.status, 200);
  EXPECT_EQ(follower.status, 200);
  EXPECT_EQ(sha256_hex(leader.body), expected_sha256(name, 0, size));
  EXPECT_EQ(sha256_hex(follower.body), expected_sha256(name, 0, size));
  const auto ms = [](clock_type::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::cout << "[ report   ] read-while-write: leader done " << ms(leader.done)
            << " ms; follower first byte " << ms(follower.first_byte) << " ms, done "
            << ms(follower.done) << " ms, X-Cache " << x_cache_of(follower) << std::endl;
  EXPECT_EQ(origin_->count(path), 1);
  EXPECT_LT(follower.first_byte, 700ms) << "the follower waited for the whole fill";
}

TEST_F(Collapse, ARangeInsideACompleteObjectBeingFilledIsServedFromTheFill) {
  constexpr std::uint64_t size = 8u << 20;
  const auto name = unique_gen(size);
  const auto path = name + "?slow=4000000";
  response leader;
  std::thread lead([&] { leader = get_hashed(daemon_->port(), path, {}, 20s); });
  std::this_thread::sleep_for(500ms);
  const auto start = clock_type::now();
  auto r = get(daemon_->port(), path, {{"Range", "bytes=100000-165535"}}, 20s);
  const auto took = ms_since(start);
  lead.join();
  EXPECT_EQ(leader.status, 200) << leader;
  EXPECT_EQ(leader.body_sha256, expected_sha256(name, 0, size));
  EXPECT_TRUE(is_partial(r, name, 100000, 165535, size)) << r;
  std::cout << "[ report   ] range inside a fill: " << took << " ms, X-Cache " << x_cache(r)
            << ", origin requests " << origin_->count(path) << std::endl;
  EXPECT_EQ(origin_->count(path), 1) << "the range went upstream on its own";
  EXPECT_LT(took, 700) << "the range waited for the whole fill";
}

namespace {

class CollapseOff : public daemon_suite<CollapseOff> {
 public:
  static daemon_options options() { return collapse_options("server: { collapse_timeout: 0s }\n"); }
};

}  // namespace

TEST_F(CollapseOff, EveryRangeMissGoesUpstream) {
  constexpr std::uint64_t size = 1u << 20;
  constexpr std::size_t n = 10;
  const auto name = unique_gen(size);
  const auto path = name + "?delay=0.5";
  std::vector<response> rs(n);
  run_together(n, [&](std::size_t i) {
    rs[i] = get(daemon_->port(), path, {{"Range", "bytes=0-9999"}}, 20s);
  });
  for (std::size_t i = 0; i < n; ++i) EXPECT_TRUE(is_partial(rs[i], name, 0, 9999, size)) << i;
  EXPECT_EQ(origin_->count(path), static_cast<std::int64_t>(n));
}

TEST_F(CollapseOff, EveryFullGetGoesUpstream) {
  constexpr std::uint64_t size = 200'000;
  constexpr std::size_t n = 10;
  const auto name = unique_gen(size);
  const auto path = name + "?delay=0.5";
  std::vector<response> rs(n);
  run_together(n, [&](std::size_t i) { rs[i] = get(daemon_->port(), path, {}, 20s); });
  for (std::size_t i = 0; i < n; ++i) EXPECT_TRUE(is_whole(rs[i], name, size)) << i;
  EXPECT_EQ(origin_->count(path), static_cast<std::int64_t>(n));
}

namespace {

class CollapseTimeout : public daemon_suite<CollapseTimeout> {
 public:
  static daemon_options options() {
    return collapse_options("server: { collapse_timeout: 300ms }\n");
  }
};

}  // namespace

TEST_F(CollapseTimeout, WaitersGoUpstreamThemselvesAfterTheTimeout) {
  // The leader's origin takes 2 s to answer at all; followers give up after 300 ms.
  constexpr std::uint64_t size = 100'000;
  constexpr std::size_t n = 5;
  const auto name = unique_gen(size);
  const auto path = name + "?delay=2";
  std::vector<response> rs(n);
  const auto start = clock_type::now();
  run_together(n, [&](std::size_t i) {
    rs[i] = get(daemon_->port(), path, {{"Range", "bytes=0-999"}}, 20s);
  });
  const auto wall = ms_since(start);
  for (std::size_t i = 0; i < n; ++i) EXPECT_TRUE(is_partial(rs[i], name, 0, 999, size)) << i;
  EXPECT_EQ(origin_->count(path), static_cast<std::int64_t>(n));
  EXPECT_LT(wall, 3500) << "followers waited more than collapse_timeout";
}
