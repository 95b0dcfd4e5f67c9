#include "owner_page.hpp"

#include <vector>

#include "rangecache/plan/cache_request.hpp"
#include "rangecache/proxy/remap.hpp"
#include "rangecache/range/cache_key.hpp"
#include "rangecache/tier/route.hpp"
#include "rangecache/util/url_query.hpp"

namespace rangecache::proxy {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;  // never in a URL we accept
    out += c;
  }
  out += '"';
  return out;
}

// `items` as a JSON list's inside, each quoted.
void append_item(std::string& list, std::string_view item) {
  if (!list.empty()) list += ',';
  list += quoted(item);
}

// The key the rule places a request without Range (and without the key headers) by.
std::string rule_key(const config::remap_rule& rule, const request_authority& a,
                     const std::string& url_key) {
  if (rule.parents->hash == config::parent_hash::url) return url_key;
  std::vector<range::key_header> headers;
  const std::string host = authority_host_header(a);
  if (rule.preserve_host) headers.push_back({"host", host});
  for (const auto& name : rule.cache_key_headers) headers.push_back({name, std::nullopt});
  const auto url = plan::cache_url_for(rule, rewrite_target(rule, a.path_and_query));
  return range::cache_key(url, {}, headers);
}

// The node that fetches from the origin (a parent, or this node's own entry in a peer tier),
// "origin" for an edge that goes there itself, or "none (502)".
std::string where_it_goes(const config::parents_settings& p, const tier::route& r) {
  if (!r.parents.empty()) return p.nodes[r.parents.front()].text;
  if (!r.then_direct) return "none (502)";
  return p.self ? p.nodes[*p.self].text : "origin";
}

std::string describe(const config::remap_rule& rule, const request_authority& a,
                     const std::string& url, tier::parent_table& table, std::int64_t now) {
  const auto& p = *rule.parents;
  const auto ring = tier::ring_of(p);
  const auto url_key = tier::url_key(authority_host_header(a), a.path_and_query);
  const auto key = rule_key(rule, a, url_key);
  std::function<bool(std::size_t)> is_down = [&](std::size_t i) {
    return table.at(p.nodes[i].text).down(now);
  };
  std::string order, down;
  for (const auto i : ring.order(key)) {
    append_item(order, p.nodes[i].text);
    if (is_down(i)) append_item(down, p.nodes[i].text);
  }
  const auto fetcher = tier::plan_route(p, ring, url_key, false, is_down);
  const auto goes_to = tier::plan_route(p, ring, key, false, is_down);
  std::string out;
  out.append("{\"url\":").append(quoted(url));
  out.append(",\"rule\":").append(quoted(rule.from_text));
  out.append(",\"hash\":").append(p.hash == config::parent_hash::url ? "\"url\"" : "\"cache_key\"");
  out.append(",\"owner\":").append(quoted(p.nodes[ring.owner(key)].text));
  out.append(",\"order\":[").append(order).append("]");
  out.append(",\"down\":[").append(down).append("]");
  out.append(",\"self\":").append(p.self ? quoted(p.nodes[*p.self].text) : "null");
  out.append(",\"goes_to\":").append(quoted(where_it_goes(p, goes_to)));
  out.append(",\"fetches\":").append(quoted(where_it_goes(p, fetcher))).append("}\n");
  return out;
}

}  // namespace

owner_page owner_of_url(const config::config& cfg, tier::parent_table& parents, std::int64_t now,
                        std::string_view target) {
  const auto param = util::query_rest(target, "url");
  if (!param) return {400, "{\"error\":\"expected /owner?url=http://host/path\"}\n"};
  const std::string& url = *param;
  const auto authority = parse_authority(url, {});
  if (!authority) return {400, "{\"error\":\"expected an absolute http:// URL\"}\n"};
  const auto* rule = match_rule(cfg.remap, *authority);
  std::string head;
  head.append("{\"url\":").append(quoted(url));
  if (!rule) return {404, head.append(",\"error\":\"no remap rule\"}\n")};
  if (!rule->parents)
    return {
        200,
        head.append(",\"rule\":").append(quoted(rule->from_text)).append(",\"parents\":false}\n")};
  return {200, describe(*rule, *authority, url, parents, now)};
}

}  // namespace rangecache::proxy
