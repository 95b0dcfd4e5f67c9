#include "rangecache/cache/url_tidy.hpp"

#include <gtest/gtest.h>

namespace rangecache::cache {
namespace {

std::chrono::sys_seconds at(int s) {
  return std::chrono::sys_seconds{std::chrono::seconds{s}};
}

using list = std::vector<std::string>;

struct trim_case {
  std::vector<variant_stamp> objects;
  std::size_t keep;
  std::string_view protect;
  list expected;
};

class VariantsToDrop : public ::testing::TestWithParam<trim_case> {};

TEST_P(VariantsToDrop, Oldest) {
  const auto& c = GetParam();
  EXPECT_EQ(variants_to_drop(c.objects, c.keep, c.protect), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, VariantsToDrop,
    ::testing::Values(
        trim_case{{}, 2, "", {}}, trim_case{{{"a", at(1)}, {"b", at(2)}}, 2, "", {}},
        trim_case{{{"a", at(1)}, {"b", at(2)}, {"c", at(3)}}, 2, "c", {"a"}},
        // A variant is as recent as its newest object (here a range stored later).
        trim_case{{{"a", at(1)}, {"a", at(9)}, {"b", at(5)}, {"c", at(6)}}, 2, "c", {"b"}},
        // The one just stored stays even when its time ties or is older (a clock step).
        trim_case{{{"a", at(5)}, {"b", at(5)}, {"c", at(4)}}, 1, "c", {"a", "b"}},
        // Equal times: ordered by variant, the same on every backend.
        trim_case{{{"b", at(5)}, {"a", at(5)}, {"c", at(5)}}, 2, "", {"c"}},
        // Objects that are not variants (the index, a plain object) are never counted.
        trim_case{{{"", at(9)}, {"a", at(1)}, {"b", at(2)}}, 1, "", {"a"}},
        // keep 0: the URL stopped varying, every variant goes.
        trim_case{{{"a", at(1)}, {"b", at(2)}}, 0, "", {"b", "a"}},
        trim_case{{{"a", at(1)}, {"b", at(2)}}, 0, "a", {"b"}}));

}  // namespace
}  // namespace rangecache::cache
