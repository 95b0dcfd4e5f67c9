// What one GET or HEAD means to the cache: its keys, its ranges, which objects may answer it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rangecache/config/config.hpp"
#include "rangecache/range/parse.hpp"

namespace rangecache::plan {

struct cache_request {
  std::string target;     // upstream request target (after remap)
  std::string url;        // cache URL: origin-facing, as ATS builds it
  std::string full_key;   // the complete object's key
  std::string range_key;  // the range object's key; empty when range caching does not apply
  // Vary (plan/vary.hpp). The two keys above without a variant: a vary index may stand under
  // the first, a variant's range key is built on the second. `variant` is the one this
  // request selects once a vary index (whose names are `vary_names`) was found; empty before.
  std::string base_full_key;
  std::string base_range_key;
  std::string variant;
  std::string vary_names;
  bool variant_unstorable = false;  // what it selects is too long to store: not from the cache
  range::parsed_range ranges;
  bool ranged = false;  // a valid bytes Range (single or several)
  bool crr = false;     // cache_range_requests applies: one range, GET, not skipped
  bool head = false;
  bool if_range = false;        // the request has If-Range
  bool from_fetch = false;      // a trusted peer's background fetch: never triggers one itself
  bool only_if_cached = false;  // the client must not make us ask the origin (504 instead)
  // The rule's targeted cache-control fields (RFC 9213), which stand in for Cache-Control
  // in our own decisions and never reach a client. Points into the rule.
  std::span<const std::string> cache_control_fields;
  // Control headers from a trusted client, already checked.
  std::optional<std::int64_t> crr_ims;  // X-Crr-Ims date
  std::string crr_ident;                // X-Crr-Ident value
};

// The cache URL of an upstream target under a rule: the origin-facing URL (the rule's `to`
// host and port), so every `from` that maps to one origin object shares its cache entry.
std::string cache_url_for(const config::remap_rule& rule, std::string_view target);
void cache_url_for(const config::remap_rule& rule, std::string_view target, std::string& out);

// Makes `cr` what a new cache_request is, keeping its strings' buffers: a connection's next
// request builds its target, URL and keys without allocating.
void recycle(cache_request& cr);

// Points full_key and range_key at `variant` of the object ("": at the object itself).
void use_variant(cache_request& cr, std::string variant);

// The access-log cache field and the X-Cache header.
namespace cache_result {
inline constexpr const char* hit = "HIT";            // range object, fresh
inline constexpr const char* hit_full = "HIT_FULL";  // answered from the complete object
inline constexpr const char* miss = "MISS";
inline constexpr const char* revalidated = "REVALIDATED";  // 304 from the origin
inline constexpr const char* refreshed = "REFRESH";        // stale, origin sent a new body
// Stale, served because the origin failed (stale-if-error or unreachable) or while it is
// revalidated in the background (stale-while-revalidate).
inline constexpr const char* stale = "STALE";
inline constexpr const char* pass = "PASS";
inline constexpr const char* collapsed = "COLLAPSED";  // served from another request's fill
}  // namespace cache_result

}  // namespace rangecache::plan
