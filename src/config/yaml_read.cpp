#include "config/yaml_read.hpp"
#include "rangecache/util/http_text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "rangecache/util/size.hpp"

namespace rangecache::config::detail {

namespace {

int column_of(const YAML::Mark& mark) {
  return mark.is_null() ? 0 : mark.column + 1;
}

const std::string& scalar_or_fail(const context& ctx, const item& at, std::string_view expected) {
  if (!at.node.IsScalar()) ctx.expected(at, expected);
  return at.node.Scalar();
}

std::string network_text(const util::cidr& net) {
  char buf[INET6_ADDRSTRLEN];
  if (net.network.is_v4_mapped()) {
    inet_ntop(AF_INET, net.network.bytes.data() + 12, buf, sizeof buf);
    return std::string(buf) + '/' + std::to_string(net.prefix - 96);
  }
  inet_ntop(AF_INET6, net.network.bytes.data(), buf, sizeof buf);
  return std::string(buf) + '/' + std::to_string(net.prefix);
}

}  // namespace

int line_of(const YAML::Mark& mark) {
  return mark.is_null() ? 0 : mark.line + 1;
}

void context::fail(const YAML::Mark& at, std::string_view path, const std::string& message) const {
  std::string what = path.empty() ? message : std::string(path) + ": " + message;
  throw config_error(file_, line_of(at), column_of(at), what);
}

void context::fail(const item& at, const std::string& message) const {
  fail(at.mark, at.path, message);
}

void context::expected(const item& at, std::string_view expected) const {
  fail(at, "expected " + std::string(expected) + ", got " + describe(at.node));
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

item root_item(const YAML::Node& root) {
  return item{root, "", root.Mark()};
}

map_reader::map_reader(const context& ctx, const item& map,
                       std::initializer_list<std::string_view> allowed)
    : ctx_(ctx), self_(map) {
  require_map(ctx, map);
  for (auto it = map.node.begin(); it != map.node.end(); ++it) {
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    if (!key_node.IsScalar()) ctx.fail(key_node.Mark(), self_.path, "keys must be plain names");
    const std::string& key = key_node.Scalar();
    const auto path = path_of(key);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string known;
      for (auto name : allowed) known += (known.empty() ? "" : ", ") + std::string(name);
      ctx.fail(key_node.Mark(), path, "unknown key (expected one of: " + known + ")");
    }
    // yaml-cpp keeps both copies of a repeated key and reads the first: say so instead.
    if (find(key)) ctx.fail(key_node.Mark(), path, "key given twice");
    const auto mark = value.IsNull() ? key_node.Mark() : value.Mark();
    entries_.push_back(entry{key, item{value, path, mark}});
  }
}

const item* map_reader::find(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

std::string map_reader::path_of(std::string_view key) const {
  return self_.path.empty() ? std::string(key) : self_.path + "." + std::string(key);
}

std::vector<item> list_items(const context& ctx, const item& list) {
  if (!list.node.IsSequence()) ctx.expected(list, "a list");
  std::vector<item> out;
  std::size_t i = 0;
  for (const auto& element : list.node) {
    const YAML::Node node = element;
    // An empty element ("- ") has no position of its own; the list's is the closest.
    const auto mark = node.IsNull() ? list.mark : node.Mark();
    out.push_back(item{node, list.path + "[" + std::to_string(i++) + "]", mark});
  }
  return out;
}

void require_map(const context& ctx, const item& at) {
  if (!at.node.IsMap()) ctx.expected(at, "a map of keys");
}

std::string read_string(const context& ctx, const item& at) {
  return scalar_or_fail(ctx, at, "a string");
}

std::string read_optional_string(const context& ctx, const item& at) {
  if (at.node.IsNull()) return {};
  return read_string(ctx, at);
}

bool read_bool(const context& ctx, const item& at) {
  const auto text = util::lowered(scalar_or_fail(ctx, at, "true or false"));
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  ctx.expected(at, "true or false");
}

std::uint64_t read_uint(const context& ctx, const item& at, std::uint64_t min, std::uint64_t max) {
  const std::string what =
      "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  const auto& text = scalar_or_fail(ctx, at, what);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
      value > max) {
    ctx.expected(at, what);
  }
  return value;
}

std::uint64_t read_size(const context& ctx, const item& at) {
  constexpr std::string_view what = "a size like 10GiB, 512MiB or 65536";
  auto bytes = util::parse_size(scalar_or_fail(ctx, at, what));
  if (!bytes) ctx.expected(at, what);
  return *bytes;
}

std::chrono::milliseconds read_duration(const context& ctx, const item& at) {
  constexpr std::string_view what = "a duration like 30s, 500ms, 5m or 1h";
  auto ms = util::parse_duration(scalar_or_fail(ctx, at, what));
  if (!ms) ctx.expected(at, what);
  return *ms;
}

util::cidr read_cidr(const context& ctx, const item& at) {
  constexpr std::string_view what = "an address or network like 10.0.0.0/8 or ::1/128";
  const auto& text = scalar_or_fail(ctx, at, what);
  auto net = util::cidr::parse(text);
  if (!net) ctx.expected(at, what);
  // "10.0.0.1/8" is most likely a typo for a /32 or for 10.0.0.0/8; in an access list
  // either guess could let the wrong clients in.
  auto written = util::ip_address::parse(std::string_view(text).substr(0, text.find('/')));
  if (!written || !(*written == net->network)) {
    ctx.fail(at, "host bits are set in '" + text + "' (did you mean " + network_text(*net) + "?)");
  }
  return *net;
}

std::vector<util::cidr> read_cidr_list(const context& ctx, const item& at) {
  if (at.node.IsScalar()) return {read_cidr(ctx, at)};
  if (!at.node.IsSequence()) ctx.expected(at, "a network or a list of networks");
  std::vector<util::cidr> out;
  for (const auto& element : list_items(ctx, at)) out.push_back(read_cidr(ctx, element));
  return out;
}

}  // namespace rangecache::config::detail
