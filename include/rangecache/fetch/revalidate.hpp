// Background revalidation (RFC 5861 §3, stale-while-revalidate): a stale object a client
// was just served is revalidated off that client's request. A conditional request with the
// stored validators goes to the origin; a 304 that selects the object freshens its record,
// a storable 200 (for a range object, a 206 of exactly its range) replaces it, anything else
// leaves it as it is, still stale, for the next request to deal with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rangecache/cache/object.hpp"
#include "rangecache/fetch/fetcher.hpp"
#include "rangecache/range/byte_range.hpp"

namespace rangecache::fetch {

struct revalidation {
  cache::cached_object stale;  // as the client's lookup found it (key, URL, record, ref)
  std::string target;          // upstream request target
  std::string host;            // origin to connect to
  std::uint16_t port = 80;
  // The client's headers, less Range, the conditionals and credentials: the object is
  // stored for every client, so it is asked for as nobody in particular.
  std::vector<std::pair<std::string, std::string>> headers;
  // The range asked for, when the stale object is a range object: it goes upstream in its
  // canonical spelling, and the 206 must be exactly it.
  std::optional<range::byte_range_spec> range;
  std::vector<std::string> cache_control_fields;  // the rule's targeted fields (RFC 9213)
  std::vector<std::string> key_headers;           // the rule's cache key headers (Vary)
  std::string base_key;  // the stale object's key without a variant (plan/vary.hpp)
};

// The caller leads `r.stale.key` in `ctx.inflight` (so at most one revalidation of a key
// runs at a time, and none while a client fills it); this finishes that entry once done,
// whatever the outcome.
awaitable<void> revalidate_in_background(fetch_context ctx, revalidation r);

}  // namespace rangecache::fetch
