// Remap: which rule answers a request, and the upstream target it becomes. Pure logic.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rangecache/config/config.hpp"

namespace rangecache::proxy {

// Where a request is aimed, from its target (origin-form or absolute-form) and Host.
struct request_authority {
  std::string host;  // lower case, no brackets around IPv6
  std::optional<std::uint16_t> port;
  std::string_view path_and_query;  // always starts with '/'
};

// nullopt: the target or Host is malformed (answer 400).
std::optional<request_authority> parse_authority(std::string_view target,
                                                 std::string_view host_header);

// The path with its dot segments removed (RFC 3986 §5.2.4; "%2e" counts as "."), query kept
// as it is; nullopt when there is nothing to remove (the common case: no allocation).
std::optional<std::string> normalize_path(std::string_view path_and_query);

// The rule with the longest `from` prefix matching host (+ port when the rule names one) and
// path; nullptr when none does (answer 404: never an open proxy).
const config::remap_rule* match_rule(const std::vector<config::remap_rule>& rules,
                                     const request_authority& authority);

// The upstream request target: the rule's `to` path with the part after `from`'s prefix.
std::string rewrite_target(const config::remap_rule& rule, std::string_view path_and_query);
// The same into `out` (replacing what it held, in its capacity).
void rewrite_target(const config::remap_rule& rule, std::string_view path_and_query,
                    std::string& out);

// Host header value for the origin: `host` or `host:port` (IPv6 in brackets).
std::string origin_host_header(const config::remap_rule& rule);

// The client's authority as a Host value, `host` or `host:port` (IPv6 in brackets): what a
// preserve_host rule sends upstream, and so also part of its cache key.
std::string authority_host_header(const request_authority& authority);

}  // namespace rangecache::proxy
