// libFuzzer target for the origin's Content-Range, which decides where a range object's
// bytes sit before anything is stored under it. Checked against a second, deliberately
// naive reading of the same grammar, so a wrong accept or reject is caught, not only a
// crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "check.hpp"
#include "rangecache/range/content_range.hpp"

namespace {

using rangecache::range::byte_slice;
using rangecache::range::content_range;

std::optional<std::uint64_t> naive_number(std::string s) {
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  s.erase(0, std::min(s.find_first_not_of('0'), s.size() - 1));  // 1*DIGIT: zeros lead freely
  if (s.size() > 20) return std::nullopt;
  // 20 digits may still exceed 2^64-1: compare as text against the largest value.
  if (s.size() == 20 && s > "18446744073709551615") return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

// "bytes A-B/LEN", "bytes A-B/*" or "bytes */LEN", unit in any case, one space after it,
// spaces and tabs around the whole value ignored.
std::optional<content_range> naive_parse(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  if (s.size() < 6) return std::nullopt;
  std::string unit = s.substr(0, 5);
  for (char& c : unit) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (unit != "bytes" || s[5] != ' ') return std::nullopt;
  std::string rest = s.substr(6);
  auto slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::string range = rest.substr(0, slash), length = rest.substr(slash + 1);
  content_range out;
  if (length != "*") {
    out.complete_length = naive_number(length);
    if (!out.complete_length) return std::nullopt;
  }
  if (range == "*") return out.complete_length ? std::optional(out) : std::nullopt;
  auto dash = range.find('-');
  if (dash == std::string::npos) return std::nullopt;
  auto first = naive_number(range.substr(0, dash));
  auto last = naive_number(range.substr(dash + 1));
  if (!first || !last || *first > *last) return std::nullopt;
  if (out.complete_length && *last >= *out.complete_length) return std::nullopt;
  if (*last == UINT64_MAX) return std::nullopt;  // its end would not fit in 64 bits
  out.range = byte_slice{*first, *last - *first + 1};
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = rangecache::range::parse_content_range(text);
  FUZZ_CHECK(parsed == naive_parse(std::string(text)));
  if (!parsed) return 0;

  FUZZ_CHECK(parsed->range || parsed->complete_length);
  if (parsed->range) {
    FUZZ_CHECK(parsed->range->length > 0);
    FUZZ_CHECK(parsed->range->offset <= UINT64_MAX - parsed->range->length);  // end() fits
  }
  // What we write for the same range parses back to it.
  if (parsed->range && parsed->complete_length) {
    FUZZ_CHECK(parsed->range->last() < *parsed->complete_length);
    const auto again =
        rangecache::range::format_content_range(*parsed->range, *parsed->complete_length);
    FUZZ_CHECK(rangecache::range::parse_content_range(again.view()) == parsed);
  } else if (!parsed->range) {
    const auto again = rangecache::range::format_unsatisfied_range(*parsed->complete_length);
    FUZZ_CHECK(rangecache::range::parse_content_range(again.view()) == parsed);
  }
  return 0;
}
