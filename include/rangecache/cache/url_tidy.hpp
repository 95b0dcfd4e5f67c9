// Tidying one URL's objects after something new was stored for it: the range objects the
// new complete object makes redundant, or the variants beyond the number kept. What goes is
// decided here, the same for every backend; fills in progress are left be.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rangecache/cache/object.hpp"

namespace rangecache::cache {

struct url_tidy {
  enum class kind : std::uint8_t {
    ranges,    // range objects of `variant` ("" = of no variant), but those of keep_etag
    variants,  // every variant but the keep_variants newest; `variant` (just stored) stays
  } what = kind::ranges;
  std::string variant;
  std::string keep_etag;  // ranges: those with this ETag stay (empty: none stay)
  std::size_t keep_variants = 0;
};

struct variant_stamp {
  std::string_view variant;  // object_meta::variant; empty: not a variant (ignored)
  std::chrono::sys_seconds stored_at;
};

// The range objects of `variant` that a new complete object of it makes redundant: those of
// another ETag than keep_etag, or all of them when keep_etag is empty.
url_tidy redundant_ranges(std::string_view variant, std::string_view keep_etag);
// Every variant of the URL but the `keep` newest; `just_stored` always stays.
url_tidy variants_beyond(std::size_t keep, std::string_view just_stored);

// The variants to drop so that at most `keep` stay: those stored longest ago (a variant is
// as recent as its newest object, complete or range), never `protect` (the one just
// stored). Equal times are ordered by the variant, so every backend drops the same ones.
std::vector<std::string> variants_to_drop(std::span<const variant_stamp> objects, std::size_t keep,
                                          std::string_view protect);

// Which of a URL's objects a tidy removes, once every one of them has been seen.
class tidy_filter {
 public:
  tidy_filter(const url_tidy& tidy, std::span<const variant_stamp> objects);
  bool picks(const object_meta& meta) const;

 private:
  const url_tidy& tidy_;
  std::vector<std::string> dropped_;
};

}  // namespace rangecache::cache
