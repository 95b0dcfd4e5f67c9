// Routes under `parents`: the order parents are tried in, where a peer tier stops at its own
// entry, skipped down nodes, the one-hop rule and go_direct.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "rangecache/tier/route.hpp"

namespace rangecache::tier {
namespace {

config::parents_settings three(std::optional<std::size_t> self, bool go_direct = true) {
  config::parents_settings p;
  for (int i = 1; i <= 3; ++i) {
    config::parent_node n;
    n.host = "10.0.0.1" + std::to_string(i);
    n.port = 8080;
    n.text = n.host + ":8080";
    p.nodes.push_back(n);
  }
  p.self = self;
  p.go_direct = go_direct;
  return p;
}

// A key whose ring order is exactly `want`.
std::string key_with_order(const ring& r, const std::vector<std::size_t>& want) {
  for (int i = 0; i < 100000; ++i) {
    auto k = "http://h/k" + std::to_string(i);
    if (r.order(k) == want) return k;
  }
  ADD_FAILURE() << "no key found";
  return {};
}

TEST(Route, Table) {
  struct row {
    const char* what;
    std::optional<std::size_t> self;
    bool go_direct;
    std::set<std::size_t> down;
    bool from_tier;
    std::vector<std::size_t> parents;
    bool then_direct;
  };
  // Every row uses a key whose ring order is 1, 2, 0.
  const std::vector<row> table = {
      {"hierarchy, all up", std::nullopt, true, {}, false, {1, 2, 0}, true},
      {"hierarchy, owner down", std::nullopt, true, {1}, false, {2, 0}, true},
      {"hierarchy, all down, go_direct", std::nullopt, true, {0, 1, 2}, false, {}, true},
      {"hierarchy, all down, no go_direct", std::nullopt, false, {0, 1, 2}, false, {}, false},
      {"hierarchy, no go_direct", std::nullopt, false, {}, false, {1, 2, 0}, false},
      {"peer, this node owns it", 1, true, {}, false, {}, true},
      {"peer, this node is next", 2, true, {}, false, {1}, true},
      {"peer, this node is last", 0, false, {}, false, {1, 2}, true},
      {"peer, owner down: this node is next", 2, false, {1}, false, {}, true},
      {"peer, a down node is never tried", 0, true, {2}, false, {1}, true},
      {"from a tier node: never a parent", std::nullopt, false, {}, true, {}, true},
      {"from a tier node, peer", 0, true, {}, true, {}, true},
  };
  for (const auto& t : table) {
    const auto p = three(t.self, t.go_direct);
    const auto r = ring_of(p);
    const auto k = key_with_order(r, {1, 2, 0});
    const auto got =
        plan_route(p, r, k, t.from_tier, [&](std::size_t i) { return t.down.count(i) > 0; });
    EXPECT_EQ(got.parents, t.parents) << t.what;
    EXPECT_EQ(got.then_direct, t.then_direct) << t.what;
  }
}

TEST(Route, FetchesItselfOnlyWhereTheKeyEndsUp) {
  const auto none_down = [](std::size_t) { return false; };
  for (std::size_t self = 0; self < 3; ++self) {
    const auto p = three(self);
    const auto r = ring_of(p);
    const auto k = key_with_order(r, {1, 2, 0});
    EXPECT_EQ(fetches_itself(p, r, k, none_down), self == 1) << "self " << self;
    // With the owner down (as others see it), its next node takes over, and only it.
    if (self != 1) {
      EXPECT_EQ(fetches_itself(p, r, k, [](std::size_t i) { return i == 1; }), self == 2);
    }
  }
  // An edge (no self) fetches itself only when no parent is left and go_direct allows it.
  const auto edge = three(std::nullopt);
  const auto r = ring_of(edge);
  EXPECT_FALSE(fetches_itself(edge, r, "http://h/x", none_down));
  EXPECT_TRUE(fetches_itself(edge, r, "http://h/x", [](std::size_t) { return true; }));
  EXPECT_FALSE(fetches_itself(three(std::nullopt, false), r, "http://h/x",
                              [](std::size_t) { return true; }));
}

TEST(Route, UrlKeyIsHostAndTarget) {
  EXPECT_EQ(url_key("cdn.example", "/v/a.mp4?x=1"), "http://cdn.example/v/a.mp4?x=1");
  EXPECT_EQ(url_key("[::1]:8080", "/"), "http://[::1]:8080/");
}

TEST(Route, ViaNameIsSelfElseNodeName) {
  config::config cfg;
  cfg.node_name = "edge-7";
  EXPECT_EQ(via_name(three(2), cfg), "10.0.0.13:8080");
  EXPECT_EQ(via_name(three(std::nullopt), cfg), "edge-7");
}

}  // namespace
}  // namespace rangecache::tier
