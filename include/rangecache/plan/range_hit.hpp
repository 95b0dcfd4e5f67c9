// Whether a stored range object answers a range request: its freshness by RFC 9111, then
// the ATS cache_range_requests controls a trusted client may send (X-Crr-Ims, X-Crr-Ident),
// then If-Range, which a partial object can settle only when it matches.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "rangecache/cache/object.hpp"

namespace rangecache::plan {

enum class range_hit { serve, revalidate, unusable };

struct range_hit_request {
  bool fresh = false;                   // cache::decide_reuse allows it as it is
  std::optional<std::int64_t> crr_ims;  // X-Crr-Ims (Unix seconds), from a trusted client
  std::string_view crr_ident;           // X-Crr-Ident, from a trusted client ("" when none)
  std::optional<std::string_view> if_range;
};

// X-Crr-Ident: `Etag <etag>` or `Last-Modified <date>` naming the stored identifier exactly
// keeps (or makes) the object fresh; `Stale` or a mismatch makes it stale. The stored
// identifier is the ETag when there is one (then only `Etag ...` can match), else
// Last-Modified. nullopt: no opinion (a bare tag or anything else is ignored; ATS crashes
// on a bare tag).
std::optional<bool> ident_says_fresh(std::string_view value, const cache::object_meta& stored);

// serve: answer from it; revalidate: ask the origin with its validators; unusable: If-Range
// does not match it, so the answer would be the whole object, which only the origin has.
range_hit judge_range_hit(const range_hit_request& request, const cache::object_meta& stored);

}  // namespace rangecache::plan
