#include "rangecache/util/throttle.hpp"

#include <gtest/gtest.h>

namespace rangecache::util {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

TEST(Throttle, OneLinePerIntervalWithTheCountHeldBack) {
  struct step {
    clock::duration at;  // since the first event
    bool allowed;
    std::uint64_t suppressed;  // reported with an allowed line
  };
  const std::vector<step> steps{
      {0s, true, 0},   {1s, false, 0},  {2s, false, 0},  {9999ms, false, 0},
      {10s, true, 3},  {15s, false, 0}, {25s, true, 1},  {60s, true, 0},
      {61s, false, 0}, {62s, false, 0}, {200s, true, 2},
  };
  throttle t(10s);
  const auto start = clock::now();
  for (const auto& s : steps) {
    std::uint64_t suppressed = 99;
    const bool allowed = t.allow(start + s.at, suppressed);
    EXPECT_EQ(allowed, s.allowed) << "at " << s.at.count();
    if (allowed) {
      EXPECT_EQ(suppressed, s.suppressed) << "at " << s.at.count();
    }
  }
}

TEST(Throttle, FirstEventIsAlwaysAllowed) {
  throttle t(1h);
  std::uint64_t suppressed = 99;
  EXPECT_TRUE(t.allow(clock::time_point{}, suppressed));
  EXPECT_EQ(suppressed, 0u);
  EXPECT_FALSE(t.allow(clock::time_point{} + 1s, suppressed));
}

}  // namespace
}  // namespace rangecache::util
