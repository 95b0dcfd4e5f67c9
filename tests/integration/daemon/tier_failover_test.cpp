// A tier that changes under load: a killed node's keys are served by the next node on the
// ring while every other key stays where it was; a node removed by a SIGHUP reload moves
// only its own keys; and how ps_cachekey spreads the ranges of one URL where hash: url keeps
// them on one node.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "cache_checks.hpp"
#include "tier.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class TierFailover : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = std::make_unique<origin>(); }
  static void TearDownTestSuite() { origin_.reset(); }

  // For each of `count` new URLs: its ring order (node indices) as node 0 sees it.
  static std::vector<std::pair<std::string, std::vector<std::size_t>>> urls(tier& t, int count) {
    std::vector<std::pair<std::string, std::vector<std::size_t>>> out;
    for (int i = 0; i < count; ++i) {
      const auto path = unique_gen(4000);
      const auto order = t.owner(0, path)["order"];
      std::vector<std::size_t> nodes;
      for (std::size_t k = 0; k < order.size(); ++k)
        nodes.push_back(t.index_of(order[k].as_string()));
      out.emplace_back(path, nodes);
    }
    return out;
  }

  static inline std::unique_ptr<origin> origin_;
};

TEST_F(TierFailover, KilledNodesKeysGoToTheNextNodeAndNoOtherKeyMoves) {
  tier t(origin_->port(), "", "      mark_down: 60s\n");
  t.configure_all();
  const auto keys = urls(t, 30);
  // One more key of node 2 for each survivor to ask first, so that both meet the dead node
  // (a survivor that is only asked for keys the other one already fetched through it would
  // answer them from its own copy and never try node 2).
  std::vector<std::string> first_asked;
  for (int i = 0; first_asked.size() < 2 && i < 300; ++i) {
    auto path = unique_gen(4000);
    if (t.index_of(t.owner(0, path)["owner"].as_string()) == 2) first_asked.push_back(path);
  }
  ASSERT_EQ(first_asked.size(), 2u);
  t.kill(2);
  for (std::size_t n : {0u, 1u}) {
    auto r = t.get_from(n, first_asked[n]);
    EXPECT_TRUE(is_whole(r, first_asked[n], 4000)) << r;
  }
  for (const auto& [path, order] : keys) {
    // Asked of both survivors: the first to ask finds node 2 gone (connection refused),
    // marks it down and goes on to the next node at once.
    for (std::size_t n : {0u, 1u}) {
      auto r = t.get_from(n, path);
      EXPECT_TRUE(is_whole(r, path, 4000)) << r;
    }
  }
  // Then who fetched what (the access logs are written once a second: one wait for all).
  int moved = 0;
  for (const auto& [path, order] : keys) {
    EXPECT_EQ(origin_->count(path), 1) << path;
    const auto want = order[0] == 2 ? order[1] : order[0];
    moved += order[0] == 2;
    EXPECT_EQ(t.fetched_by(path), static_cast<int>(want)) << path << " owned by " << order[0];
  }
  EXPECT_GT(moved, 0) << "no key of the killed node among 30: the test proves nothing";
  // Both survivors marked it down once each and say so.
  for (std::size_t n : {0u, 1u}) {
    const auto metrics = get(t.node(n).admin_port(), "/metrics").body;
    const auto line = "rangecache_parent_marked_down_total{parent=\"" + t.address(2) + "\"} 1";
    EXPECT_NE(metrics.find(line), std::string::npos) << metrics;
    const auto down = t.owner(n, "/x")["down"];
    ASSERT_EQ(down.size(), 1u);
    EXPECT_EQ(down[0].as_string(), t.address(2));
  }
}

TEST_F(TierFailover, NodeRemovedByReloadMovesOnlyItsKeys) {
  tier t(origin_->port(), "", "");
  t.configure_all();
  const auto keys = urls(t, 40);
  // Node 2 leaves the tier: the other two are reloaded with a list without it.
  t.configure(0, {0, 1});
  t.configure(1, {0, 1});
  int moved = 0;
  for (const auto& [path, order] : keys) {
    const auto now = t.index_of(t.owner(0, path)["owner"].as_string());
    EXPECT_EQ(t.index_of(t.owner(1, path)["owner"].as_string()), now) << path;
    if (order[0] != 2) {
      EXPECT_EQ(now, order[0]) << path << ": a key of a node still in the tier moved";
    } else {
      EXPECT_EQ(now, order[1]) << path << ": not taken by its next node";
      ++moved;
    }
    for (std::size_t n : {0u, 1u}) EXPECT_TRUE(is_whole(t.get_from(n, path), path, 4000));
  }
  EXPECT_GT(moved, 0);
  for (const auto& [path, order] : keys) {
    EXPECT_EQ(origin_->count(path), 1) << path;
    const auto owner = t.index_of(t.owner(0, path)["owner"].as_string());
    EXPECT_EQ(t.fetched_by(path), static_cast<int>(owner)) << path;
  }
}

// The nodes whose access logs show origin fetches of `path`, for 12 ranges of it asked of
// node 0.
std::set<int> fetching_nodes(tier& t, const std::string& path, origin& o) {
  for (int i = 0; i < 12; ++i) {
    const auto first = i * 1000;
    auto r = t.get_from(
        0, path, {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(first + 99)}});
    EXPECT_TRUE(is_partial(r, path, first, first + 99, 20000)) << r;
  }
  EXPECT_EQ(o.count(path), 12);
  std::set<int> out;
  wait_until(
      [&] {
        int lines = 0;
        out.clear();
        for (std::size_t n = 0; n < t.size(); ++n) {
          const int here = access_lines(t.node(n), path, "origin");
          if (here) out.insert(static_cast<int>(n));
          lines += here;
        }
        return lines == 12;
      },
      5s);
  return out;
}

TEST_F(TierFailover, PsCachekeySpreadsTheRangesOfOneUrl) {
  tier t(origin_->port(), "    cache_range_requests: { ps_cachekey: true }\n", "");
  t.configure_all();
  EXPECT_EQ(t.owner(0, "/x")["hash"].as_string(), "cache_key");
  const auto path = unique_gen(20000);
  EXPECT_GE(fetching_nodes(t, path, *origin_).size(), 2u);
}

TEST_F(TierFailover, HashUrlKeepsTheRangesOfOneUrlOnOneNode) {
  tier t(origin_->port(), "    cache_range_requests: {}\n", "      hash: url\n");
  t.configure_all();
  const auto path = unique_gen(20000);
  const auto nodes = fetching_nodes(t, path, *origin_);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(*nodes.begin(), static_cast<int>(t.index_of(t.owner(0, path)["owner"].as_string())));
}

TEST_F(TierFailover, EdgeWithEveryParentDownAndNoGoDirectAnswers502AtOnce) {
  tier t(origin_->port(), "", "      go_direct: false\n", 2);
  t.configure(0, {1});  // node 0 is an edge whose one parent is node 1
  t.kill(1);
  const auto path = unique_gen(1000);
  for (int i = 0; i < 2; ++i) {  // refused, then skipped as marked down
    const auto start = std::chrono::steady_clock::now();
    auto r = t.get_from(0, path);
    EXPECT_EQ(r.status, 502) << r;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  }
  EXPECT_EQ(origin_->count(path), 0);
}

TEST_F(TierFailover, EdgeWithEveryParentDownGoesDirect) {
  tier t(origin_->port(), "", "", 2);
  t.configure(0, {1});
  t.kill(1);
  const auto path = unique_gen(1000);
  EXPECT_TRUE(is_whole(t.get_from(0, path), path, 1000));
  EXPECT_EQ(origin_->count(path), 1);
  EXPECT_EQ(t.fetched_by(path), 0);
}

}  // namespace
