#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_client.hpp"

namespace rc_test {

// A Content-Range value: "bytes FIRST-LAST/LENGTH", "bytes FIRST-LAST/*" or "bytes */LENGTH".
struct content_range {
  bool unsatisfied = false;  // "bytes */LENGTH": only complete_length is set
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::optional<std::uint64_t> complete_length;  // nullopt for "*"
};

std::optional<content_range> parse_content_range(std::string_view value);

struct byterange_part {
  header_list headers;
  content_range range;
  std::string data;
};

// The boundary parameter of a "multipart/byteranges; boundary=..." Content-Type.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Splits a multipart/byteranges body into its parts. Fails (with a reason in `error`) on
// bad framing, a part without a valid Content-Range, or a part whose size disagrees with
// its Content-Range.
std::optional<std::vector<byterange_part>> parse_byteranges(std::string_view body,
                                                            std::string_view boundary,
                                                            std::string* error = nullptr);

}  // namespace rc_test
