// Which metrics series each rule records into, across reloads.
#include <gtest/gtest.h>

#include <memory>

#include "proxy/rule_series.hpp"

using namespace rangecache;

namespace {

config::remap_rule rule(std::string host, std::string path,
                        std::optional<std::uint16_t> port = {}) {
  config::remap_rule r;
  r.from_host = std::move(host);
  r.from_path = std::move(path);
  r.from_port = port;
  return r;
}

std::shared_ptr<const config::config> with_rules(std::vector<config::remap_rule> rules) {
  auto c = std::make_shared<config::config>();
  c->remap = std::move(rules);
  return c;
}

}  // namespace

TEST(RuleSeries, FromTextIsWhatTheConfigSays) {
  EXPECT_EQ(proxy::from_text(rule("*", "/")), "http://*/");
  EXPECT_EQ(proxy::from_text(rule("a.test", "/v/", 8080)), "http://a.test:8080/v/");
}

TEST(RuleSeries, ARuleKeepsItsSeriesAcrossReloadsAndNewRulesGetNewOnes) {
  proxy::rule_series series;
  auto first = series.assign(with_rules({rule("a", "/"), rule("b", "/")}));
  EXPECT_EQ(first->remap[0].metrics_series, 0u);
  EXPECT_EQ(first->remap[1].metrics_series, 1u);
  // Reordered, one gone, one new: b keeps 1, c takes the next, a's series stays named.
  auto second = series.assign(with_rules({rule("c", "/"), rule("b", "/")}));
  EXPECT_EQ(second->remap[0].metrics_series, 2u);
  EXPECT_EQ(second->remap[1].metrics_series, 1u);
  EXPECT_EQ(series.names(), (std::vector<std::string>{"http://a/", "http://b/", "http://c/"}));
}

TEST(RuleSeries, PastTheLimitRulesShareTheLastSeries) {
  proxy::rule_series series;
  std::vector<config::remap_rule> many;
  for (std::size_t i = 0; i < proxy::max_rule_series + 5; ++i)
    many.push_back(rule("h" + std::to_string(i), "/"));
  auto c = series.assign(with_rules(many));
  EXPECT_EQ(c->remap[proxy::max_rule_series - 2].metrics_series, proxy::max_rule_series - 2);
  EXPECT_EQ(c->remap[proxy::max_rule_series - 1].metrics_series, proxy::max_rule_series - 1);
  EXPECT_EQ(c->remap.back().metrics_series, proxy::max_rule_series - 1);
  const auto names = series.names();
  ASSERT_EQ(names.size(), proxy::max_rule_series);
  EXPECT_EQ(names.back(), "other");
}
