// `parents` of a remap rule (a tier of nodes that misses are routed through by consistent
// hashing) and the top-level `node_name`.
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "config/address_parse.hpp"
#include "config/sections.hpp"
#include "rangecache/util/http_text.hpp"

namespace rangecache::config::detail {

namespace {

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == ':';
}

// "host:port" with the port required; the text is made canonical (lower case, IPv6 in
// brackets) so that every node hashes and names a node the same way, however it is spelt.
parent_node read_node(const context& ctx, const item& at) {
  constexpr std::string_view what =
      "a node as host:port like \"10.0.0.11:8080\" or \"[fd00::1]:8080\"";
  if (!at.node.IsScalar()) ctx.expected(at, what);
  const auto text = at.node.Scalar();
  const auto hp = split_host_port(text);
  if (!hp || hp->host.empty() || !hp->port ||
      !std::all_of(hp->host.begin(), hp->host.end(), host_char))
    ctx.expected(at, what);
  const auto port = parse_port(*hp->port);
  if (!port) ctx.expected(at, std::string(what) + " (the port must be 1-65535)");
  parent_node node;
  node.host = util::lowered(hp->host);
  node.port = *port;
  const bool v6 = node.host.find(':') != std::string::npos;
  node.text = (v6 ? "[" + node.host + "]" : node.host) + ":" + std::to_string(node.port);
  return node;
}

std::vector<parent_node> read_nodes(const context& ctx, const item& at) {
  if (!at.node.IsSequence() || at.node.size() == 0)
    ctx.expected(at, "a list of at least one node like [\"10.0.0.11:8080\"]");
  std::vector<parent_node> nodes;
  for (const auto& element : list_items(ctx, at)) {
    auto node = read_node(ctx, element);
    for (const auto& other : nodes)
      if (other.text == node.text) ctx.fail(element, "node '" + node.text + "' is listed twice");
    nodes.push_back(std::move(node));
  }
  return nodes;
}

parent_hash read_hash(const context& ctx, const item& at) {
  const auto text = at.node.IsScalar() ? at.node.Scalar() : std::string();
  if (text == "url") return parent_hash::url;
  if (text == "cache_key") return parent_hash::cache_key;
  ctx.expected(at, "url or cache_key");
}

// The ring is read against a clock of whole seconds.
std::chrono::seconds read_mark_down(const context& ctx, const item& at) {
  const auto ms = read_duration(ctx, at);
  if (ms.count() % 1000 != 0) ctx.expected(at, "a duration in whole seconds like 10s");
  return std::chrono::duration_cast<std::chrono::seconds>(ms);
}

std::size_t read_self(const context& ctx, const item& at, const std::vector<parent_node>& nodes) {
  const auto self = read_node(ctx, at);
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].text == self.text) return i;
  ctx.fail(at, "'" + self.text + "' is not one of nodes (self names this node's own entry)");
}

}  // namespace

parents_settings load_parents(const context& ctx, const item& node, const crr_options& crr) {
  require_map(ctx, node);
  const map_reader map(ctx, node, {"nodes", "self", "hash", "go_direct", "mark_down"});
  parents_settings out;
  const auto* nodes = map.find("nodes");
  if (!nodes) ctx.fail(node.mark, node.path + ".nodes", "missing (the tier's nodes, host:port)");
  out.nodes = read_nodes(ctx, *nodes);
  if (const auto* value = map.find("self")) out.self = read_self(ctx, *value, out.nodes);
  // ps_cachekey is the ATS plugin's way of saying "parent selection by the cache key".
  if (crr.enabled && crr.ps_cachekey) out.hash = parent_hash::cache_key;
  if (const auto* value = map.find("hash")) {
    out.hash = read_hash(ctx, *value);
    if (crr.enabled && crr.ps_cachekey && out.hash == parent_hash::url)
      ctx.fail(*value,
               "url contradicts cache_range_requests.ps_cachekey: true, which means hash: "
               "cache_key; drop one of them");
  }
  read_into(map, "go_direct", out.go_direct, read_bool);
  read_into(map, "mark_down", out.mark_down, read_mark_down);
  return out;
}

std::string read_node_name(const context& ctx, const item& at) {
  auto name = read_string(ctx, at);
  // It goes into Via as a received-by token: no spaces, commas or comments.
  const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-._:[]").find(c) != std::string_view::npos;
  });
  if (!ok) ctx.expected(at, "a name like edge-1 or 10.0.0.11:8080 (letters, digits, - . _ : [ ])");
  return name;
}

std::string default_node_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "rangecache";
  return buf;
}

}  // namespace rangecache::config::detail
