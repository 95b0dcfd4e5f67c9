#include "rangecache/cache/freshness.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "rangecache/util/http_date.hpp"
#include "rangecache/util/http_text.hpp"
#include "saturating.hpp"

namespace rangecache::cache {
namespace {

using detail::sat_add;
using detail::sat_sub;

using util::is_ows;
using util::trim_ows;

bool is_understood_status(int status) {
  constexpr std::array<int, 15> codes = {200, 203, 204, 206, 300, 301, 302, 303,
                                         307, 308, 404, 405, 410, 414, 501};
  return std::find(codes.begin(), codes.end(), status) != codes.end();
}

bool has_vary_star(std::string_view vary) {
  std::size_t pos = 0;
  while (pos <= vary.size()) {
    auto comma = vary.find(',', pos);
    if (trim_ows(vary.substr(pos, comma - pos)) == "*") return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

std::optional<std::int64_t> parse_date(const std::optional<std::string_view>& v) {
  if (!v) return std::nullopt;
  return util::parse_http_date(*v);
}

// `fraction` (clamped to [0, 1]) of `seconds`, in whole millionths: exact integer arithmetic,
// so a fraction that has no exact binary form (0.1, 0.3) does not lose a second to rounding.
std::int64_t share_of(std::int64_t seconds, double fraction) {
  constexpr std::int64_t million = 1'000'000;
  if (!(fraction > 0)) return 0;  // NaN too
  const auto ppm = static_cast<std::int64_t>(std::llround(std::min(fraction, 1.0) * million));
  return seconds / million * ppm + seconds % million * ppm / million;
}

// etagc = %x21 / %x23-7E / obs-text
bool is_etagc(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u != 0x7f);
}

// Reads one entity-tag at the front of `s`; returns its opaque-tag (quotes included) and
// consumes it, or nullopt when `s` does not start with one.
std::optional<std::string_view> take_etag(std::string_view& s) {
  std::size_t i = 0;
  if (s.starts_with("W/")) i = 2;
  if (i >= s.size() || s[i] != '"') return std::nullopt;
  std::size_t j = i + 1;
  while (j < s.size() && is_etagc(s[j])) ++j;
  if (j >= s.size() || s[j] != '"') return std::nullopt;
  std::string_view opaque = s.substr(i, j + 1 - i);
  s.remove_prefix(j + 1);
  return opaque;
}

std::optional<std::string_view> opaque_tag(std::string_view etag) {
  std::string_view s = trim_ows(etag);
  auto opaque = take_etag(s);
  if (!opaque || !s.empty()) return std::nullopt;
  return opaque;
}

bool is_weak_tag(std::string_view etag) {
  return trim_ows(etag).starts_with("W/");
}

// Strong comparison (RFC 9110 §8.8.3.2): both valid, neither weak, same opaque-tag.
bool etag_strong_equal(std::string_view a, std::string_view b) {
  if (is_weak_tag(a) || is_weak_tag(b)) return false;
  auto x = opaque_tag(a);
  auto y = opaque_tag(b);
  return x && y && *x == *y;
}

// Two Last-Modified values for the same second, whatever date format each uses; a value
// that is not a date agrees with nothing.
bool same_instant(std::string_view a, std::string_view b) {
  auto x = util::parse_http_date(a);
  auto y = util::parse_http_date(b);
  return x && y && *x == *y;
}

// If-None-Match = "*" / #entity-tag, weak comparison against `stored`.
bool if_none_match_matches(std::string_view value, std::string_view stored) {
  std::string_view s = trim_ows(value);
  if (s == "*") return true;
  auto stored_opaque = opaque_tag(stored);
  bool matched = false;
  bool any = false;
  while (true) {
    while (!s.empty() && (is_ows(s.front()) || s.front() == ',')) s.remove_prefix(1);
    if (s.empty()) break;
    auto opaque = take_etag(s);
    if (!opaque) return false;  // malformed list: matches nothing
    any = true;
    if (stored_opaque && *opaque == *stored_opaque) matched = true;
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    if (!s.empty() && s.front() != ',') return false;
  }
  return any && matched;
}

}  // namespace

bool is_heuristically_cacheable(int status) noexcept {
  constexpr std::array<int, 12> codes = {200, 203, 204, 206, 300, 301,
                                         308, 404, 405, 410, 414, 501};
  return std::find(codes.begin(), codes.end(), status) != codes.end();
}

storability check_storable(const request_info& request, const response_info& response) noexcept {
  if (request.method != "GET") return storability::method;
  const int status = response.status;
  if (status < 200 || status == 304 || status > 999) return storability::status;

  cache_control req = parse_cache_control(request.cache_control.value_or(""));
  cache_control res = parse_cache_control(response.cache_control.value_or(""));
  if (res.must_understand && !is_understood_status(status)) return storability::status;
  // must-understand lets a cache that knows the status ignore no-store (RFC 9111 §5.2.2.3).
  if (req.no_store || (res.no_store && !(res.must_understand && is_understood_status(status)))) {
    return storability::no_store;
  }
  if (res.is_private) return storability::private_response;
  if (request.has_authorization && !res.is_public && !res.s_maxage && !res.must_revalidate) {
    return storability::authorization;
  }
  if (response.vary && has_vary_star(*response.vary)) return storability::vary_star;
  if (!res.is_public && !response.expires && !res.max_age && !res.s_maxage &&
      !is_heuristically_cacheable(status)) {
    return storability::no_freshness;
  }
  return storability::storable;
}

lifetime freshness_lifetime(const response_info& response, const exchange_times& times,
                            const freshness_policy& policy) noexcept {
  cache_control cc = parse_cache_control(response.cache_control.value_or(""));
  if (cc.s_maxage) return {*cc.s_maxage, false};
  if (cc.max_age) return {*cc.max_age, false};

  std::int64_t date = parse_date(response.date).value_or(times.response_time);
  if (response.expires) {
    auto expires = util::parse_http_date(*response.expires);
    if (!expires) return {0, false};
    return {std::max<std::int64_t>(0, sat_sub(*expires, date)), false};
  }

  if (!is_heuristically_cacheable(response.status) && !cc.is_public) return {0, false};
  auto last_modified = parse_date(response.last_modified);
  if (!last_modified) return {0, false};
  std::int64_t since = sat_sub(date, *last_modified);
  if (since <= 0) return {0, false};
  return {std::min(share_of(since, policy.heuristic_fraction), policy.heuristic_max), true};
}

std::optional<std::int64_t> age_value(std::string_view age) noexcept {
  return parse_delta_seconds(trim_ows(age.substr(0, age.find(','))));
}

std::int64_t corrected_initial_age(const response_info& response,
                                   const exchange_times& times) noexcept {
  std::int64_t date = parse_date(response.date).value_or(times.response_time);
  std::int64_t age = 0;
  if (response.age) age = age_value(*response.age).value_or(0);
  std::int64_t apparent_age = std::max<std::int64_t>(0, sat_sub(times.response_time, date));
  std::int64_t response_delay =
      std::max<std::int64_t>(0, sat_sub(times.response_time, times.request_time));
  std::int64_t corrected_age_value = sat_add(age, response_delay);
  return std::max(apparent_age, corrected_age_value);
}

std::int64_t current_age(std::int64_t initial_age, std::int64_t response_time,
                         std::int64_t now) noexcept {
  std::int64_t resident_time = std::max<std::int64_t>(0, sat_sub(now, response_time));
  return sat_add(initial_age, resident_time);
}

freshness_info analyze_freshness(const response_info& response, const exchange_times& times,
                                 const freshness_policy& policy) noexcept {
  cache_control cc = parse_cache_control(response.cache_control.value_or(""));
  lifetime life = freshness_lifetime(response, times, policy);
  freshness_info info;
  info.lifetime = life.seconds;
  info.heuristic = life.heuristic;
  info.initial_age = corrected_initial_age(response, times);
  info.response_time = times.response_time;
  info.no_cache = cc.no_cache;
  info.must_revalidate = cc.must_revalidate || cc.proxy_revalidate || cc.s_maxage.has_value();
  info.stale_while_revalidate = cc.stale_while_revalidate;
  info.stale_if_error = cc.stale_if_error;
  return info;
}

bool etag_weak_equal(std::string_view a, std::string_view b) noexcept {
  auto x = opaque_tag(a);
  auto y = opaque_tag(b);
  return x && y && *x == *y;
}

bool not_modified_selects(const validator_fields& stored,
                          const validator_fields& not_modified) noexcept {
  const std::string_view etag = trim_ows(not_modified.etag);
  const std::string_view date = trim_ows(not_modified.last_modified);
  // A strong tag names one representation exactly: nothing else is looked at.
  if (!etag.empty() && !is_weak_tag(etag)) return etag_strong_equal(stored.etag, etag);
  // Without any validator the 304 can only be about a response that has none either.
  if (etag.empty() && date.empty())
    return trim_ows(stored.etag).empty() && trim_ows(stored.last_modified).empty();
  // Weak validators: each one the 304 carries must be the stored response's.
  if (!etag.empty() && !etag_weak_equal(stored.etag, etag)) return false;
  if (!date.empty() && !same_instant(stored.last_modified, date)) return false;
  return true;
}

conditional_result evaluate_conditionals(const conditional_request& request,
                                         const stored_validators& stored) noexcept {
  if (request.method != "GET" && request.method != "HEAD") return conditional_result::none;
  if (request.if_none_match) {
    return if_none_match_matches(*request.if_none_match, stored.etag)
               ? conditional_result::not_modified
               : conditional_result::modified;
  }
  if (request.if_modified_since) {
    auto since = util::parse_http_date(*request.if_modified_since);
    if (!since) return conditional_result::none;
    std::int64_t modified =
        stored.last_modified.value_or(stored.date.value_or(stored.response_time));
    return modified <= *since ? conditional_result::not_modified : conditional_result::modified;
  }
  return conditional_result::none;
}

}  // namespace rangecache::cache
