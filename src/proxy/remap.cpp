#include "rangecache/proxy/remap.hpp"
#include "rangecache/util/http_text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace rangecache::proxy {
namespace {

bool valid_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == ':' || c == '%' || c == '~';
}

// Splits "host", "host:port", "[v6]" or "[v6]:port"; nullopt when malformed.
std::optional<request_authority> split_host_port(std::string_view text) {
  request_authority out;
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    auto colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (host.find(':') != std::string_view::npos) return std::nullopt;
    }
  }
  if (host.empty()) return std::nullopt;
  if (!std::all_of(host.begin(), host.end(), valid_host_char)) return std::nullopt;
  if (!port.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535)
      return std::nullopt;
    out.port = static_cast<std::uint16_t>(value);
  }
  out.host = util::lowered(host);
  return out;
}

std::string_view path_only(std::string_view path_and_query) {
  auto q = path_and_query.find('?');
  return q == std::string_view::npos ? path_and_query : path_and_query.substr(0, q);
}

// A segment that is "." or ".." once "%2e" is read as ".": 1 or 2, else 0.
int dot_segment(std::string_view seg) {
  int dots = 0;
  while (!seg.empty()) {
    if (seg.front() == '.') {
      seg.remove_prefix(1);
    } else if (seg.size() >= 3 && seg[0] == '%' && seg[1] == '2' &&
               (seg[2] == 'e' || seg[2] == 'E')) {
      seg.remove_prefix(3);
    } else {
      return 0;
    }
    if (++dots > 2) return 0;
  }
  return dots;
}

// `host` or `host:port`, an IPv6 address in brackets: how a Host field spells an authority.
std::string host_header(std::string_view host, std::optional<std::uint16_t> port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  std::string out;
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
  if (port) {
    out += ':';
    out += std::to_string(*port);
  }
  return out;
}

// Whether a segment of `path` may be a dot segment: only one that starts with '.' or '%' can
// be. Most paths have none, and are passed over without taking them apart.
bool may_have_dot_segment(std::string_view path) {
  for (auto p = path.find('/'); p != std::string_view::npos; p = path.find('/', p + 1))
    if (p + 1 < path.size() && (path[p + 1] == '.' || path[p + 1] == '%')) return true;
  return false;
}

}  // namespace

std::optional<std::string> normalize_path(std::string_view path_and_query) {
  auto q = path_and_query.find('?');
  std::string_view path = path_and_query.substr(0, q);
  std::string_view query =
      q == std::string_view::npos ? std::string_view{} : path_and_query.substr(q);
  if (!may_have_dot_segment(path)) return std::nullopt;
  // Split on '/', skipping the leading one; "." drops itself, ".." its parent too.
  std::vector<std::string_view> kept;
  bool changed = false, trailing_slash = false;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    auto end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    auto seg = path.substr(pos, end - pos);
    const bool last = end == path.size();
    if (int dots = dot_segment(seg)) {
      changed = true;
      if (dots == 2 && !kept.empty()) kept.pop_back();
      trailing_slash = last;  // "/a/.." is "/a/"'s parent directory: "/"
    } else {
      kept.push_back(seg);
      trailing_slash = false;
    }
    pos = end + 1;
  }
  if (!changed) return std::nullopt;
  std::string out;
  out.reserve(path_and_query.size());
  for (auto seg : kept) out.append("/").append(seg);
  if (out.empty() || trailing_slash) out.push_back('/');
  out.append(query);
  return out;
}

std::optional<request_authority> parse_authority(std::string_view target,
                                                 std::string_view host_header) {
  constexpr std::string_view http_prefix = "http://";
  if (target.size() >= http_prefix.size() &&
      util::lowered(target.substr(0, http_prefix.size())) == http_prefix) {
    // Absolute form: the target's authority wins over Host (RFC 9112 §3.2.2).
    auto rest = target.substr(http_prefix.size());
    auto slash = rest.find_first_of("/?");
    auto authority = split_host_port(rest.substr(0, slash));
    if (!authority) return std::nullopt;
    if (slash == std::string_view::npos || rest[slash] != '/') return std::nullopt;
    authority->path_and_query = rest.substr(slash);
    return authority;
  }
  if (target.empty() || target.front() != '/') return std::nullopt;
  auto authority = split_host_port(host_header);
  if (!authority) return std::nullopt;
  authority->path_and_query = target;
  return authority;
}

const config::remap_rule* match_rule(const std::vector<config::remap_rule>& rules,
                                     const request_authority& authority) {
  const config::remap_rule* best = nullptr;
  auto path = path_only(authority.path_and_query);
  for (const auto& rule : rules) {
    if (rule.from_host != "*" && rule.from_host != authority.host) continue;
    if (rule.from_port && authority.port.value_or(80) != *rule.from_port) continue;
    if (!path.starts_with(rule.from_path)) continue;
    // Equal prefixes: a named host beats the wildcard.
    if (!best || rule.from_path.size() > best->from_path.size() ||
        (rule.from_path.size() == best->from_path.size() && best->from_host == "*" &&
         rule.from_host != "*"))
      best = &rule;
  }
  return best;
}

std::string rewrite_target(const config::remap_rule& rule, std::string_view path_and_query) {
  std::string out;
  rewrite_target(rule, path_and_query, out);
  return out;
}

void rewrite_target(const config::remap_rule& rule, std::string_view path_and_query,
                    std::string& out) {
  out.assign(rule.to_path);
  auto rest = path_and_query.substr(std::min(rule.from_path.size(), path_and_query.size()));
  if (!out.empty() && out.back() == '/' && !rest.empty() && rest.front() == '/')
    rest.remove_prefix(1);
  out.append(rest);
  if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
}

std::string authority_host_header(const request_authority& authority) {
  return host_header(authority.host, authority.port);
}

std::string origin_host_header(const config::remap_rule& rule) {
  // Port 80 is http's default: left out, as a browser would.
  return host_header(
      rule.to_host, rule.to_port == 80 ? std::nullopt : std::optional<std::uint16_t>(rule.to_port));
}

}  // namespace rangecache::proxy
