// background_fetch rules and size conditions.
#include "config_test_util.hpp"

namespace rangecache::config {
namespace {

using testing::load;
using testing::with_base;

size_condition cond(std::string_view text) {
  auto c = size_condition::parse(text);
  EXPECT_TRUE(c) << text;
  return c.value_or(size_condition{});
}

TEST(SizeCondition, Parse) {
  EXPECT_EQ(cond("<10").cmp, size_condition::op::lt);
  EXPECT_EQ(cond("<=10").cmp, size_condition::op::le);
  EXPECT_EQ(cond(">10").cmp, size_condition::op::gt);
  EXPECT_EQ(cond(">=10").cmp, size_condition::op::ge);
  EXPECT_EQ(cond(">2GiB").bytes, 2ull << 30);
  EXPECT_EQ(cond("<= 1MiB").bytes, 1u << 20);
  for (auto bad : {"", "10", "=10", "==10", "<", ">=", "<>10", "=<10", "<-1", "<1.5MiB",
                   "<10 parsecs", " <10"}) {
    EXPECT_FALSE(size_condition::parse(bad)) << bad;
  }
}

TEST(SizeCondition, Operators) {
  const auto lt = cond("<100");
  EXPECT_TRUE(lt.matches(99));
  EXPECT_FALSE(lt.matches(100));
  EXPECT_FALSE(lt.matches(101));
  const auto le = cond("<=100");
  EXPECT_TRUE(le.matches(99));
  EXPECT_TRUE(le.matches(100));
  EXPECT_FALSE(le.matches(101));
  const auto gt = cond(">100");
  EXPECT_FALSE(gt.matches(99));
  EXPECT_FALSE(gt.matches(100));
  EXPECT_TRUE(gt.matches(101));
  const auto ge = cond(">=100");
  EXPECT_FALSE(ge.matches(99));
  EXPECT_TRUE(ge.matches(100));
  EXPECT_TRUE(ge.matches(101));
  EXPECT_FALSE(cond("<0").matches(0));
  EXPECT_TRUE(cond(">=0").matches(0));
  EXPECT_TRUE(cond(">=0").matches(UINT64_MAX));
}

TEST(BgfRules, AllConditions) {
  const auto cfg = load(with_base(R"(
background_fetch:
  rules:
    - include:
        content_type: "video/*"
        content_length: ">=1MiB"
        range_length: "<64KiB"
        user_agent: "*VLC*"
        client_ip: 10.0.0.0/8
        url: /videos/
        url_regex: "^/v/[0-9]+\\.ts$"
    - exclude: { client_ip: ["192.168.0.0/16", "fd00::/8"] }
)"));
  const auto& rules = cfg.background_fetch.rules;
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_TRUE(rules[0].include);
  EXPECT_EQ(rules[0].line, 5);
  const auto& m = rules[0].match;
  EXPECT_EQ(m.content_type, "video/*");
  EXPECT_EQ(m.content_length->cmp, size_condition::op::ge);
  EXPECT_EQ(m.content_length->bytes, 1u << 20);
  EXPECT_EQ(m.range_length->cmp, size_condition::op::lt);
  EXPECT_EQ(m.range_length->bytes, 64u << 10);
  EXPECT_EQ(m.user_agent, "*VLC*");
  ASSERT_EQ(m.client_ip.size(), 1u);
  EXPECT_EQ(m.url_prefix, "/videos/");
  EXPECT_EQ(m.url_regex, "^/v/[0-9]+\\.ts$");
  EXPECT_FALSE(rules[1].include);
  EXPECT_EQ(rules[1].line, 13);
  EXPECT_EQ(rules[1].match.client_ip.size(), 2u);
  EXPECT_FALSE(rules[1].match.content_type);
  EXPECT_FALSE(rules[1].match.url_regex);
}

TEST(BgfRules, Errors) {
  EXPECT_CONFIG_ERROR_AT(with_base(R"(
background_fetch:
  rules:
    - exclude: { content_type: "text/*" }
    - include: { user_agent: x }
      exclude: { user_agent: y }
)"),
                         6, 7,
                         "background_fetch.rules[1]: a rule has exactly one of include or exclude");
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  rules:
    - {}
)"),
                      5, "background_fetch.rules[0]: a rule has exactly one of include or exclude");
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  rules:
    - exclude: {}
)"),
                      5, "background_fetch.rules[0].exclude: a rule needs at least one condition");
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  rules:
    - excludes: { user_agent: x }
)"),
                      5, "background_fetch.rules[0].excludes: unknown key");
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  rules: { exclude: { user_agent: x } }
)"),
                      4, "background_fetch.rules: expected a list, got a map");
  EXPECT_CONFIG_ERROR_AT(
      with_base(R"(
background_fetch:
  rules:
    - exclude: { content_length: "2GiB" }
)"),
      5, 34, "background_fetch.rules[0].exclude.content_length: expected a comparison like >2GiB");
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  rules:
    - exclude:
        range_length: "> lots"
)"),
                      6, "background_fetch.rules[0].exclude.range_length: expected a comparison");
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  rules:
    - exclude:
        client_ip: []
)"),
                      6, "background_fetch.rules[0].exclude.client_ip: expected a network");
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  rules:
    - exclude:
        client_ip: [10.0.0.0/8, 10.0.0.0/99]
)"),
                      6, "background_fetch.rules[0].exclude.client_ip[1]: expected an address");
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  rules:
    - exclude:
        user_agent: ""
)"),
                      6,
                      "background_fetch.rules[0].exclude.user_agent: expected a non-empty string");
}

TEST(BgfRules, BadRegex) {
  EXPECT_CONFIG_ERROR_AT(with_base(R"(
background_fetch:
  rules:
    - include:
        url: /v/
        url_regex: "(unclosed"
)"),
                         7, 20,
                         "background_fetch.rules[0].include.url_regex: expected an ECMAScript "
                         "regular expression, got '(unclosed'");
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  rules:
    - include: { url_regex: "[z-a]" }
)"),
                      5, "url_regex: expected an ECMAScript regular expression");
}

TEST(BgfRules, PerRemapRuleErrors) {
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    background_fetch:
      rules:
        - include: { content_type: "video/*", size: 1 }
)",
                      7, "remap[0].background_fetch.rules[0].include.size: unknown key");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    background_fetch: sometimes
)",
                      5, "remap[0].background_fetch: expected true or false, got 'sometimes'");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    background_fetch: [a]
)",
                      5, "remap[0].background_fetch: expected true, false or a map with rules");
}

}  // namespace
}  // namespace rangecache::config
