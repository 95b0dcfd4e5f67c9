#include "rangecache/util/clock.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace rangecache::util {
namespace {

using namespace std::chrono_literals;

std::int64_t real_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(Clock, SystemClockIsTheRealTime) {
  const auto before = real_seconds();
  const auto now = system_clock()->now();
  const auto after = real_seconds();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  EXPECT_EQ(system_clock(), system_clock()) << "one shared instance";
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  struct step {
    char op;  // 's' set, 'a' advance
    std::int64_t value;
    std::int64_t expected;
  };
  const std::vector<step> steps{
      {'a', 0, 1000},      {'a', 1, 1001},
      {'a', 3600, 4601},   {'s', 50, 50},
      {'a', -10, 40},      {'s', 0, 0},
      {'a', 86400, 86400}, {'s', 4102444800, 4102444800},  // 2100-01-01: no 32-bit overflow
  };
  manual_clock c(1000);
  EXPECT_EQ(c.now(), 1000);
  EXPECT_EQ(c.now(), 1000) << "reading does not move it";
  for (const auto& s : steps) {
    if (s.op == 's')
      c.set(s.value);
    else
      c.advance(std::chrono::seconds(s.value));
    EXPECT_EQ(c.now(), s.expected) << s.op << " " << s.value;
  }
}

TEST(Clock, ManualClockStartsAtTheRealTime) {
  const auto before = real_seconds();
  manual_clock c;
  const auto after = real_seconds();
  EXPECT_LE(before, c.now());
  EXPECT_LE(c.now(), after);
}

TEST(Clock, ManualClockIsSeenThroughTheInterface) {
  auto c = std::make_shared<manual_clock>(10);
  std::shared_ptr<const clock> seen = c;
  c->advance(5s);
  EXPECT_EQ(seen->now(), 15);
}

// Advances from several threads while others read: none is lost, reads never go back.
TEST(Clock, ManualClockIsThreadSafe) {
  manual_clock c(0);
  constexpr int threads = 4, per_thread = 10000;
  std::vector<std::thread> movers;
  for (int t = 0; t < threads; ++t)
    movers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) c.advance(1s);
    });
  std::thread reader([&] {
    std::int64_t last = 0;
    for (int i = 0; i < per_thread; ++i) {
      const auto now = c.now();
      EXPECT_GE(now, last);
      last = now;
    }
  });
  for (auto& m : movers) m.join();
  reader.join();
  EXPECT_EQ(c.now(), threads * per_thread);
}

}  // namespace
}  // namespace rangecache::util
