#include "config/address_parse.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "rangecache/util/cidr.hpp"

namespace rangecache::config::detail {

std::optional<host_port> split_host_port(std::string_view text) {
  host_port out;
  std::string_view rest;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = text.substr(1, close - 1);
    out.bracketed = true;
    rest = text.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
  } else {
    const auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return std::nullopt;
    }
    out.host = text.substr(0, colon);
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (!rest.empty()) out.port = rest.substr(1);
  return out;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::string parse_listen(std::string_view text, listen_endpoint& out) {
  const std::string expected = "expected an IP address and a port like 0.0.0.0:8080 or [::]:8080";
  auto hp = split_host_port(text);
  if (!hp) {
    const bool bare_v6 = !text.starts_with('[') && text.find(':') != text.rfind(':');
    return expected + (bare_v6 ? " (IPv6 addresses need brackets)" : "");
  }
  // Names are refused: a listener must not depend on DNS at start-up, and a name with
  // several addresses would make it unclear what is bound.
  const bool is_v6 = hp->host.find(':') != std::string_view::npos;
  if (!util::ip_address::parse(hp->host) || is_v6 != hp->bracketed) {
    const bool named = !hp->bracketed && std::any_of(hp->host.begin(), hp->host.end(), [](char c) {
      return std::isalpha(static_cast<unsigned char>(c));
    });
    return expected + (named ? " (an IP literal, not a host name)" : "");
  }
  if (!hp->port) return expected + " (the port is missing)";
  // Port 0 asks the kernel for a free port (tests, --port-file): the server binds the first
  // worker's socket, reads the port back and binds the other workers to that same port.
  auto port = *hp->port == "0" ? std::optional<std::uint16_t>(0) : parse_port(*hp->port);
  if (!port) return expected + " (the port must be 0-65535)";
  out.address = std::string(hp->host);
  out.port = *port;
  out.text = std::string(text);
  return {};
}

}  // namespace rangecache::config::detail

namespace rangecache::config {

std::string parse_endpoint(std::string_view text, listen_endpoint& out) {
  return detail::parse_listen(text, out);
}

}  // namespace rangecache::config
