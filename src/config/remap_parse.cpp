#include "config/remap_parse.hpp"
#include "rangecache/util/http_text.hpp"

#include <algorithm>
#include <cctype>

#include "config/address_parse.hpp"
#include "rangecache/util/cidr.hpp"

namespace rangecache::config::detail {

namespace {

struct url_parts {
  std::string_view scheme;
  std::string_view authority;
  std::string_view path;  // "" when the URL has none
};

// Just enough of RFC 3986 for an origin: no userinfo, query or fragment; those have no
// meaning for a prefix rule and are most likely a pasted request URL.
std::string split_url(std::string_view text, url_parts& out) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return "an absolute URL like http://host/";
  out.scheme = text.substr(0, sep);
  const auto rest = text.substr(sep + 3);
  const auto slash = rest.find('/');
  out.authority = rest.substr(0, slash);
  out.path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (out.authority.find('@') != std::string_view::npos) return "no user name or password";
  for (char c : out.path) {
    if (c == '?' || c == '#') return "a path prefix without a query or fragment";
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return "no spaces or control characters";
  }
  return {};
}

// Returns the whole message, not just what was expected: https deserves its own words.
std::string check_scheme(std::string_view scheme, const char* example) {
  const auto s = util::lowered(scheme);
  if (s == "http") return {};
  if (s == "https") {
    return "https is not supported yet (rangecache has no TLS); expected an http:// URL (" +
           std::string(example) + ")";
  }
  return "expected an http:// URL (" + std::string(example) + ")";
}

bool is_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

// Host and port of either URL; `any` allows the `*` wildcard host (only in `from`).
std::string parse_authority(std::string_view authority, bool any, std::string& host,
                            std::optional<std::uint16_t>& port) {
  auto hp = split_host_port(authority);
  if (!hp) return "host[:port], with IPv6 addresses in brackets";
  if (hp->bracketed) {
    if (hp->host.find(':') == std::string_view::npos || !util::ip_address::parse(hp->host)) {
      return "an IPv6 address inside the brackets";
    }
  } else if (!(any && hp->host == "*") && !is_name(hp->host)) {
    return any ? "a host name, an IP address or * (any host)" : "a host name or an IP address";
  }
  host = util::lowered(hp->host);
  port.reset();
  if (hp->port) {
    port = parse_port(*hp->port);
    if (!port) return "a port between 1 and 65535";
  }
  return {};
}

std::string with_example(const std::string& what, const char* example) {
  return "expected " + what + " (" + example + ")";
}

}  // namespace

std::string parse_from(std::string_view text, remap_rule& out) {
  constexpr const char* example = "like http://videos.example.com/ or http://*/";
  url_parts parts;
  if (auto why = split_url(text, parts); !why.empty()) return with_example(why, example);
  if (auto why = check_scheme(parts.scheme, example); !why.empty()) return why;
  // The path is matched as a prefix of the request target, which always starts with '/'.
  if (parts.path.empty()) return with_example("a path after the host", example);
  std::string host;
  std::optional<std::uint16_t> port;
  if (auto why = parse_authority(parts.authority, true, host, port); !why.empty()) {
    return with_example(why, example);
  }
  out.from_scheme = "http";
  out.from_host = parts.authority.starts_with('[') ? "[" + host + "]" : host;
  out.from_port = port;
  out.from_path = std::string(parts.path);
  out.from_text = std::string(text);
  return {};
}

std::string parse_to(std::string_view text, remap_rule& out) {
  constexpr const char* example = "like http://127.0.0.1:8000/";
  url_parts parts;
  if (auto why = split_url(text, parts); !why.empty()) return with_example(why, example);
  if (auto why = check_scheme(parts.scheme, example); !why.empty()) return why;
  std::string host;
  std::optional<std::uint16_t> port;
  if (auto why = parse_authority(parts.authority, false, host, port); !why.empty()) {
    return with_example(why, example);
  }
  out.to_scheme = "http";
  out.to_host = host;
  out.to_port = port.value_or(80);
  out.to_path = parts.path.empty() ? std::string("/") : std::string(parts.path);
  out.to_text = std::string(text);
  return {};
}

}  // namespace rangecache::config::detail
