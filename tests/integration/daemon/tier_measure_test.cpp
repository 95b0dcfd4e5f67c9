// The point of a tier, measured: the same load sent to three nodes costs the origin what it
// costs with one node, where three nodes that do not know each other cost it three times as
// much. Prints the counts (they are in the closing note).
#include <gtest/gtest.h>

#include <iostream>

#include "cache_checks.hpp"
#include "tier.hpp"

using namespace rc_test;

namespace {

// Each request of each URL is sent three times, in turn to each node: two ranges, the whole
// object, a third range (served from the whole object). Returns the origin's requests for
// those URLs.
std::int64_t run_load(tier& t, origin& o, const std::string& tag) {
  const std::vector<std::string> ranges = {"bytes=0-9999", "bytes=100000-109999", "",
                                           "bytes=200000-209999"};
  std::int64_t total = 0;
  for (int u = 0; u < 20; ++u) {
    const auto path = "/gen/262144/measure-" + tag + "-" + std::to_string(u);
    for (const auto& range : ranges) {
      for (std::size_t k = 0; k < 3; ++k) {
        header_list more;
        if (!range.empty()) more.emplace_back("Range", range);
        auto r = t.get_from(k % t.size(), path, more);
        EXPECT_EQ(r.status, range.empty() ? 200 : 206) << r;
      }
    }
    total += o.count(path);
  }
  return total;
}

TEST(TierMeasure, ThreeNodesCostTheOriginWhatOneNodeDoes) {
  origin o;
  const std::string rule = "    cache_range_requests: {}\n";
  tier one(o.port(), rule, "", 1);
  const auto single = run_load(one, o, "one");
  tier independent(o.port(), rule, "", 3);  // no parents: three separate caches
  const auto apart = run_load(independent, o, "apart");
  tier three(o.port(), rule, "", 3);
  three.configure_all();
  const auto tiered = run_load(three, o, "tier");
  std::cout << "origin requests for 20 URLs x 4 requests x 3 times: one node " << single
            << ", three independent nodes " << apart << ", three-node tier " << tiered << "\n";
  RecordProperty("origin_requests_one_node", static_cast<int>(single));
  RecordProperty("origin_requests_three_independent", static_cast<int>(apart));
  RecordProperty("origin_requests_three_tier", static_cast<int>(tiered));
  EXPECT_EQ(tiered, single);
  EXPECT_EQ(apart, 3 * single);
}

}  // namespace
