// Cache-Control (RFC 9111 §5.2) read into one struct, request and response directives
// together, with the RFC 5861 extensions, and Pragma's one directive (§5.4). Pure: plain
// header values in, plain values out.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rangecache::cache {

// delta-seconds above this are read as this (RFC 9111 §1.2.2).
inline constexpr std::int64_t delta_seconds_max = 2147483648;  // 2^31

// Cache-Control directives, request and response ones together. Names are case-insensitive;
// arguments may be tokens or quoted strings (both accepted as RFC 9111 §5.2 asks); unknown
// directives are ignored. Conflicts resolve toward caching less:
// - max-age / s-maxage given twice with different values, or with a value that is not a
//   delta-seconds, count as 0 (RFC 9111 §4.2.1: "considered stale");
// - min-fresh given twice keeps the larger, max-stale the smaller;
// - stale-while-revalidate / stale-if-error given twice keep the smaller, and one that is
//   not a delta-seconds counts as 0 (no stale answer on its account);
// - the qualified forms no-cache="f" and private="f" name fields instead: the response
//   stays storable and reusable, and the fields named are never stored (so never sent
//   from the cache without the origin's say, RFC 9111 §5.2.2.4, §5.2.2.7). A malformed
//   argument counts as the unqualified form.
struct cache_control {
  bool no_store = false;
  bool no_cache = false;
  bool is_private = false;
  bool is_public = false;
  bool must_revalidate = false;
  bool proxy_revalidate = false;
  bool must_understand = false;
  bool no_transform = false;
  bool only_if_cached = false;
  std::optional<std::int64_t> max_age;
  std::optional<std::int64_t> s_maxage;
  std::optional<std::int64_t> min_fresh;
  std::optional<std::int64_t> max_stale;  // max-stale=N
  bool max_stale_any = false;             // max-stale with no argument: any staleness
  // RFC 5861: how long past its freshness a response may still be served while it is
  // revalidated in the background, or when revalidation fails.
  std::optional<std::int64_t> stale_while_revalidate;
  std::optional<std::int64_t> stale_if_error;
  std::optional<std::string_view> no_cache_fields;  // no-cache="f1, f2": the list
  std::optional<std::string_view> private_fields;   // private="f1, f2": the list
};

// The views in the result point into `value`, which must outlive it.
cache_control parse_cache_control(std::string_view value) noexcept;

// A response field a shared cache must not keep: named by no-cache="..." or private="...".
bool withheld_field(const cache_control& cc, std::string_view name) noexcept;

// Pragma: no-cache (RFC 9111 §5.4), looked for among the Pragma directives.
bool pragma_no_cache(std::string_view pragma) noexcept;

// delta-seconds = 1*DIGIT, saturating at delta_seconds_max; nullopt when `s` is not one.
std::optional<std::int64_t> parse_delta_seconds(std::string_view s) noexcept;

}  // namespace rangecache::cache
