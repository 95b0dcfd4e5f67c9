// Whether a stored response may answer a request (RFC 9111 §4.2, with the request's own
// directives, §5.2.1), and when a stale one may be served anyway: while it is revalidated
// in the background (RFC 5861 §3), or when its revalidation fails (RFC 9111 §4.2.4,
// RFC 5861 §4). Pure.
#pragma once

#include <cstdint>

#include "rangecache/cache/freshness.hpp"

namespace rangecache::cache {

// The request's directives as a cache reads them: its Cache-Control, or, only when it has
// none, Pragma: no-cache as no-cache (RFC 9111 §5.4).
cache_control request_directives(const request_info& request) noexcept;

enum class reuse : std::uint8_t {
  fresh,       // serve it
  stale_ok,    // stale, but the client's max-stale accepts it: serve it
  revalidate,  // send a conditional request upstream first
  // Stale for at most its stale-while-revalidate seconds: serve it now and revalidate it
  // in the background.
  stale_while_revalidate,
};

// RFC 9111 §4.2 with the request's own directives (§5.2.1): request no-cache, or Pragma:
// no-cache when there is no Cache-Control, or max-age=0 → revalidate; max-age=N with an
// older response, or min-fresh=N with less than N seconds left → revalidate. A stale
// response is never served when no-cache or must_revalidate; otherwise under the client's
// max-stale (stale_ok), else within its stale-while-revalidate window. Staleness is counted
// as max-stale counts it: a response N seconds past its lifetime is "stale by N", and a
// window of N accepts it. With only-if-cached no background revalidation is started (the
// origin is not to be contacted): a response within its window is stale_ok.
reuse decide_reuse(const freshness_info& stored, const request_info& request,
                   std::int64_t now) noexcept;

// How the revalidation of a stored response failed.
enum class failure : std::uint8_t {
  unreachable,   // no answer: refused, reset, timed out
  server_error,  // the origin answered 5xx
};

// The origin statuses that count as an error for stale-if-error (RFC 5861 §4: 500, 502,
// 503 and 504); any other answer, 5xx or not, goes to the client as it is.
constexpr bool is_stale_if_error_status(unsigned status) noexcept {
  return status == 500 || status == 502 || status == 503 || status == 504;
}

enum class on_failure : std::uint8_t {
  serve_stored,      // answer with the stored response
  gateway_timeout,   // it may not be served without validation: 504 (RFC 9111 §5.2.2.2)
  as_if_not_stored,  // relay the origin's 5xx, or report the failure as for a miss
};

// RFC 9111 §4.2.4 and RFC 5861 §4. no-cache, or must-revalidate / proxy-revalidate /
// s-maxage once stale, forbid serving it: 504 when the origin cannot be reached, its 5xx
// when it answered. With stale-if-error=N it is served when stale by at most N seconds,
// else treated as not stored. Without stale-if-error it is served when the origin cannot be
// reached (a disconnected cache may, §4.2.4), and an origin's 5xx goes to the client.
on_failure decide_on_failure(const freshness_info& stored, failure what, std::int64_t now) noexcept;

// May a stale response be served when the origin cannot be reached? Not when no-cache,
// must-revalidate, proxy-revalidate or s-maxage forbid it.
bool stale_on_error_allowed(const freshness_info& stored) noexcept;

}  // namespace rangecache::cache
