#include "rangecache/range/multipart.hpp"

#include <chrono>
#include <functional>
#include <thread>

#include "rangecache/range/content_range.hpp"

namespace rangecache::range {
namespace {

constexpr std::string_view alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

constexpr std::string_view type_prefix = "Content-Type: ";
constexpr std::string_view range_prefix = "Content-Range: ";

// SplitMix64 step: a tiny, well-mixed generator; nothing here needs to be unpredictable,
// only unlikely to occur in a body.
std::uint64_t next_random(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t part_header_length(const byte_slice& slice, std::uint64_t complete_length,
                                 std::string_view content_type, std::string_view boundary) {
  std::uint64_t n = 4 + boundary.size() + 2;  // CRLF "--" B CRLF
  if (!content_type.empty()) n += type_prefix.size() + content_type.size() + 2;
  n += range_prefix.size() + format_content_range(slice, complete_length).size + 4;
  return n;
}

}  // namespace

multipart_boundary make_boundary(std::uint64_t seed) noexcept {
  multipart_boundary b;
  std::uint64_t state = seed;
  std::uint64_t bits = 0;
  int left = 0;
  for (char& c : b.chars) {
    if (left == 0) {
      bits = next_random(state);
      left = 8;
    }
    c = alphabet[(bits & 0xff) % alphabet.size()];
    bits >>= 8;
    --left;
  }
  return b;
}

multipart_boundary make_boundary() noexcept {
  thread_local std::uint64_t state = [] {
    auto now = static_cast<std::uint64_t>(
        std::chrono::high_resolution_clock::now().time_since_epoch().count());
    return now ^ (std::hash<std::thread::id>{}(std::this_thread::get_id()) << 1);
  }();
  return make_boundary(next_random(state));
}

std::string multipart_content_type(std::string_view boundary) {
  std::string value = "multipart/byteranges; boundary=";
  value.append(boundary);
  return value;
}

multipart_plan plan_multipart(std::span<const byte_slice> slices, std::uint64_t complete_length,
                              std::string_view content_type, std::string_view boundary) {
  multipart_plan plan;
  plan.parts.reserve(slices.size());
  for (const auto& slice : slices) {
    multipart_part part;
    part.offset = slice.offset;
    part.length = slice.length;
    std::string& h = part.header;
    h.reserve(part_header_length(slice, complete_length, content_type, boundary));
    h.append("\r\n--").append(boundary).append("\r\n");
    if (!content_type.empty()) h.append(type_prefix).append(content_type).append("\r\n");
    h.append(range_prefix)
        .append(format_content_range(slice, complete_length).view())
        .append("\r\n\r\n");
    plan.content_length += h.size() + slice.length;
    plan.parts.push_back(std::move(part));
  }
  plan.trailer.append("\r\n--").append(boundary).append("--\r\n");
  plan.content_length += plan.trailer.size();
  return plan;
}

std::uint64_t multipart_length(std::span<const byte_slice> slices, std::uint64_t complete_length,
                               std::string_view content_type, std::string_view boundary) noexcept {
  std::uint64_t n = 0;
  for (const auto& slice : slices) {
    n += part_header_length(slice, complete_length, content_type, boundary) + slice.length;
  }
  return n + 4 + boundary.size() + 4;  // CRLF "--" B "--" CRLF
}

}  // namespace rangecache::range
