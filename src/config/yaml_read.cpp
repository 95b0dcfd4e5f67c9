#include "config/yaml_read.hpp"

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
int line_of(const YAML::Mark& mark) {
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const std::string& scalar_or_fail(const context& ctx, const YAML::Node& at, std::string_view path,
                                  std::string_view expected) {
  if (!at.IsScalar()) ctx.expected(at, path, expected);
  return at.Scalar();
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

void context::fail(const YAML::Mark& at, std::string_view path, const std::string& message) const {
  std::string what = path.empty() ? message : std::string(path) + ": " + message;
  throw config_error(file_, line_of(at), column_of(at), what);
}

void context::fail(const YAML::Node& at, std::string_view path, const std::string& message) const {
  fail(at.Mark(), path, message);
}

void context::expected(const YAML::Node& at, std::string_view path,
                       std::string_view expected) const {
  fail(at, path, "expected " + std::string(expected) + ", got " + describe(at));
}

int line_of(const YAML::Node& node) {
  return line_of(node.Mark());
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

map_reader::map_reader(const context& ctx, const YAML::Node& node, std::string path,
                       std::initializer_list<std::string_view> allowed)
    : ctx_(ctx), node_(node), path_(std::move(path)) {
  require_map(ctx, node, path_);
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key_node = it->first;
    if (!key_node.IsScalar()) ctx.fail(key_node, path_, "keys must be plain names");
    const std::string& key = key_node.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string known;
      for (auto name : allowed) known += (known.empty() ? "" : ", ") + std::string(name);
      ctx.fail(key_node, path_of(key), "unknown key (expected one of: " + known + ")");
    }
    // yaml-cpp keeps both copies of a repeated key and reads the first: say so instead.
    if (find(key)) ctx.fail(key_node, path_of(key), "key given twice");
    entries_.push_back(entry{key, key_node, it->second});
  }
}

const map_reader::entry* map_reader::find(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::string map_reader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string index_path(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

void require_map(const context& ctx, const YAML::Node& at, std::string_view path) {
  if (!at.IsMap()) ctx.expected(at, path, "a map of keys");
}

void require_sequence(const context& ctx, const YAML::Node& at, std::string_view path) {
  if (!at.IsSequence()) ctx.expected(at, path, "a list");
}

std::string read_string(const context& ctx, const YAML::Node& at, std::string_view path) {
  return scalar_or_fail(ctx, at, path, "a string");
}

std::string read_optional_string(const context& ctx, const YAML::Node& at, std::string_view path) {
  if (at.IsNull()) return {};
  return read_string(ctx, at, path);
}

bool read_bool(const context& ctx, const YAML::Node& at, std::string_view path) {
  const auto text = lower(scalar_or_fail(ctx, at, path, "true or false"));
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  ctx.expected(at, path, "true or false");
}

std::uint64_t read_uint(const context& ctx, const YAML::Node& at, std::string_view path,
                        std::uint64_t min, std::uint64_t max) {
  const std::string what =
      "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  const auto& text = scalar_or_fail(ctx, at, path, what);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
      value > max) {
    ctx.expected(at, path, what);
  }
  return value;
}

std::uint64_t read_size(const context& ctx, const YAML::Node& at, std::string_view path) {
  constexpr std::string_view what = "a size like 10GiB, 512MiB or 65536";
  auto bytes = util::parse_size(scalar_or_fail(ctx, at, path, what));
  if (!bytes) ctx.expected(at, path, what);
  return *bytes;
}

std::chrono::milliseconds read_duration(const context& ctx, const YAML::Node& at,
                                        std::string_view path) {
  constexpr std::string_view what = "a duration like 30s, 500ms, 5m or 1h";
  auto ms = util::parse_duration(scalar_or_fail(ctx, at, path, what));
  if (!ms) ctx.expected(at, path, what);
  return *ms;
}

util::cidr read_cidr(const context& ctx, const YAML::Node& at, std::string_view path) {
  constexpr std::string_view what = "an address or network like 10.0.0.0/8 or ::1/128";
  const auto& text = scalar_or_fail(ctx, at, path, what);
  auto net = util::cidr::parse(text);
  if (!net) ctx.expected(at, path, what);
  // "10.0.0.1/8" is most likely a typo for a /32 or for 10.0.0.0/8; in an access list
  // either guess could let the wrong clients in.
  auto written = util::ip_address::parse(std::string_view(text).substr(0, text.find('/')));
  if (!written || !(*written == net->network)) {
    ctx.fail(at, path,
             "host bits are set in '" + text + "' (did you mean " + network_text(*net) + "?)");
  }
  return *net;
}

std::vector<util::cidr> read_cidr_list(const context& ctx, const YAML::Node& at,
                                       std::string_view path) {
  std::vector<util::cidr> out;
  if (at.IsScalar()) {
    out.push_back(read_cidr(ctx, at, path));
    return out;
  }
  if (!at.IsSequence()) ctx.expected(at, path, "a network or a list of networks");
  std::size_t i = 0;
  for (const auto& item : at) out.push_back(read_cidr(ctx, item, index_path(path, i++)));
  return out;
}

std::vector<std::string> read_string_list(const context& ctx, const YAML::Node& at,
                                          std::string_view path) {
  std::vector<std::string> out;
  if (at.IsScalar()) {
    out.push_back(at.Scalar());
    return out;
  }
  if (!at.IsSequence()) ctx.expected(at, path, "a string or a list of strings");
  std::size_t i = 0;
  for (const auto& item : at) out.push_back(read_string(ctx, item, index_path(path, i++)));
  return out;
}

}  // namespace rangecache::config::detail
