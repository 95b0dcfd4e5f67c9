// RFC 9111 shared-cache rules, pure: whether a response may be stored, how long it stays
// fresh, its age, validators, and client conditionals answered from the cache. Cache-Control
// parsing is in cache_control.hpp, reuse of a stored response in reuse.hpp.
//
// Inputs are plain header values (string_views), so this knows nothing of Beast. Where a
// field may appear on several lines the caller joins them with ", " (Cache-Control, Vary,
// Pragma, Age) or passes the first one (Expires, Date, Last-Modified). Times are seconds
// since the Unix epoch, as util::parse_http_date returns them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "rangecache/cache/cache_control.hpp"

namespace rangecache::cache {

struct request_info {
  std::string_view method = "GET";
  std::optional<std::string_view> cache_control;
  std::optional<std::string_view> pragma;  // honoured only without Cache-Control
  bool has_authorization = false;
};

struct response_info {
  int status = 200;
  std::optional<std::string_view> cache_control;
  std::optional<std::string_view> expires;
  std::optional<std::string_view> date;
  std::optional<std::string_view> last_modified;
  std::optional<std::string_view> age;
  std::optional<std::string_view> vary;
};

struct exchange_times {
  std::int64_t request_time = 0;   // when the request went upstream
  std::int64_t response_time = 0;  // when the response header came back
};

struct freshness_policy {
  // Heuristic freshness is this share of (Date - Last-Modified) (RFC 9111 §4.2.2 suggests
  // 10%); 0 turns it off. Read to six decimals, so that 0.3 of 10 s is 3 s, not 2.
  double heuristic_fraction = 0.1;
  // Never more than this: a cap keeps an old file from being trusted for months.
  std::int64_t heuristic_max = 86400;
};

// 200 203 204 206 300 301 308 404 405 410 414 501 (RFC 9110 §15.1).
bool is_heuristically_cacheable(int status) noexcept;

enum class storability : std::uint8_t {
  storable,
  method,            // only GET responses are stored
  status,            // 1xx, 304, or a status must-understand says we do not know
  no_store,          // in the request or the response
  private_response,  // private: for the user's cache, not ours
  authorization,     // request had Authorization; no public / s-maxage / must-revalidate
  vary_star,         // Vary: * never matches a later request
  no_freshness,      // neither explicit freshness nor a heuristically cacheable status
};

// RFC 9111 §3 for a shared cache. A 206 is judged on its own headers like a 200: the range
// store understands it (ATS's cache_range_requests judges the 206s it stores alike).
storability check_storable(const request_info& request, const response_info& response) noexcept;

struct lifetime {
  std::int64_t seconds = 0;
  bool heuristic = false;
};

// RFC 9111 §4.2.1: s-maxage, else max-age, else Expires - Date (an invalid Expires means
// already expired), else heuristic (§4.2.2) when the status is heuristically cacheable or
// the response is public: the policy's fraction of Date - Last-Modified, capped; 0 without
// Last-Modified.
// A missing or invalid Date counts as the response time.
lifetime freshness_lifetime(const response_info& response, const exchange_times& times,
                            const freshness_policy& policy = {}) noexcept;

// An Age field value (its lines joined with ", ") in seconds: the first member of a list,
// which must be a delta-seconds, else the field is ignored (nullopt) (RFC 9111 §5.1).
std::optional<std::int64_t> age_value(std::string_view age) noexcept;

// RFC 9111 §4.2.3 corrected_initial_age: how old the response already was on arrival,
// from its Age header, its Date and the time the exchange took.
std::int64_t corrected_initial_age(const response_info& response,
                                   const exchange_times& times) noexcept;

// corrected_initial_age + the time it has been stored.
std::int64_t current_age(std::int64_t initial_age, std::int64_t response_time,
                         std::int64_t now) noexcept;

// What to keep with a stored response to decide its reuse later.
struct freshness_info {
  std::int64_t lifetime = 0;
  std::int64_t initial_age = 0;  // corrected_initial_age
  std::int64_t response_time = 0;
  bool heuristic = false;
  bool no_cache = false;         // validate before every reuse, fresh or not
  bool must_revalidate = false;  // never serve it stale: must-revalidate, proxy-revalidate,
                                 // or s-maxage (RFC 9111 §5.2.2.10)
  // RFC 5861 windows (seconds of staleness). A stored record does not keep them in its
  // flags: cache::freshness_at reads them again from its stored fields once it is stale.
  std::optional<std::int64_t> stale_while_revalidate;
  std::optional<std::int64_t> stale_if_error;
};

freshness_info analyze_freshness(const response_info& response, const exchange_times& times,
                                 const freshness_policy& policy = {}) noexcept;

// Weak comparison of two entity-tags (RFC 9110 §8.8.3.2): opaque tags equal, W/ ignored.
// False if either is not a valid entity-tag.
bool etag_weak_equal(std::string_view a, std::string_view b) noexcept;

// The validator header values of one response, as received ("" when absent).
struct validator_fields {
  std::string_view etag;
  std::string_view last_modified;
};

// RFC 9111 §4.3.4: may this 304 freshen the stored response? Only when its validators
// select it. A strong ETag in the 304 must equal the stored one by strong comparison.
// Without one, every validator it carries must agree with the stored one (a weak ETag by
// weak comparison, Last-Modified as the same instant). A 304 with no validator selects only
// a stored response that has none either. When it selects nothing, the stored response is
// not what the origin has now: it must be neither updated nor served as revalidated.
bool not_modified_selects(const validator_fields& stored,
                          const validator_fields& not_modified) noexcept;

struct conditional_request {
  std::string_view method = "GET";
  std::optional<std::string_view> if_none_match;
  std::optional<std::string_view> if_modified_since;
};

struct stored_validators {
  std::string_view etag;  // "" when the stored response has none
  std::optional<std::int64_t> last_modified;
  std::optional<std::int64_t> date;
  std::int64_t response_time = 0;
};

enum class conditional_result : std::uint8_t {
  none,          // no conditional to evaluate (or not GET/HEAD): answer normally
  not_modified,  // answer 304
  modified,      // the condition passes: answer normally
};

// RFC 9110 §13.2.2 order, as a cache does it (RFC 9111 §4.3.2): If-None-Match with weak
// comparison (`*` matches any stored response; a malformed list matches nothing); only
// without it, If-Modified-Since against Last-Modified, else the stored Date, else the
// response time. An invalid If-Modified-Since date is ignored.
conditional_result evaluate_conditionals(const conditional_request& request,
                                         const stored_validators& stored) noexcept;

}  // namespace rangecache::cache
