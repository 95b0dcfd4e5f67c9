// One entry of `remap`: from/to, cache_range_requests, background_fetch, cache_key,
// cache_control_field, parents, blocks.
#include <algorithm>
#include <cctype>

#include "config/remap_parse.hpp"
#include "config/sections.hpp"

namespace rangecache::config::detail {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// RFC 9110 §5.6.2 token: what a header field name may contain.
bool is_token(std::string_view text) {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](unsigned char c) {
    return std::isalnum(c) || extra.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

std::string read_header_name(const context& ctx, const item& at) {
  auto name = read_string(ctx, at);
  if (!is_token(name)) ctx.expected(at, "a header name like X-Crr-Ims");
  return name;
}

void read_url(const context& ctx, const map_reader& map, std::string_view key,
              std::string (*parse)(std::string_view, remap_rule&), remap_rule& rule) {
  const auto* value = map.find(key);
  if (!value) {
    ctx.fail(map.self().mark, map.self().path + "." + std::string(key),
             "missing (every remap rule needs from and to)");
  }
  const auto text = read_string(ctx, *value);
  if (auto why = parse(text, rule); !why.empty()) ctx.fail(*value, why + ", got '" + text + "'");
}

crr_options load_crr(const context& ctx, const item& node, YAML::Mark& no_modify_mark) {
  crr_options crr;
  // `true` and `{}` both mean "on, with the defaults".
  if (node.node.IsScalar()) {
    crr.enabled = read_bool(ctx, node);
    return crr;
  }
  if (!node.node.IsMap()) ctx.expected(node, "true, false or a map of options");
  const map_reader map(
      ctx, node,
      {"ps_cachekey", "consider_ims", "ims_header", "consider_ident", "ident_header",
       "no_modify_cachekey", "verify_cacheability", "cache_complete_responses"});
  crr.enabled = true;
  read_into(map, "ps_cachekey", crr.ps_cachekey, read_bool);
  read_into(map, "consider_ims", crr.consider_ims, read_bool);
  read_into(map, "ims_header", crr.ims_header, read_header_name);
  read_into(map, "consider_ident", crr.consider_ident, read_bool);
  read_into(map, "ident_header", crr.ident_header, read_header_name);
  read_into(map, "no_modify_cachekey", crr.no_modify_cachekey, read_bool);
  read_into(map, "verify_cacheability", crr.verify_cacheability, read_bool);
  read_into(map, "cache_complete_responses", crr.cache_complete_responses, read_bool);
  // As in ATS, naming the header turns its feature on unless the file says otherwise.
  if (map.find("ims_header") && !map.find("consider_ims")) crr.consider_ims = true;
  if (map.find("ident_header") && !map.find("consider_ident")) crr.consider_ident = true;
  if (const auto* value = map.find("no_modify_cachekey")) no_modify_mark = value->mark;
  return crr;
}

void load_rule_bgf(const context& ctx, const item& node, remap_rule& rule) {
  if (node.node.IsScalar()) {
    rule.background_fetch = read_bool(ctx, node);
    return;
  }
  if (!node.node.IsMap()) ctx.expected(node, "true, false or a map with rules");
  const map_reader map(ctx, node, {"rules"});
  rule.background_fetch = true;
  if (const auto* value = map.find("rules")) {
    rule.background_fetch_rules = load_bgf_rules(ctx, *value);
  }
}

std::vector<std::string> load_cache_key(const context& ctx, const item& node) {
  const map_reader map(ctx, node, {"headers"});
  std::vector<std::string> headers;
  const auto* list = map.find("headers");
  if (!list) return headers;
  if (list->node.IsScalar()) return {read_header_name(ctx, *list)};
  for (const auto& element : list_items(ctx, *list)) {
    auto name = read_header_name(ctx, element);
    if (std::any_of(headers.begin(), headers.end(),
                    [&](const std::string& h) { return iequals(h, name); })) {
      ctx.fail(element, "header '" + name + "' is listed twice");
    }
    headers.push_back(std::move(name));
  }
  return headers;
}

// RFC 9213 targeted fields, in order of precedence: one name, a list, or [] for none. The
// fields a cache already reads with another meaning cannot be one.
std::vector<std::string> load_cache_control_fields(const context& ctx, const item& node) {
  std::vector<std::string> names;
  std::vector<item> elements;
  if (node.node.IsScalar())
    elements.push_back(node);
  else if (node.node.IsSequence())
    elements = list_items(ctx, node);
  else
    ctx.expected(node, "a header name like CDN-Cache-Control, or a list of them");
  for (const auto& element : elements) {
    auto name = read_string(ctx, element);
    if (!is_token(name)) ctx.expected(element, "a header name like CDN-Cache-Control");
    for (std::string_view taken : {"Cache-Control", "Expires", "Pragma"}) {
      if (iequals(name, taken))
        ctx.fail(element, "'" + name +
                              "' cannot be a targeted field (use CDN-Cache-Control or "
                              "another field meant for this cache)");
    }
    if (std::any_of(names.begin(), names.end(),
                    [&](const std::string& n) { return iequals(n, name); })) {
      ctx.fail(element, "header '" + name + "' is listed twice");
    }
    names.push_back(std::move(name));
  }
  return names;
}

// Bounded so that one block is never a trivial request nor a huge buffer in flight.
std::uint64_t read_block_size(const context& ctx, const item& at) {
  const auto bytes = read_size(ctx, at);
  if (bytes < block_settings::min_size || bytes > block_settings::max_size)
    ctx.expected(at, "a block size from 64KiB to 64MiB");
  return bytes;
}

// `{}` means every default; a bare `blocks:` or `blocks: true` is refused so that the
// settings are always written as a map, where a typo in a key is caught.
block_settings load_blocks(const context& ctx, const item& node) {
  if (!node.node.IsMap())
    ctx.expected(node,
                 "a map like { size: 1MiB, min_object: 256MiB, read_ahead: 4 } ({} for "
                 "the defaults)");
  const map_reader map(ctx, node, {"size", "min_object", "read_ahead"});
  block_settings out;
  read_into(map, "size", out.size, read_block_size);
  read_into(map, "min_object", out.min_object, read_size);
  if (const auto* value = map.find("read_ahead"))
    out.read_ahead = static_cast<std::uint32_t>(read_uint(ctx, *value, 0, 64));
  return out;
}

// Block mode stores each block under the key of its own aligned range; no_modify_cachekey
// keys by the client's Range header instead, so the two cannot describe one object.
void check_blocks_key(const context& ctx, const item& at, const crr_options& crr,
                      const YAML::Mark& no_modify_mark) {
  if (!crr.enabled || !crr.no_modify_cachekey) return;
  ctx.fail(at, "cannot be used with cache_range_requests.no_modify_cachekey: true (line " +
                   std::to_string(line_of(no_modify_mark)) +
                   "): block mode keys every block by its own aligned range, not by the "
                   "client's Range; drop one of them");
}

}  // namespace

remap_rule load_remap_rule(const context& ctx, const item& node, positions& where) {
  const map_reader map(ctx, node,
                       {"from", "to", "preserve_host", "cache_range_requests", "background_fetch",
                        "cache_key", "cache_control_field", "parents", "blocks"});
  remap_rule rule;
  rule.line = line_of(node.mark);
  read_url(ctx, map, "from", parse_from, rule);
  read_url(ctx, map, "to", parse_to, rule);
  where.remap_from.push_back(map.find("from")->mark);

  read_into(map, "preserve_host", rule.preserve_host, read_bool);
  auto no_modify_mark = YAML::Mark::null_mark();
  if (const auto* value = map.find("cache_range_requests")) {
    rule.cache_range_requests = load_crr(ctx, *value, no_modify_mark);
  }
  where.no_modify_cachekey.push_back(no_modify_mark);
  if (const auto* value = map.find("background_fetch")) load_rule_bgf(ctx, *value, rule);
  read_into(map, "cache_key", rule.cache_key_headers, load_cache_key);
  read_into(map, "cache_control_field", rule.cache_control_fields, load_cache_control_fields);
  if (const auto* value = map.find("parents"))
    rule.parents = load_parents(ctx, *value, rule.cache_range_requests);
  if (const auto* value = map.find("blocks")) {
    rule.blocks = load_blocks(ctx, *value);
    check_blocks_key(ctx, *value, rule.cache_range_requests, no_modify_mark);
  }
  return rule;
}

}  // namespace rangecache::config::detail
