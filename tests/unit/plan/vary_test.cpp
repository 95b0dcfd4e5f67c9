#include "rangecache/plan/vary.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "rangecache/cache/object.hpp"
#include "rangecache/range/cache_key.hpp"

namespace rangecache::plan {
namespace {

using names = std::vector<std::string>;

struct vary_case {
  std::vector<std::string_view> values;
  names keyed;
  bool star;
  names expected;
};

class ParseVary : public ::testing::TestWithParam<vary_case> {};

TEST_P(ParseVary, Names) {
  const auto& c = GetParam();
  const auto spec = parse_vary(c.values, c.keyed);
  EXPECT_EQ(spec.star, c.star);
  EXPECT_EQ(spec.names, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseVary,
    ::testing::Values(
        vary_case{{}, {}, false, {}},
        vary_case{{"Accept-Encoding"}, {}, false, {"accept-encoding"}},
        // Case, whitespace, empty members, repeats and several field lines normalised.
        vary_case{{" accept-encoding ,ACCEPT-Language", "Accept-Encoding,, "},
                  {},
                  false,
                  {"accept-encoding", "accept-language"}},
        vary_case{{"X-B, X-A"}, {}, false, {"x-a", "x-b"}},
        // Already in every key: the rule's key headers, and Host (part of the cache URL).
        vary_case{{"X-Tenant, Accept"}, {"x-tenant"}, false, {"accept"}},
        vary_case{{"Host"}, {}, false, {}}, vary_case{{"X-Tenant"}, {"X-TENANT"}, false, {}},
        // "*" anywhere: nothing can match, whatever else is named.
        vary_case{{"Accept, *"}, {}, true, {}}, vary_case{{"Accept", "*"}, {}, true, {}},
        vary_case{{"*"}, {}, true, {}}));

struct value_case {
  std::string_view name;
  std::vector<std::string_view> lines;
  std::string expected;
};

class NormalizedValue : public ::testing::TestWithParam<value_case> {};

TEST_P(NormalizedValue, Spelling) {
  const auto& c = GetParam();
  EXPECT_EQ(normalized_value(c.name, c.lines), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, NormalizedValue,
    ::testing::Values(value_case{"accept-encoding", {"gzip, br"}, "gzip,br"},
                      value_case{"accept-encoding", {"GZIP ,  BR"}, "gzip,br"},
                      value_case{"accept-encoding", {"gzip", "br"}, "gzip,br"},
                      value_case{"accept-encoding", {" gzip,,br, "}, "gzip,br"},
                      value_case{"Accept-Language", {"EN-us"}, "en-us"},
                      value_case{"accept", {"Text/HTML"}, "text/html"},
                      // Order is kept: it may mean something to the origin.
                      value_case{"accept-encoding", {"br, gzip"}, "br,gzip"},
                      // Other fields keep their case.
                      value_case{"x-tenant", {"Blue"}, "Blue"}, value_case{"x-tenant", {""}, ""},
                      value_case{"x-tenant", {}, ""}));

class Request {
 public:
  Request(std::initializer_list<std::pair<std::string, std::string>> fields) : fields_(fields) {}
  field_lines lines() const {
    return [this](std::string_view name, std::vector<std::string_view>& out) {
      for (const auto& [n, v] : fields_)
        if (n == name) out.push_back(v);
    };
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

TEST(SelectVariant, SpellingsOfOneValueSelectOneVariant) {
  const names n{"accept-encoding"};
  const auto a = select_variant(n, Request{{"accept-encoding", "gzip, br"}}.lines());
  const auto b =
      select_variant(n, Request{{"accept-encoding", "GZIP"}, {"accept-encoding", "br"}}.lines());
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, "h15:accept-encodingv7:gzip,br");
}

TEST(SelectVariant, DifferentValuesAbsentAndEmptyDiffer) {
  const names n{"accept-encoding"};
  const auto gzip = select_variant(n, Request{{"accept-encoding", "gzip"}}.lines());
  const auto br = select_variant(n, Request{{"accept-encoding", "br"}}.lines());
  const auto absent = select_variant(n, Request{}.lines());
  const auto empty = select_variant(n, Request{{"accept-encoding", ""}}.lines());
  EXPECT_NE(*gzip, *br);
  EXPECT_NE(*absent, *empty);
  EXPECT_EQ(*absent, "h15:accept-encodinga");
  EXPECT_EQ(*empty, "h15:accept-encodingv0:");
}

// Values cannot shift between fields: each is length-prefixed.
TEST(SelectVariant, ValuesDoNotRunIntoEachOther) {
  const names n{"x-a", "x-b"};
  const auto one = select_variant(n, Request{{"x-a", "1h3:x-bv1:2"}}.lines());
  const auto two = select_variant(n, Request{{"x-a", "1"}, {"x-b", "2"}}.lines());
  EXPECT_NE(*one, *two);
}

TEST(SelectVariant, TooLongForARecordIsNoVariant) {
  const names n{"x-big"};
  const std::string big(cache::max_variant_size, 'x');
  EXPECT_FALSE(select_variant(n, Request{{"x-big", big}}.lines()));
  EXPECT_TRUE(select_variant(n, Request{{"x-big", big.substr(0, 100)}}.lines()));
}

TEST(VariantKey, ComesLastAndNeverEqualsAnotherKey) {
  const auto base = range::cache_key("http://o/a");
  const auto ranged = range::cache_key("http://o/a", "bytes=0-9");
  EXPECT_EQ(range::variant_key(base, "h1:xv1:1"), base + "s8:h1:xv1:1");
  EXPECT_NE(range::variant_key(base, "h1:xa"), range::variant_key(ranged, "h1:xa"));
  EXPECT_NE(range::variant_key(base, ""), base);
}

TEST(KeyForAnswer, BaseVariantOrNothing) {
  const std::vector<std::pair<std::string, std::string>> fields{{"Accept-Encoding", "GZIP"},
                                                                {"X-Tenant", "a"}};
  const auto lines = lines_of_pairs(fields);
  const std::vector<std::string> keyed{"x-tenant"};
  const std::vector<std::string_view> none, tenant{"X-Tenant"}, enc{"Accept-Encoding"}, star{"*"};
  EXPECT_EQ(key_for_answer("K", none, keyed, lines)->key, "K");
  EXPECT_EQ(key_for_answer("K", tenant, keyed, lines)->key, "K");
  const auto v = key_for_answer("K", enc, keyed, lines);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->variant, "h15:accept-encodingv4:gzip");
  EXPECT_EQ(v->key, range::variant_key("K", v->variant));
  EXPECT_FALSE(key_for_answer("K", star, keyed, lines));
}

TEST(JoinNames, CommaSeparated) {
  EXPECT_EQ(join_names(names{"a", "b"}), "a, b");
  EXPECT_EQ(join_names(names{}), "");
}

}  // namespace
}  // namespace rangecache::plan
