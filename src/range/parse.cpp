#include "rangecache/range/parse.hpp"

#include "range/text.hpp"

namespace rangecache::range {
namespace {

using namespace detail;

// One non-empty list element, already trimmed of OWS.
bool parse_spec(std::string_view element, byte_range_spec& out) {
  auto dash = element.find('-');
  if (dash == std::string_view::npos) return false;
  std::string_view first_text = element.substr(0, dash);
  std::string_view last_text = element.substr(dash + 1);
  if (first_text.empty()) {
    auto length = parse_u64(last_text);
    if (!length) return false;
    out = byte_range_spec::suffix_range(*length);
    return true;
  }
  auto first = parse_u64(first_text);
  if (!first) return false;
  if (last_text.empty()) {
    out = byte_range_spec::open_range(*first);
    return true;
  }
  auto last = parse_u64(last_text);
  if (!last || *last < *first) return false;
  out = byte_range_spec::closed_range(*first, *last);
  return true;
}

}  // namespace

parsed_range parse_range(std::string_view value) noexcept {
  parsed_range result;
  std::string_view s = trim_ows(value);

  auto eq = s.find('=');
  if (eq == std::string_view::npos || eq == 0) return result;
  std::string_view unit = s.substr(0, eq);
  for (char c : unit) {
    if (!is_tchar(c)) return result;
  }
  if (!iequals(unit, "bytes")) {
    result.status = parse_status::not_bytes;
    return result;
  }

  std::string_view rest = s.substr(eq + 1);
  while (true) {
    auto comma = rest.find(',');
    std::string_view element = trim_ows(rest.substr(0, comma));
    if (!element.empty()) {
      byte_range_spec spec;
      if (!parse_spec(element, spec)) {
        result.specs.clear();
        return result;
      }
      if (!result.specs.push_back(spec)) {
        result.specs.clear();
        result.status = parse_status::too_many;
        return result;
      }
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  result.status = result.specs.empty() ? parse_status::invalid : parse_status::ok;
  return result;
}

}  // namespace rangecache::range
