// background_fetch: the global settings and the include/exclude rules (global or per remap).
#include <regex>

#include "config/sections.hpp"

namespace rangecache::config::detail {

namespace {

std::string read_nonempty(const context& ctx, const item& at) {
  auto text = read_string(ctx, at);
  if (text.empty()) ctx.expected(at, "a non-empty string");
  return text;
}

size_condition read_size_condition(const context& ctx, const item& at) {
  constexpr std::string_view what = "a comparison like >2GiB, <=1MiB, <100KiB or >=0";
  if (!at.node.IsScalar()) ctx.expected(at, what);
  auto cond = size_condition::parse(at.node.Scalar());
  if (!cond) ctx.expected(at, what);
  return *cond;
}

std::string read_regex(const context& ctx, const item& at) {
  auto text = read_nonempty(ctx, at);
  try {
    std::regex compiled(text, std::regex::ECMAScript);
  } catch (const std::regex_error& err) {
    ctx.fail(at,
             "expected an ECMAScript regular expression, got '" + text + "' (" + err.what() + ")");
  }
  return text;
}

bgf_match load_match(const context& ctx, const item& node) {
  const map_reader map(ctx, node,
                       {"content_type", "content_length", "range_length", "user_agent", "client_ip",
                        "url", "url_regex"});
  if (map.size() == 0) {
    // `exclude: {}` would match every response; background_fetch: false says that plainly.
    ctx.fail(node,
             "a rule needs at least one condition (to turn background fetch off for a remap "
             "rule, set its background_fetch: false)");
  }
  bgf_match m;
  read_into(map, "content_type", m.content_type, read_nonempty);
  read_into(map, "content_length", m.content_length, read_size_condition);
  read_into(map, "range_length", m.range_length, read_size_condition);
  read_into(map, "user_agent", m.user_agent, read_nonempty);
  read_into(map, "url", m.url_prefix, read_nonempty);
  read_into(map, "url_regex", m.url_regex, read_regex);
  if (m.url_regex)
    m.url_regex_compiled = std::make_shared<const std::regex>(*m.url_regex, std::regex::ECMAScript);
  if (const auto* value = map.find("client_ip")) {
    m.client_ip = read_cidr_list(ctx, *value);
    // An empty list can never match, which is surely not what was meant.
    if (m.client_ip.empty()) ctx.expected(*value, "a network");
  }
  return m;
}

bgf_rule load_rule(const context& ctx, const item& node) {
  const map_reader map(ctx, node, {"include", "exclude"});
  const auto* include = map.find("include");
  const auto* exclude = map.find("exclude");
  if ((include == nullptr) == (exclude == nullptr)) {
    ctx.fail(node, "a rule has exactly one of include or exclude");
  }
  bgf_rule rule;
  rule.include = include != nullptr;
  rule.match = load_match(ctx, include ? *include : *exclude);
  rule.line = line_of(node.mark);
  return rule;
}

}  // namespace

std::vector<bgf_rule> load_bgf_rules(const context& ctx, const item& node) {
  std::vector<bgf_rule> rules;
  for (const auto& element : list_items(ctx, node)) rules.push_back(load_rule(ctx, element));
  return rules;
}

void load_background_fetch(const context& ctx, const item& node, background_fetch_settings& out) {
  const map_reader map(
      ctx, node, {"max_concurrent", "queue_size", "retry_backoff", "consolidate", "log", "rules"});
  if (const auto* value = map.find("max_concurrent")) {
    out.max_concurrent = static_cast<unsigned>(read_uint(ctx, *value, 1, 1024));
  }
  if (const auto* value = map.find("queue_size")) {
    out.queue_size = read_uint(ctx, *value, 1, 1'000'000);
  }
  read_into(map, "retry_backoff", out.retry_backoff, read_duration);
  read_into(map, "consolidate", out.consolidate, read_bool);
  read_into(map, "log", out.log, read_optional_string);
  read_into(map, "rules", out.rules, load_bgf_rules);
}

}  // namespace rangecache::config::detail
