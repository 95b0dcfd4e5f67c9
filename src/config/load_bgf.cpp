// background_fetch: the global settings and the include/exclude rules (global or per remap).
#include <regex>

#include "config/sections.hpp"

namespace rangecache::config::detail {

namespace {

std::string read_nonempty(const context& ctx, const YAML::Node& at, std::string_view path) {
  auto text = read_string(ctx, at, path);
  if (text.empty()) ctx.expected(at, path, "a non-empty string");
  return text;
}

size_condition read_size_condition(const context& ctx, const YAML::Node& at,
                                   std::string_view path) {
  constexpr std::string_view what = "a comparison like >2GiB, <=1MiB, <100KiB or >=0";
  if (!at.IsScalar()) ctx.expected(at, path, what);
  auto cond = size_condition::parse(at.Scalar());
  if (!cond) ctx.expected(at, path, what);
  return *cond;
}

bgf_match load_match(const context& ctx, const YAML::Node& node, std::string path) {
  const map_reader map(ctx, node, std::move(path),
                       {"content_type", "content_length", "range_length", "user_agent", "client_ip",
                        "url", "url_regex"});
  if (node.size() == 0) {
    // `exclude: {}` would match every response; background_fetch: false says that plainly.
    ctx.fail(node, map.path(),
             "a rule needs at least one condition (to turn background fetch off for a remap "
             "rule, set its background_fetch: false)");
  }
  bgf_match m;
  read_into(map, "content_type", m.content_type, read_nonempty);
  read_into(map, "content_length", m.content_length, read_size_condition);
  read_into(map, "range_length", m.range_length, read_size_condition);
  read_into(map, "user_agent", m.user_agent, read_nonempty);
  read_into(map, "url", m.url_prefix, read_nonempty);
  if (const auto* e = map.find("client_ip")) {
    m.client_ip = read_cidr_list(ctx, e->value, map.path_of("client_ip"));
    // An empty list can never match, which is surely not what was meant.
    if (m.client_ip.empty()) ctx.expected(e->value, map.path_of("client_ip"), "a network");
  }
  if (const auto* e = map.find("url_regex")) {
    const auto path = map.path_of("url_regex");
    auto text = read_nonempty(ctx, e->value, path);
    try {
      std::regex compiled(text, std::regex::ECMAScript);
    } catch (const std::regex_error& err) {
      ctx.fail(
          e->value, path,
          "expected an ECMAScript regular expression, got '" + text + "' (" + err.what() + ")");
    }
    m.url_regex = std::move(text);
  }
  return m;
}

bgf_rule load_rule(const context& ctx, const YAML::Node& node, std::string path) {
  const map_reader map(ctx, node, path, {"include", "exclude"});
  const auto* include = map.find("include");
  const auto* exclude = map.find("exclude");
  if ((include == nullptr) == (exclude == nullptr)) {
    ctx.fail(node, path, "a rule has exactly one of include or exclude");
  }
  bgf_rule rule;
  rule.include = include != nullptr;
  const auto* e = include ? include : exclude;
  rule.match = load_match(ctx, e->value, map.path_of(e->key));
  rule.line = line_of(node);
  return rule;
}

}  // namespace

std::vector<bgf_rule> load_bgf_rules(const context& ctx, const YAML::Node& node,
                                     std::string_view path) {
  require_sequence(ctx, node, path);
  std::vector<bgf_rule> rules;
  std::size_t i = 0;
  for (const auto& item : node) rules.push_back(load_rule(ctx, item, index_path(path, i++)));
  return rules;
}

void load_background_fetch(const context& ctx, const YAML::Node& node, std::string_view path,
                           background_fetch_settings& out) {
  const map_reader map(
      ctx, node, std::string(path),
      {"max_concurrent", "queue_size", "retry_backoff", "consolidate", "log", "rules"});
  if (const auto* e = map.find("max_concurrent")) {
    out.max_concurrent =
        static_cast<unsigned>(read_uint(ctx, e->value, map.path_of("max_concurrent"), 1, 1024));
  }
  if (const auto* e = map.find("queue_size")) {
    out.queue_size = read_uint(ctx, e->value, map.path_of("queue_size"), 1, 1'000'000);
  }
  read_into(map, "retry_backoff", out.retry_backoff, read_duration);
  read_into(map, "consolidate", out.consolidate, read_bool);
  read_into(map, "log", out.log, read_optional_string);
  if (const auto* e = map.find("rules"))
    out.rules = load_bgf_rules(ctx, e->value, map.path_of("rules"));
}

}  // namespace rangecache::config::detail
