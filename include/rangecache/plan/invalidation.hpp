// What a successful unsafe request makes stale (RFC 9111 §4.4): its own URI, and the URIs
// its answer names in Location and Content-Location when they are on the same origin (a
// cache must not let one origin's answers remove another's objects).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rangecache::plan {

// Safe methods (RFC 9110 §9.2.1) change nothing; an answer to any other method — unsafe or
// unknown — with a non-error status (below 400) invalidates.
bool invalidates(std::string_view method, unsigned status);

// The request target (path and query) a Location or Content-Location value names, when it
// is on the same origin: a path-absolute reference, a relative path (resolved against
// `request_path`), or an http URI whose authority is one of `same_origin` ("host" or
// "host:port"; port 80 may be left out on either side). nullopt for anything else: another
// host, another scheme, a network-path reference ("//host/..."), an empty value.
std::optional<std::string> same_origin_target(std::string_view reference,
                                              std::string_view request_path,
                                              std::span<const std::string_view> same_origin);

}  // namespace rangecache::plan
