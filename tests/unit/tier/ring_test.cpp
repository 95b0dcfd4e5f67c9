// Rendezvous hashing: who owns a key, the order of its fallbacks, and how few keys move when
// a node leaves or joins.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rangecache/tier/ring.hpp"

namespace rangecache::tier {
namespace {

std::vector<std::string> nodes(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back("10.0.0." + std::to_string(11 + i) + ":8080");
  return out;
}

std::string key(int i) {
  return "http://videos.example.com/v/" + std::to_string(i) + ".mp4";
}

// The owner's name, so rings over different lists can be compared.
std::string owner_name(const std::vector<std::string>& names, const std::string& k) {
  return names[ring(names).owner(k)];
}

TEST(Ring, HashIsXxh3AndStable) {
  // Nodes built from other versions must agree: the hash is pinned, not whatever the
  // standard library's std::hash happens to be.
  EXPECT_EQ(hash_text(""), 0x2d06800538d394c2ULL);
  EXPECT_EQ(hash_text("abc"), 0x78af5f94892f3950ULL);
}

TEST(Ring, PinnedOwners) {
  // If these change, a tier mixing old and new builds would disagree on every key.
  const auto n = nodes(3);
  const ring r(n);
  const std::vector<std::pair<std::string, std::size_t>> table = {
      {"http://a/1", 1}, {"http://a/2", 1}, {"http://a/3", 0},
      {"http://a/4", 2}, {"http://a/5", 1}, {"http://a/6", 0},
  };
  for (const auto& [k, owner] : table) EXPECT_EQ(r.owner(k), owner) << k;
}

TEST(Ring, OrderIsAPermutationStartingWithTheOwner) {
  for (std::size_t n : {1u, 2u, 3u, 7u}) {
    const ring r(nodes(n));
    for (int i = 0; i < 200; ++i) {
      auto order = r.order(key(i));
      ASSERT_EQ(order.size(), n);
      EXPECT_EQ(order.front(), r.owner(key(i)));
      std::sort(order.begin(), order.end());
      for (std::size_t j = 0; j < n; ++j) EXPECT_EQ(order[j], j);
    }
  }
}

TEST(Ring, OwnerDoesNotDependOnTheOrderNodesAreListed) {
  auto a = nodes(5);
  auto b = a;
  std::reverse(b.begin(), b.end());
  std::rotate(b.begin(), b.begin() + 2, b.end());
  for (int i = 0; i < 2000; ++i) EXPECT_EQ(owner_name(a, key(i)), owner_name(b, key(i)));
}

TEST(Ring, KeysSpreadEvenly) {
  for (std::size_t n : {3u, 10u}) {
    const ring r(nodes(n));
    std::vector<int> load(n, 0);
    const int keys = 30000;
    for (int i = 0; i < keys; ++i) ++load[r.owner(key(i))];
    const double mean = static_cast<double>(keys) / n;
    for (std::size_t j = 0; j < n; ++j) {
      EXPECT_GT(load[j], mean * 0.9) << "node " << j << " of " << n;
      EXPECT_LT(load[j], mean * 1.1) << "node " << j << " of " << n;
    }
  }
}

TEST(Ring, RemovingANodeMovesOnlyItsKeysToTheirNextNode) {
  for (std::size_t n : {3u, 4u, 10u}) {
    const auto all = nodes(n);
    for (std::size_t gone = 0; gone < n; ++gone) {
      auto rest = all;
      rest.erase(rest.begin() + static_cast<long>(gone));
      const ring before(all), after(rest);
      for (int i = 0; i < 3000; ++i) {
        const auto order = before.order(key(i));
        const auto now = rest[after.owner(key(i))];
        if (order[0] != gone)
          EXPECT_EQ(now, all[order[0]]) << key(i) << ": a key of a node still there moved";
        else
          EXPECT_EQ(now, all[order[1]]) << key(i) << ": not taken by its next node";
      }
    }
  }
}

TEST(Ring, AddingANodeTakesAboutOneInNPlusOneAndOnlyForItself) {
  for (std::size_t n : {3u, 9u}) {
    const auto before_names = nodes(n);
    const auto after_names = nodes(n + 1);
    const ring before(before_names), after(after_names);
    int moved = 0;
    const int keys = 20000;
    for (int i = 0; i < keys; ++i) {
      const auto was = before_names[before.owner(key(i))];
      const auto is = after_names[after.owner(key(i))];
      if (was == is) continue;
      ++moved;
      EXPECT_EQ(is, after_names.back()) << "a key moved between two old nodes";
    }
    const double share = static_cast<double>(moved) / keys;
    EXPECT_NEAR(share, 1.0 / static_cast<double>(n + 1), 0.02) << n << " nodes";
  }
}

}  // namespace
}  // namespace rangecache::tier
