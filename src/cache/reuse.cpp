#include "rangecache/cache/reuse.hpp"

#include "saturating.hpp"

namespace rangecache::cache {
namespace {

using detail::sat_sub;

// How many seconds past its lifetime the response is at `now`; negative while fresh.
std::int64_t staleness(const freshness_info& stored, std::int64_t now) {
  return sat_sub(current_age(stored.initial_age, stored.response_time, now), stored.lifetime);
}

reuse judge(const freshness_info& stored, const cache_control& req, std::int64_t now) {
  if (stored.no_cache || req.no_cache) return reuse::revalidate;

  std::int64_t age = current_age(stored.initial_age, stored.response_time, now);
  // max-age=0 means "revalidate" in practice (browsers' reload), even for an age of 0 s:
  // ages are whole seconds, so "not older than 0" cannot be told apart from "just stored".
  if (req.max_age && (*req.max_age == 0 || age > *req.max_age)) return reuse::revalidate;

  std::int64_t remaining = sat_sub(stored.lifetime, age);
  if (req.min_fresh && remaining < *req.min_fresh) return reuse::revalidate;
  if (remaining > 0) return reuse::fresh;

  if (stored.must_revalidate) return reuse::revalidate;
  const std::int64_t stale_by = sat_sub(0, remaining);
  if (req.max_stale_any) return reuse::stale_ok;
  if (req.max_stale && stale_by <= *req.max_stale) return reuse::stale_ok;
  if (stored.stale_while_revalidate && stale_by <= *stored.stale_while_revalidate)
    return reuse::stale_while_revalidate;
  return reuse::revalidate;
}

}  // namespace

cache_control request_directives(const request_info& request) noexcept {
  cache_control req;
  if (request.cache_control) {
    req = parse_cache_control(*request.cache_control);
  } else if (request.pragma && pragma_no_cache(*request.pragma)) {
    req.no_cache = true;
  }
  return req;
}

reuse decide_reuse(const freshness_info& stored, const request_info& request,
                   std::int64_t now) noexcept {
  const cache_control req = request_directives(request);
  const reuse r = judge(stored, req, now);
  if (r == reuse::stale_while_revalidate && req.only_if_cached) return reuse::stale_ok;
  return r;
}

on_failure decide_on_failure(const freshness_info& stored, failure what,
                             std::int64_t now) noexcept {
  const bool answered = what == failure::server_error;
  const std::int64_t stale_by = staleness(stored, now);
  const bool forbidden = stored.no_cache || (stored.must_revalidate && stale_by >= 0);
  if (forbidden) return answered ? on_failure::as_if_not_stored : on_failure::gateway_timeout;
  if (stored.stale_if_error)
    return stale_by <= *stored.stale_if_error ? on_failure::serve_stored
                                              : on_failure::as_if_not_stored;
  return answered ? on_failure::as_if_not_stored : on_failure::serve_stored;
}

bool stale_on_error_allowed(const freshness_info& stored) noexcept {
  return !stored.no_cache && !stored.must_revalidate;
}

}  // namespace rangecache::cache
