// multipart/byteranges (RFC 9110 §14.6) as a plan: the proxy interleaves the part headers
// below with body bytes it reads from the store, and sends Content-Length up front.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rangecache/range/byte_range.hpp"

namespace rangecache::range {

// 32 characters of [0-9A-Za-z]: a valid token, so the Content-Type needs no quoting, and
// long enough (about 190 bits) that no body will contain it by chance.
struct multipart_boundary {
  std::array<char, 32> chars{};
  std::string_view view() const noexcept { return {chars.data(), chars.size()}; }
};

// Deterministic in the seed (for tests).
multipart_boundary make_boundary(std::uint64_t seed) noexcept;
// A fresh boundary from a per-thread generator seeded from the clock and the thread.
multipart_boundary make_boundary() noexcept;

// "multipart/byteranges; boundary=B": the response's Content-Type.
std::string multipart_content_type(std::string_view boundary);

struct multipart_part {
  // "\r\n--B\r\nContent-Type: T\r\nContent-Range: bytes a-b/len\r\n\r\n"; the Content-Type
  // line is left out when the representation has none.
  std::string header;
  std::uint64_t offset = 0;  // then these body bytes of the representation
  std::uint64_t length = 0;
};

struct multipart_plan {
  std::vector<multipart_part> parts;
  std::string trailer;               // "\r\n--B--\r\n"
  std::uint64_t content_length = 0;  // every header + every body byte + the trailer
};

// `slices` as resolve() returns them (inside `complete_length`, in sending order);
// `content_type` is the representation's own Content-Type, "" if it has none.
multipart_plan plan_multipart(std::span<const byte_slice> slices, std::uint64_t complete_length,
                              std::string_view content_type, std::string_view boundary);

// plan_multipart(...).content_length without building anything.
std::uint64_t multipart_length(std::span<const byte_slice> slices, std::uint64_t complete_length,
                               std::string_view content_type, std::string_view boundary) noexcept;

}  // namespace rangecache::range
