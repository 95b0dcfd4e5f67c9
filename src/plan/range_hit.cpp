#include "rangecache/plan/range_hit.hpp"

#include "rangecache/range/if_range.hpp"
#include "rangecache/util/http_date.hpp"

namespace rangecache::plan {

std::optional<bool> ident_says_fresh(std::string_view value, const cache::object_meta& stored) {
  if (value == "Stale") return false;
  std::string_view tag, rest;
  if (value.starts_with("Etag") && value.size() > 5) {
    tag = "Etag";
    rest = value.substr(5);
  } else if (value.starts_with("Last-Modified") && value.size() > 14) {
    tag = "Last-Modified";
    rest = value.substr(14);
  } else {
    return std::nullopt;
  }
  if (!stored.etag.empty()) return tag == "Etag" && rest == stored.etag;
  if (!stored.last_modified.empty()) return tag == "Last-Modified" && rest == stored.last_modified;
  return std::nullopt;
}

range_hit judge_range_hit(const range_hit_request& request, const cache::object_meta& stored) {
  bool fresh = request.fresh;
  // X-Crr-Ims newer than the stored Date makes a fresh object stale, never the reverse.
  if (fresh && request.crr_ims && stored.date.time_since_epoch().count() < *request.crr_ims)
    fresh = false;
  // X-Crr-Ident can turn either way; a valid X-Crr-Ims takes precedence, as in ATS.
  if (!request.crr_ident.empty() && !request.crr_ims) {
    if (auto says = ident_says_fresh(request.crr_ident, stored)) fresh = *says;
  }
  if (request.if_range) {
    const range::representation_validators validators{
        stored.etag,
        stored.last_modified.empty() ? std::nullopt : util::parse_http_date(stored.last_modified),
        stored.date.time_since_epoch().count()};
    if (!range::if_range_allows_range(*request.if_range, validators)) return range_hit::unusable;
  }
  return fresh ? range_hit::serve : range_hit::revalidate;
}

}  // namespace rangecache::plan
