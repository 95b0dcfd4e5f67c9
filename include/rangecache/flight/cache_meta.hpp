// Between Beast messages and the store's plain records: what a response says about its own
// cacheability and freshness, and the metadata kept with a stored object.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rangecache/cache/freshness.hpp"
#include "rangecache/cache/object.hpp"
#include "rangecache/cache/record_meta.hpp"
#include "rangecache/config/config.hpp"
#include "rangecache/net/asio_names.hpp"
#include "rangecache/plan/vary.hpp"

namespace rangecache::flight {

using namespace rangecache::net;

// Header values a freshness decision reads, joined where a field may repeat. Owns its
// strings so the *_info views built from it stay valid.
struct request_view {
  std::string method, cache_control, pragma;
  bool has_cache_control = false, has_pragma = false, has_authorization = false;
  cache::request_info info() const;
};
request_view view_request(const http::request_header<>& req);

struct response_view {
  int status = 0;
  std::optional<std::string> cache_control, expires, date, last_modified, age, vary;
  cache::response_info info() const;
};
// `targeted`: the rule's targeted cache-control fields (RFC 9213), in order. The first of
// them with a valid value stands in for Cache-Control, and Expires is then ignored.
response_view view_response(unsigned status, const http::fields& fields,
                            std::span<const std::string> targeted = {});

// The heuristic freshness the configuration asks for (cache.heuristic_fraction and
// cache.heuristic_max).
cache::freshness_policy freshness_policy_of(const config::cache_settings& settings);

// Every value of one field, in order (for fields that may repeat: Vary, Content-Range).
std::vector<std::string_view> field_values(const http::fields& fields, http::field name);

// A request's field lines by name, as the Vary planner reads them (plan/vary.hpp). `fields`
// must outlive the result.
plan::field_lines lines_of(const http::fields& fields);

// The record for a response about to be stored: end-to-end headers (minus Content-Length,
// which the store keeps as content_length), validators, times and freshness.
cache::object_meta make_meta(unsigned status, const http::fields& fields,
                             std::uint64_t content_length, const cache::freshness_info& fresh,
                             std::optional<cache::content_range> range);

using cache::age_of;
using cache::find_header;
using cache::freshness_of;

// RFC 9111 §4.3.4: does this 304 select the stored response (cache::not_modified_selects)?
bool selected_by_304(const cache::object_meta& meta, const http::fields& not_modified);

// RFC 9111 §4.3.4: a 304's headers replace the stored ones of the same name. Only when the
// 304 selects the stored response: otherwise its validators would be put on bytes they do
// not describe, so `meta` is left alone and the answer is false.
bool merge_304(cache::object_meta& meta, const http::fields& fields,
               const cache::freshness_info& fresh);

// merge_304 with the freshness of the merged headers, as the 304 of an exchange at `times`
// leaves it (`targeted` as for view_response).
bool freshen_with_304(cache::object_meta& meta, const http::fields& not_modified,
                      const cache::exchange_times& times, const cache::freshness_policy& policy,
                      std::span<const std::string> targeted = {});

// RFC 9111 §4.3.5: a 200 answer to HEAD updates a stored GET answer as a 304 would, when
// it has a validator, its validators select the stored answer (§4.3.4), and its
// Content-Length, if any, is the stored length. false, and meta unchanged, otherwise.
bool freshen_with_head(cache::object_meta& meta, const http::fields& head_answer,
                       const cache::exchange_times& times, const cache::freshness_policy& policy,
                       std::span<const std::string> targeted = {});

// The time a response was received as its Date, when the origin sent none (RFC 9110
// §6.6.1: a recipient with a clock adds one to what it caches or forwards).
void add_missing_date(http::fields& fields, std::int64_t received);

// Removes the rule's targeted cache-control fields: they are for this cache, not for the
// clients behind it.
void strip_targeted(http::fields& fields, std::span<const std::string> targeted);

}  // namespace rangecache::flight
