// Block mode in a peer tier: a node that does not own a URL fetches its blocks from the
// owner, which fetches each from the origin once, so every block reaches the origin once
// across the tier.
#include <gtest/gtest.h>

#include <set>

#include "cache_checks.hpp"
#include "tier.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

TEST(TierBlocks, EachBlockReachesTheOriginOnceAcrossTheTier) {
  origin o;
  tier t(o.port(), "    blocks: { size: 1MiB, min_object: 0, read_ahead: 0 }\n", "");
  t.configure_all();
  constexpr std::uint64_t MiB = 1u << 20;
  const std::uint64_t size = 4 * MiB;
  const auto path = unique_gen(size, ".bin");
  for (std::size_t n = 0; n < t.size(); ++n) {
    auto r = t.get_from(n, path, {{"Range", "bytes=1048570-1048675"}});
    EXPECT_TRUE(is_partial(r, path, 1048570, 1048675, size)) << n;
    EXPECT_TRUE(is_whole(t.get_from(n, path), path, size)) << n;
  }
  const auto ranges = o.ranges(path);
  const std::set<std::string> distinct(ranges.begin(), ranges.end());
  EXPECT_EQ(distinct.size(), ranges.size()) << "a block reached the origin twice";
  EXPECT_EQ(distinct, (std::set<std::string>{"bytes=0-1048575", "bytes=1048576-2097151",
                                             "bytes=2097152-3145727", "bytes=3145728-4194303"}));
}
