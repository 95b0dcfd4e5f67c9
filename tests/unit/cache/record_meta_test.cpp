#include "rangecache/cache/record_meta.hpp"

#include <gtest/gtest.h>

namespace rangecache::cache {
namespace {

constexpr std::int64_t held = (std::int64_t{1} << 24) - 1;  // the oldest age the flags hold

struct age_case {
  std::int64_t initial_age, lifetime, stored_age, stored_lifetime;
};

class StoredAge : public ::testing::TestWithParam<age_case> {};

// What stays fresh (lifetime - age) is never more than the response allowed, however old.
TEST_P(StoredAge, RemainingFreshnessIsKept) {
  const auto& c = GetParam();
  freshness_info f;
  f.initial_age = c.initial_age;
  f.lifetime = c.lifetime;
  object_meta m;
  m.flags = pack_freshness_flags(f);
  m.freshness_lifetime = std::chrono::seconds(stored_lifetime(f));
  const auto back = freshness_of(m);
  EXPECT_EQ(back.initial_age, c.stored_age);
  EXPECT_EQ(back.lifetime, c.stored_lifetime);
  EXPECT_EQ(back.lifetime - back.initial_age,
            std::max<std::int64_t>(-c.stored_age, c.lifetime - c.initial_age));
}

INSTANTIATE_TEST_SUITE_P(Table, StoredAge,
                         ::testing::Values(age_case{0, 60, 0, 60}, age_case{30, 60, 30, 60},
                                           age_case{held, held + 5, held, held + 5},
                                           age_case{held + 100, held + 200, held, held + 100},
                                           age_case{held + 100, 50, held, 0}));

TEST(VaryIndex, IsMarkedNeverFreshAndNamesItsFields) {
  const auto m = vary_index_meta("accept-encoding", std::chrono::sys_seconds{});
  EXPECT_TRUE(is_vary_index(m));
  EXPECT_FALSE(is_vary_index(object_meta{}));
  ASSERT_NE(find_header(m, "Vary"), nullptr);
  EXPECT_EQ(*find_header(m, "Vary"), "accept-encoding");
  const auto f = freshness_of(m);
  EXPECT_TRUE(f.no_cache);
  EXPECT_EQ(f.lifetime, 0);
  EXPECT_EQ(m.content_length, 0u);
}

}  // namespace
}  // namespace rangecache::cache
