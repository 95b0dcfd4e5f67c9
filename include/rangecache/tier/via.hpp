// Reading Via (RFC 9110 §7.6.3) for loop prevention in a tier: a request that a tier node
// already forwarded names that node in its Via, and must not be forwarded again.
#pragma once

#include <span>
#include <string_view>

namespace rangecache::tier {

// Whether a received-by of any entry of the Via field value `via` ("1.1 10.0.0.11:8080,
// 1.0 fred (comment)") is one of `names`, compared without regard to case.
bool via_names_any(std::string_view via, std::span<const std::string_view> names);

}  // namespace rangecache::tier
