#include "rangecache/range/bounded_list.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace rangecache::range {
namespace {

using list = bounded_list<std::uint64_t, 3>;

TEST(BoundedList, FillsToCapacityAndRefusesMore) {
  list l;
  EXPECT_TRUE(l.empty());
  EXPECT_TRUE(l.push_back(1));
  EXPECT_TRUE(l.push_back(2));
  EXPECT_TRUE(l.push_back(3));
  EXPECT_TRUE(l.full());
  EXPECT_FALSE(l.push_back(4));
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l.front(), 1u);
  EXPECT_EQ(l.back(), 3u);
  std::uint64_t sum = 0;
  for (auto v : l) sum += v;
  EXPECT_EQ(sum, 6u);
}

TEST(BoundedList, TruncateAndClear) {
  list l;
  l.push_back(1);
  l.push_back(2);
  l.truncate(5);
  EXPECT_EQ(l.size(), 2u);
  l.truncate(1);
  EXPECT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0], 1u);
  l.clear();
  EXPECT_TRUE(l.empty());
  EXPECT_TRUE(l.span().empty());
}

TEST(BoundedList, CopiesAndCompares) {
  list a;
  a.push_back(7);
  a.push_back(8);
  list b = a;
  EXPECT_EQ(a, b);
  b[1] = 9;
  EXPECT_FALSE(a == b);
  list c;
  c = a;
  EXPECT_EQ(c, a);
  c = c;  // self-assignment is harmless
  EXPECT_EQ(c.size(), 2u);
  std::span<const std::uint64_t> view = c;
  EXPECT_EQ(view.size(), 2u);
  EXPECT_EQ(view[1], 8u);
}

}  // namespace
}  // namespace rangecache::range
