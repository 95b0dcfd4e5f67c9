// What the store keeps about one object: the caller's metadata (object_meta), the store's
// handle to its body (object_ref), and both together as a lookup returns them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rangecache/cache/key.hpp"

namespace rangecache::cache {

struct header_field {
  std::string name;
  std::string value;
  friend bool operator==(const header_field&, const header_field&) = default;
};

// The Content-Range a range object answers (`bytes first-last/total`).
struct content_range {
  static constexpr std::uint64_t unknown_total = ~std::uint64_t{0};  // `bytes 0-99/*`
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t total = unknown_total;
  friend bool operator==(const content_range&, const content_range&) = default;
};

// The longest object_meta::variant a record holds.
inline constexpr std::size_t max_variant_size = 4096;

// Everything the proxy decides about a stored response. The store treats it as opaque data
// except content_length, which the committed body must match.
struct object_meta {
  std::uint16_t status = 200;
  std::vector<header_field> headers;  // stored response headers, in order
  std::uint64_t content_length = 0;
  std::chrono::sys_seconds stored_at{};  // when the response arrived (RFC 9111 response_time)
  std::chrono::sys_seconds date{};       // its Date header
  std::chrono::seconds freshness_lifetime{0};
  std::string etag;                    // validator, verbatim (with quotes and W/)
  std::string last_modified;           // validator, verbatim HTTP-date
  std::optional<content_range> range;  // set for range objects (key = URL + "-" + range)
  std::uint32_t flags = 0;             // the proxy's own bits; stored, never interpreted
  // Which variant of its URL this is, for a response with Vary (the normalised request
  // fields it was chosen by); empty for an object that does not vary. The store groups a
  // URL's objects by it to bound their number and to tidy a variant's ranges.
  std::string variant;
  friend bool operator==(const object_meta&, const object_meta&) = default;
};

// Names one stored body. The id is fresh for every fill and never reused, so a reader holding
// a ref can tell the object was replaced or evicted: its chunks are gone.
struct object_ref {
  // The length of a fill in progress whose Content-Length is not known (fill::progress_ref).
  static constexpr std::uint64_t unknown_length = ~std::uint64_t{0};
  key_hash hash;
  std::uint64_t id = 0;      // 0: no object
  std::uint64_t length = 0;  // or unknown_length
  std::uint32_t chunk_size = 0;
  // The body is a file of its own (see reader::open_body), not chunks in the store.
  bool in_file = false;
  bool valid() const { return id != 0; }
  friend bool operator==(const object_ref&, const object_ref&) = default;
};

// A copy of one object's record, as lookup returns it: nothing in it points into the store.
struct cached_object {
  std::string key;  // the full cache key (URL, or URL + "-" + range)
  std::string url;  // the URL it belongs to, for purge by URL
  object_meta meta;
  object_ref ref;
  std::chrono::sys_seconds last_access{};  // persisted lazily (see store_settings)
  // The stored fields an answer repeats, rendered when the record was written (field_rules.hpp:
  // write_replayed), so that a hit does not render them again. Filled by a lookup from a
  // record that has it; empty otherwise (the answer renders them). It follows meta.headers
  // as they were stored: whoever changes those must not use it.
  std::string replayed;
  friend bool operator==(const cached_object&, const cached_object&) = default;
};

}  // namespace rangecache::cache
