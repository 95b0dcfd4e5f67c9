// What to do with an origin's answer to a miss or a revalidation, decided from its head
// alone before the body is read: whether and under which key it is stored, what the client
// gets of it (all of it, or its range cut from a complete object), and what follows.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rangecache/cache/freshness.hpp"
#include "rangecache/cache/object.hpp"
#include "rangecache/config/config.hpp"
#include "rangecache/plan/cache_request.hpp"
#include "rangecache/plan/vary.hpp"

namespace rangecache::plan {

// What the planner reads of the origin's response head.
struct origin_head {
  unsigned status = 200;
  std::optional<std::uint64_t> content_length;
  std::span<const std::string_view> content_ranges;  // every Content-Range field value
  std::span<const std::string_view> vary;            // every Vary field value
  bool set_cookie = false;
  cache::response_info info;  // what freshness and storability read
};

enum class store_as : std::uint8_t {
  nothing,
  complete,      // under the complete object's key: it answers every range of the URL
  range_object,  // under the range object's key
};

struct fill_plan {
  // The response allows storing whatever asked for it: only this may mark the key
  // uncacheable for a while, never one request's own Cache-Control or credentials.
  bool response_storable = false;
  bool storable = false;  // this request and this response together allow it
  store_as store = store_as::nothing;
  std::optional<cache::content_range> stored_range;  // for a range object
  bool range_mismatch = false;  // a 206 whose Content-Range is not what was asked: not stored
  // What the client gets: the origin's status and body, or a window of a complete object.
  unsigned client_status = 200;
  bool windowed = false;  // client_status / window / client_content_range replace the origin's
  std::uint64_t window_from = 0;
  std::uint64_t window_length = 0;
  std::string client_content_range;
  // A storable 206 of a range: the complete object is worth fetching in the background.
  bool offer_background_fetch = false;
  std::optional<std::uint64_t> complete_length;  // from the 206's Content-Range
  // The request fields the answer varies on beyond the rule's key (plan/vary.hpp): stored,
  // it is the variant this request selects, under the keys use_variant gives.
  std::vector<std::string> vary_names;
};

// The key the plan stores under, from the request's keys ("" when nothing is stored).
const std::string& store_key(const fill_plan& plan, const cache_request& cr);

// Whether an answer with this status is worth storing at all, beyond what RFC 9111 allows
// (cache::check_storable): 200 and 206 always; never 304, 412 or 416, which answer one
// request's conditionals or range rather than the URL; any other status only with explicit
// freshness (max-age, s-maxage, Expires) or a Last-Modified to base heuristic freshness on.
bool status_storable(unsigned status, const cache::response_info& info);

// A 206 is stored only when its one Content-Range is exactly the range asked for (clamped to
// the total when the total is known) and its length agrees.
std::optional<cache::content_range> verified_range(std::span<const std::string_view> content_ranges,
                                                   const range::byte_range_spec& asked,
                                                   std::optional<std::uint64_t> length);

fill_plan plan_fill(const cache::request_info& request, const origin_head& head,
                    const cache_request& cr, const config::remap_rule& rule);

}  // namespace rangecache::plan
