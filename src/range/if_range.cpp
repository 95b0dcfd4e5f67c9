#include "rangecache/range/if_range.hpp"

#include <limits>

#include "range/text.hpp"
#include "rangecache/util/http_date.hpp"

namespace rangecache::range {
namespace {

using namespace detail;

// etagc = %x21 / %x23-7E / obs-text
bool is_etagc(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u != 0x7f);
}

// A strong entity-tag: DQUOTE *etagc DQUOTE and nothing else.
bool is_strong_etag(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (char c : s.substr(1, s.size() - 2)) {
    if (!is_etagc(c)) return false;
  }
  return true;
}

}  // namespace

bool if_range_allows_range(std::string_view if_range,
                           const representation_validators& stored) noexcept {
  std::string_view value = trim_ows(if_range);
  if (value.empty()) return false;

  if (value.front() == '"' || value.starts_with("W/")) {
    // A weak tag is refused by is_strong_etag, on either side.
    return is_strong_etag(value) && value == trim_ows(stored.etag);
  }

  auto date = util::parse_http_date(value);
  if (!date || !stored.last_modified || !stored.date) return false;
  // Written so that no subtraction can overflow whatever the caller passes.
  if (*stored.date < std::numeric_limits<std::int64_t>::min() + strong_last_modified_margin ||
      *stored.last_modified > *stored.date - strong_last_modified_margin) {
    return false;
  }
  return *date == *stored.last_modified;
}

}  // namespace rangecache::range
