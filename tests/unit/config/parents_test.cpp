// remap[].parents and node_name: what loads, the defaults, and each error at its line.
#include "config_test_util.hpp"

namespace rangecache::config {
namespace {

using testing::load;

// A file whose remap rules start at line 3.
std::string with_base(std::string_view rules) {
  return "listen: \"127.0.0.1:8080\"\nremap:\n" + testing::doc(rules);
}

TEST(Parents, FullRule) {
  const auto cfg = load(R"(
listen: "127.0.0.1:8080"
node_name: edge-1
remap:
  - from: http://*/
    to: http://127.0.0.1:8000/
    parents:
      nodes: [ "10.0.0.11:8080", "10.0.0.12:8080", "[FD00::13]:8080" ]
      self: "10.0.0.12:8080"
      hash: cache_key
      go_direct: false
      mark_down: 30s
)");
  ASSERT_TRUE(cfg.remap[0].parents);
  const auto& p = *cfg.remap[0].parents;
  ASSERT_EQ(p.nodes.size(), 3u);
  EXPECT_EQ(p.nodes[0].host, "10.0.0.11");
  EXPECT_EQ(p.nodes[0].port, 8080);
  EXPECT_EQ(p.nodes[0].text, "10.0.0.11:8080");
  EXPECT_EQ(p.nodes[2].host, "fd00::13");         // ready to connect to
  EXPECT_EQ(p.nodes[2].text, "[fd00::13]:8080");  // canonical: what every node hashes
  EXPECT_EQ(p.self, 1u);
  EXPECT_EQ(p.hash, parent_hash::cache_key);
  EXPECT_FALSE(p.go_direct);
  EXPECT_EQ(p.mark_down, std::chrono::seconds(30));
  EXPECT_EQ(cfg.node_name, "edge-1");
}

TEST(Parents, Defaults) {
  const auto cfg = load(R"(
listen: "127.0.0.1:8080"
remap:
  - from: http://*/
    to: http://127.0.0.1:8000/
    parents: { nodes: [ "10.0.0.11:8080" ] }
  - from: http://b/
    to: http://127.0.0.1:8000/
)");
  const auto& p = *cfg.remap[0].parents;
  EXPECT_FALSE(p.self);  // a hierarchy
  EXPECT_EQ(p.hash, parent_hash::url);
  EXPECT_TRUE(p.go_direct);
  EXPECT_EQ(p.mark_down, std::chrono::seconds(10));
  EXPECT_FALSE(cfg.remap[1].parents);
  EXPECT_FALSE(cfg.node_name.empty());  // the host name
}

TEST(Parents, PsCachekeyMeansHashCacheKey) {
  struct row {
    const char* crr;
    const char* hash;
    parent_hash want;
  };
  const row table[] = {
      {"{ ps_cachekey: true }", "", parent_hash::cache_key},
      {"{ ps_cachekey: true }", "hash: cache_key, ", parent_hash::cache_key},
      {"{ ps_cachekey: false }", "", parent_hash::url},
      {"{}", "hash: cache_key, ", parent_hash::cache_key},
      {"false", "", parent_hash::url},
  };
  for (const auto& t : table) {
    const auto cfg = load(with_base(std::string(R"(
  - from: http://c/
    to: http://127.0.0.1:8000/
    cache_range_requests: )") + t.crr +
                                    R"(
    parents: { )" + t.hash + R"(nodes: [ "10.0.0.11:8080" ] }
)"));
    EXPECT_EQ(cfg.remap.back().parents->hash, t.want) << t.crr << " " << t.hash;
  }
}

TEST(Parents, Errors) {
  struct row {
    const char* parents;
    const char* fragment;
  };
  const row table[] = {
      {"{ self: \"10.0.0.11:8080\" }", "nodes: missing"},
      {"{ nodes: [] }", "a list of at least one node"},
      {"{ nodes: \"10.0.0.11:8080\" }", "a list of at least one node"},
      {"{ nodes: [ \"10.0.0.11\" ] }", "host:port"},
      {"{ nodes: [ \"10.0.0.11:0\" ] }", "1-65535"},
      {"{ nodes: [ \"fd00::1:8080\" ] }", "host:port"},
      {"{ nodes: [ \"a b:80\" ] }", "host:port"},
      {"{ nodes: [ \"10.0.0.11:8080\", \"10.0.0.11:8080\" ] }", "listed twice"},
      {"{ nodes: [ \"A:80\", \"a:80\" ] }", "listed twice"},
      {"{ nodes: [ \"10.0.0.11:8080\" ], self: \"10.0.0.12:8080\" }", "is not one of nodes"},
      {"{ nodes: [ \"10.0.0.11:8080\" ], hash: host }", "url or cache_key"},
      {"{ nodes: [ \"10.0.0.11:8080\" ], go_direct: maybe }", "go_direct"},
      {"{ nodes: [ \"10.0.0.11:8080\" ], mark_down: 1500ms }", "whole seconds"},
      {"{ nodes: [ \"10.0.0.11:8080\" ], mark_down: soon }", "a duration"},
      {"{ nodes: [ \"10.0.0.11:8080\" ], weight: 2 }", "weight"},
      {"[ \"10.0.0.11:8080\" ]", "parents"},
  };
  for (const auto& t : table) {
    EXPECT_CONFIG_ERROR(
        with_base(std::string("  - { from: \"http://c/\", to: \"http://127.0.0.1:8000/\", "
                              "parents: ") +
                  t.parents + " }\n"),
        3, t.fragment);
  }
}

TEST(Parents, HashUrlWithPsCachekeyIsAnErrorAtTheHashLine) {
  EXPECT_CONFIG_ERROR(with_base(R"(
  - from: http://c/
    to: http://127.0.0.1:8000/
    cache_range_requests: { ps_cachekey: true }
    parents:
      nodes: [ "10.0.0.11:8080" ]
      hash: url
)"),
                      8, "contradicts cache_range_requests.ps_cachekey");
}

TEST(Parents, NodeNameErrors) {
  const std::string rule = "  - { from: \"http://c/\", to: \"http://127.0.0.1:8000/\" }\n";
  EXPECT_CONFIG_ERROR(with_base(rule + "node_name: \"a b\"\n"), 4, "node_name");
  EXPECT_CONFIG_ERROR(with_base(rule + "node_name: \"a,b\"\n"), 4, "node_name");
  EXPECT_CONFIG_ERROR(with_base(rule + "node_name: [ a ]\n"), 4, "node_name");
}

}  // namespace
}  // namespace rangecache::config
