// host[:port] text as it appears in `listen`, `admin.listen` and remap URLs. No YAML here,
// so the unit tests can drive it directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rangecache/config/config.hpp"

namespace rangecache::config::detail {

struct host_port {
  std::string_view host;  // without the brackets
  bool bracketed = false;
  std::optional<std::string_view> port;  // the text after ':', maybe empty
};

// Splits "[::1]:80", "a.b:80", "a.b". Fails on an unbracketed host with a colon in it other
// than the port separator, which is what an IPv6 address without brackets looks like.
std::optional<host_port> split_host_port(std::string_view text);

// 1-65535, decimal digits only.
std::optional<std::uint16_t> parse_port(std::string_view text);

// Each returns "" on success, otherwise what was expected (for config_error).
std::string parse_listen(std::string_view text, listen_endpoint& out);

}  // namespace rangecache::config::detail
