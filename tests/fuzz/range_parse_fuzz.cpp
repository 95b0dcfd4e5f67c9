// libFuzzer target over everything that reads bytes from the network in src/range and the
// HTTP date parser: Range, resolve, normalize, Content-Range, If-Range, HTTP dates. It must
// never crash, and checks the invariants callers rely on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "check.hpp"
#include "rangecache/range/content_range.hpp"
#include "rangecache/range/if_range.hpp"
#include "rangecache/range/multipart.hpp"
#include "rangecache/range/normalize.hpp"
#include "rangecache/range/parse.hpp"
#include "rangecache/range/resolve.hpp"
#include "rangecache/util/http_date.hpp"

namespace {

using namespace rangecache;

std::uint64_t read_u64(const std::uint8_t*& data, std::size_t& size) {
  std::uint64_t v = 0;
  std::size_t n = size < 8 ? size : 8;
  std::memcpy(&v, data, n);
  data += n;
  size -= n;
  return v;
}

void check_ranges(std::string_view text, std::uint64_t length) {
  range::parsed_range parsed = range::parse_range(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.specs.empty());
    FUZZ_CHECK(!range::normalize_range(text));
    return;
  }
  FUZZ_CHECK(!parsed.specs.empty() && parsed.specs.size() <= range::max_range_specs);
  for (const auto& s : parsed.specs) {
    if (s.kind == range::byte_range_spec::form::closed) FUZZ_CHECK(s.first <= s.last);
    // The canonical spelling parses back to the same spec.
    auto canonical = range::canonical_range(s);
    range::parsed_range again = range::parse_range(canonical.view());
    FUZZ_CHECK(again.ok() && again.specs.size() == 1 && again.specs[0] == s);
  }
  FUZZ_CHECK(range::normalize_range(text).has_value() == (parsed.specs.size() == 1));

  range::range_limits lax;
  lax.max_ranges = range::max_range_specs;
  lax.max_overlaps = range::max_range_specs;
  const range::range_limits defaults;
  for (const auto& limits : {lax, defaults}) {
    range::resolved_ranges r = range::resolve(parsed.specs, length, limits);
    if (r.status != range::resolve_status::partial) {
      FUZZ_CHECK(r.slices.empty());
      continue;
    }
    FUZZ_CHECK(!r.slices.empty());
    std::uint64_t total = 0, previous_end = 0;
    for (std::size_t i = 0; i < r.slices.size(); ++i) {
      const auto& s = r.slices[i];
      FUZZ_CHECK(s.length > 0);
      FUZZ_CHECK(s.offset < length && s.length <= length - s.offset);  // inside
      if (i > 0) FUZZ_CHECK(s.offset > previous_end);                  // sorted, apart
      previous_end = s.end();
      total += s.length;
      // Each slice's Content-Range parses back to itself.
      auto cr = range::parse_content_range(range::format_content_range(s, length).view());
      FUZZ_CHECK(cr && cr->range == s && cr->complete_length == length);
    }
    FUZZ_CHECK(total <= length);  // no amplification
    if (r.slices.size() > 1) {
      auto plan = range::plan_multipart(r.slices, length, "text/plain", "B0undary");
      FUZZ_CHECK(plan.content_length ==
                 range::multipart_length(r.slices, length, "text/plain", "B0undary"));
    }
  }
}

void check_content_range(std::string_view text) {
  auto cr = range::parse_content_range(text);
  if (!cr) return;
  FUZZ_CHECK(cr->range || cr->complete_length);
  if (cr->range) {
    FUZZ_CHECK(cr->range->length > 0);
    if (cr->complete_length) FUZZ_CHECK(cr->range->last() < *cr->complete_length);
    if (cr->complete_length) {
      auto out = range::format_content_range(*cr->range, *cr->complete_length);
      FUZZ_CHECK(range::parse_content_range(out.view()) == cr);
    }
  } else {
    FUZZ_CHECK(range::parse_content_range(
                   range::format_unsatisfied_range(*cr->complete_length).view()) == cr);
  }
}

void check_date(std::string_view text, std::int64_t now) {
  auto t = util::parse_http_date(text, now);
  if (!t) return;
  // Whatever format came in, the IMF-fixdate we write parses to the same instant.
  auto formatted = util::format_http_date(*t);
  FUZZ_CHECK(util::parse_http_date(formatted.view(), now) == t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // First 8 bytes: a representation length (small most of the time, to hit edges).
  std::uint64_t raw = read_u64(data, size);
  std::uint64_t length = (raw & 1) ? (raw >> 1) : ((raw >> 1) % 4096);
  std::string_view text(reinterpret_cast<const char*>(data), size);

  check_ranges(text, length);
  check_content_range(text);
  check_date(text, static_cast<std::int64_t>(raw));

  range::representation_validators stored{text, static_cast<std::int64_t>(length),
                                          static_cast<std::int64_t>(raw)};
  (void)range::if_range_allows_range(text, stored);
  return 0;
}
