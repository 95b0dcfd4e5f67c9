// Targeted cache-control fields (RFC 9213): CDN-Cache-Control, or another name a rule
// gives, tell a cache of that kind what to do instead of Cache-Control. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rangecache::cache {

// A targeted field's value (its lines joined with ", ") rewritten as Cache-Control text
// ("max-age=60, no-store") for parse_cache_control; nullopt when it is empty or not a valid
// Dictionary Structured Field (RFC 8941 §3.2), which makes the field count as absent
// (RFC 9213 §2.2). Members with the Boolean false are left out, parameters are ignored, and
// a value that is neither a Boolean, an Integer, a Decimal, a Token nor a String leaves the
// bare directive name (private=("a") is read as private, max-age=(1) as a bad max-age).
std::optional<std::string> targeted_cache_control(std::string_view value);

}  // namespace rangecache::cache
