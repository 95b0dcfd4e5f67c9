// Marking parents down on the injected time (seconds), and their counters.
#include <gtest/gtest.h>

#include "rangecache/tier/health.hpp"

namespace rangecache::tier {
namespace {

using std::chrono::seconds;

TEST(ParentHealth, MarkedDownForItsTimeThenUpAgain) {
  parent_table table;
  auto& p = table.at("10.0.0.12:8080");
  const std::int64_t t0 = 1'000'000;
  EXPECT_FALSE(p.down(t0));
  p.failed(t0, seconds(10));
  EXPECT_TRUE(p.down(t0));
  EXPECT_TRUE(p.down(t0 + 9));
  EXPECT_FALSE(p.down(t0 + 10));
  EXPECT_EQ(p.failures(), 1u);
  EXPECT_EQ(p.marked_down(), 1u);
}

TEST(ParentHealth, FailuresWhileDownExtendButCountOneMarkDown) {
  parent_table table;
  auto& p = table.at("a:1");
  p.failed(100, seconds(10));
  p.failed(105, seconds(10));  // another worker's request that was already under way
  EXPECT_TRUE(p.down(114));
  EXPECT_FALSE(p.down(115));
  EXPECT_EQ(p.failures(), 2u);
  EXPECT_EQ(p.marked_down(), 1u);
  p.failed(120, seconds(10));  // up again, then failed again: a second mark-down
  EXPECT_EQ(p.marked_down(), 2u);
}

TEST(ParentHealth, ZeroMarkDownNeverSkips) {
  parent_table table;
  auto& p = table.at("a:1");
  p.failed(100, seconds(0));
  EXPECT_FALSE(p.down(100));
  EXPECT_EQ(p.failures(), 1u);
  EXPECT_EQ(p.marked_down(), 0u);
}

TEST(ParentHealth, TableKeepsOneEntryPerNode) {
  parent_table table;
  auto& a = table.at("a:1");
  a.count_request();
  EXPECT_EQ(&table.at("a:1"), &a);
  table.at("b:2").failed(10, seconds(5));
  const auto rows = table.snapshot(12);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].node, "a:1");
  EXPECT_EQ(rows[0].requests, 1u);
  EXPECT_FALSE(rows[0].down);
  EXPECT_EQ(rows[1].node, "b:2");
  EXPECT_TRUE(rows[1].down);
  EXPECT_EQ(rows[1].marked_down, 1u);
}

}  // namespace
}  // namespace rangecache::tier
