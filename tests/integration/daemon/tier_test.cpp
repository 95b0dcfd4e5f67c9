// A peer tier of three real daemons (one config each, the same parents, `self` their own
// entry) in front of one origin: every node agrees on who owns a URL, each object and each
// range reaches the origin once across the tier, background fetches run on the owner only,
// and a request never travels more than one hop inside the tier.
#include <gtest/gtest.h>

#include <set>

#include "cache_checks.hpp"
#include "tier.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class Tier : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    origin_ = std::make_unique<origin>();
    tier_ = std::make_unique<tier>(origin_->port(), "    cache_range_requests: {}\n", "");
    tier_->configure_all();
  }
  static void TearDownTestSuite() {
    tier_.reset();
    origin_.reset();
  }
  void SetUp() override { ASSERT_NE(tier_, nullptr); }

  // The owner of `target` as node 0 sees it (an index).
  static std::size_t owner_of(const std::string& target) {
    return tier_->index_of(tier_->owner(0, target)["owner"].as_string());
  }

  static inline std::unique_ptr<origin> origin_;
  static inline std::unique_ptr<tier> tier_;
};

TEST_F(Tier, OwnershipIsTheSameFromEveryNode) {
  std::set<std::string> owners;
  for (int i = 0; i < 30; ++i) {
    const auto target = "/gen/1000/owner-" + std::to_string(i);
    const auto first = tier_->owner(0, target);
    ASSERT_EQ(first["order"].size(), 3u) << target;
    for (std::size_t n = 1; n < 3; ++n) {
      const auto other = tier_->owner(n, target);
      EXPECT_EQ(other["owner"].as_string(), first["owner"].as_string()) << target;
      for (std::size_t k = 0; k < 3; ++k)
        EXPECT_EQ(other["order"][k].as_string(), first["order"][k].as_string()) << target;
      EXPECT_EQ(other["self"].as_string(), tier_->address(n));
    }
    owners.insert(first["owner"].as_string());
  }
  EXPECT_EQ(owners.size(), 3u) << "30 URLs all owned by fewer than three nodes";
}

TEST_F(Tier, EachObjectReachesTheOriginOnce) {
  std::vector<std::string> paths;
  for (int i = 0; i < 12; ++i) {
    const auto path = paths.emplace_back(unique_gen(20000));
    for (std::size_t n = 0; n < 3; ++n) {
      // Every node twice: the first request from each may go to the owner, the second is a
      // hit on the node itself.
      for (int round = 0; round < 2; ++round) {
        auto r = tier_->get_from(n, path);
        EXPECT_TRUE(is_whole(r, path, 20000)) << r;
      }
    }
  }
  for (const auto& path : paths) {
    const auto owner = owner_of(path);
    EXPECT_EQ(origin_->count(path), 1) << path;
    EXPECT_EQ(tier_->fetched_by(path), static_cast<int>(owner)) << path;
    // The others went to the owner, never to the origin, and say so in their access logs.
    for (std::size_t n = 0; n < 3; ++n) {
      if (n == owner) continue;
      const auto via_owner = "parent:" + tier_->address(owner);
      EXPECT_TRUE(
          wait_until([&] { return access_lines(tier_->node(n), path, via_owner) == 1; }, 5s))
          << tier_->node(n).access_log();
      EXPECT_EQ(access_lines(tier_->node(n), path, "origin"), 0) << path;
    }
  }
}

TEST_F(Tier, EachRangeReachesTheOriginOnce) {
  const auto path = unique_gen(100000);
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges = {
      {0, 999}, {1000, 1999}, {50000, 50099}, {99000, 99999}};
  for (const auto& [first, last] : ranges) {
    const auto range = "bytes=" + std::to_string(first) + "-" + std::to_string(last);
    for (std::size_t n = 0; n < 3; ++n) {
      auto r = tier_->get_from(n, path, {{"Range", range}});
      EXPECT_TRUE(is_partial(r, path, first, last, 100000)) << range << " from node " << n;
    }
  }
  const auto asked = origin_->ranges(path);
  EXPECT_EQ(origin_->count(path), 4);
  EXPECT_EQ(std::set<std::string>(asked.begin(), asked.end()).size(), 4u);
  // hash: url: every range of one URL is fetched by the same node, its owner.
  auto& owner = tier_->node(owner_of(path));
  EXPECT_TRUE(wait_until([&] { return access_lines(owner, path, "origin") == 4; }, 5s))
      << owner.access_log();
}

TEST_F(Tier, ViaOfATierNodeIsNeverSentToAParentAgain) {
  std::vector<std::pair<std::string, std::size_t>> asked;
  for (int i = 0; i < 6; ++i) {
    const auto path = unique_gen(3000);
    const auto owner = owner_of(path);
    const auto other = (owner + 1) % 3;
    // As if the third node had forwarded it already: the node it reaches fetches it itself.
    auto r = tier_->get_from(other, path, {{"Via", "1.1 " + tier_->address((owner + 2) % 3)}});
    EXPECT_TRUE(is_whole(r, path, 3000)) << r;
    asked.emplace_back(path, other);
  }
  for (const auto& [path, other] : asked) {
    EXPECT_EQ(origin_->count(path), 1);
    EXPECT_EQ(tier_->fetched_by(path), static_cast<int>(other));
  }
}

TEST_F(Tier, ForwardedRequestsCarryOurViaAndTheClientsHost) {
  const auto path = unique_gen(2000);
  const auto owner = owner_of(path);
  const auto other = (owner + 1) % 3;
  auto r = tier_->get_from(other, path, {{"Via", "1.0 client-proxy"}});
  ASSERT_TRUE(is_whole(r, path, 2000)) << r;
  // The owner's log line names the URL the client asked for (Host tier.test): the request
  // reached it with the client's target and Host.
  EXPECT_TRUE(wait_until([&] { return access_lines(tier_->node(owner), path, "origin") == 1; }, 5s))
      << tier_->node(owner).access_log();
  const auto log = tier_->node(owner).access_log();
  EXPECT_NE(log.find("http://tier.test" + path), std::string::npos) << log;
}

// Two rules pointing at each other (node 0's parent is node 1 and node 1's is node 0, both
// edges, names unknown to each other): the request comes back to node 0 once, which finds
// itself in Via and goes to the origin. Bounded, never a loop.
TEST(TierLoop, EdgesThatAreEachOthersParentStopAfterOneRound) {
  origin o;
  tier t(o.port(), "", "");
  t.configure(0, {1});
  t.configure(1, {0});
  const auto path = unique_gen(1500);
  const auto start = std::chrono::steady_clock::now();
  auto r = t.get_from(0, path);
  EXPECT_TRUE(is_whole(r, path, 1500)) << r;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(o.count(path), 1);
  EXPECT_EQ(t.fetched_by(path), 0);
}

class TierFetch : public Tier {
 protected:
  static void SetUpTestSuite() {
    origin_ = std::make_unique<origin>();
    tier_ = std::make_unique<tier>(
        origin_->port(), "    cache_range_requests: {}\n    background_fetch: true\n", "");
    tier_->configure_all();
  }
};

TEST_F(TierFetch, BackgroundFetchRunsOnlyOnTheUrlsOwner) {
  for (int i = 0; i < 6; ++i) {
    const auto path = unique_gen(60000);
    for (std::size_t n = 0; n < 3; ++n) {
      auto r = tier_->get_from(
          n, path,
          {{"Range", "bytes=" + std::to_string(n * 100) + "-" + std::to_string(n * 100 + 99)}});
      EXPECT_EQ(r.status, 206) << r;
    }
    // One whole-object GET (no Range) for the URL across the tier, from its owner.
    const auto whole = [&] {
      return origin_->count(path) - static_cast<std::int64_t>(origin_->ranges(path).size());
    };
    ASSERT_TRUE(wait_until([&] { return whole() >= 1; }, 10s)) << path;
    const auto owner = owner_of(path);
    EXPECT_EQ(tier_->owner(0, path)["fetches"].as_string(), tier_->address(owner));
    // Once stored, more ranges from anywhere start no other fetch.
    for (std::size_t n = 0; n < 3; ++n) {
      auto r = tier_->get_from(n, path, {{"Range", "bytes=30000-30099"}});
      EXPECT_EQ(r.status, 206) << r;
    }
    EXPECT_EQ(whole(), 1) << path;
    EXPECT_LE(origin_->ranges(path).size(), 3u) << path;
  }
}

}  // namespace
