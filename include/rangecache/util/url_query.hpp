// The query of a request target, for the admin listener's parameters (`/purge?url=...`),
// and the encoding `rangecache ctl` sends them in. Plain text, no HTTP library.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rangecache::util {

// The path of a request target: everything before '?'.
std::string_view target_path(std::string_view target);

// The first value of `name` in the target's query, percent-decoded. nullopt when the name is
// absent or its value has a malformed escape. '+' stays '+': URLs are passed, not form text.
std::optional<std::string> query_param(std::string_view target, std::string_view name);

// The value of `name` as everything after "name=" to the end of the target, percent-decoded:
// for a last parameter that is itself a URL, which an operator may paste unencoded, its own
// query and '&' included. nullopt when absent or malformed.
std::optional<std::string> query_rest(std::string_view target, std::string_view name);

// Every byte but RFC 3986's unreserved characters as %XX, so any URL fits in a query value.
std::string percent_encode(std::string_view text);

}  // namespace rangecache::util
