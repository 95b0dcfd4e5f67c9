// The answer to a GET or HEAD from a stored object, decided in full before a byte is sent:
// status, head, and which stored bytes follow in which parts. The network code only carries
// it out, so every answer (304, 206 of a range object, 200, 206 slices, multipart, 416) gets
// the same fields and the same HEAD rule.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "rangecache/cache/object.hpp"
#include "rangecache/range/byte_range.hpp"

namespace rangecache::plan {

// What the planner reads of the client's request.
struct answer_request {
  std::string_view method = "GET";
  bool head = false;
  bool keep_alive = true;  // the connection stays open after this answer
  bool http10 = false;     // an HTTP/1.0 client: keeping the connection must be said
  // The request's byte ranges (a valid bytes Range), empty when it has none.
  std::span<const range::byte_range_spec> ranges;
  std::optional<std::string_view> if_range, if_none_match, if_modified_since;
  std::string_view label;     // X-Cache and the access log's cache field
  std::int64_t now = 0;       // Unix seconds, for Age
  std::string_view boundary;  // multipart boundary, when several ranges are answered
  // The object's stored fields as the store rendered them (cached_object::replayed), for the
  // caller to pass only when they are the fields of `meta` as it is; empty: rendered here.
  std::string_view replayed;
};

// Stored bytes [offset, offset + length), sent after `prefix`.
struct answer_part {
  std::string prefix;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct answer_plan {
  unsigned status = 200;
  std::string head;  // the response head, ending with the empty line
  // Body parts; empty for HEAD and bodiless answers. One part (every answer but multipart)
  // is kept inline: planning a hit allocates no part list.
  boost::container::small_vector<answer_part, 1> parts;
  std::string trailer;           // text after the last part (multipart's closing line)
  std::uint64_t body_bytes = 0;  // the body length the head announces
};

// True when the answer is multipart and so needs a boundary: the caller makes one only then.
bool answer_needs_boundary(const answer_request& request, const cache::object_meta& meta);

answer_plan plan_answer(const answer_request& request, const cache::object_meta& meta);

}  // namespace rangecache::plan
