// Reuse of a stored response: the request's own directives (RFC 9111 §5.2.1), the response's
// limits on stale answers (§4.2.4, §5.2.2), and RFC 5861's stale-while-revalidate and
// stale-if-error, as tables.
#include "rangecache/cache/reuse.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "rangecache/util/http_date.hpp"

namespace rangecache::cache {
namespace {

// 2025-03-07T18:06:58Z
constexpr std::int64_t t0 = 1741370818;

// What a response with this Cache-Control, stored at t0 with Date t0, leaves in the store.
freshness_info stored(std::string_view cc) {
  const std::string date(util::format_http_date(t0).view());
  response_info r;
  r.cache_control = cc;
  r.date = date;
  return analyze_freshness(r, {t0, t0});
}

request_info request(std::optional<std::string_view> cc,
                     std::optional<std::string_view> pragma = std::nullopt) {
  request_info r;
  r.cache_control = cc;
  r.pragma = pragma;
  return r;
}

struct reuse_case {
  std::string_view response;                // stored Cache-Control
  std::optional<std::string_view> request;  // request Cache-Control
  std::optional<std::string_view> pragma;   // request Pragma
  std::int64_t after;                       // seconds after t0
  reuse expected;
};

std::string describe(const reuse_case& c) {
  return std::string("response '") + std::string(c.response) + "', request '" +
         std::string(c.request.value_or("-")) + "', Pragma '" +
         std::string(c.pragma.value_or("-")) + "', at +" + std::to_string(c.after);
}

void check(std::initializer_list<reuse_case> cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(decide_reuse(stored(c.response), request(c.request, c.pragma), t0 + c.after),
              c.expected)
        << describe(c);
  }
}

constexpr auto fresh = reuse::fresh;
constexpr auto stale_ok = reuse::stale_ok;
constexpr auto revalidate = reuse::revalidate;
constexpr auto swr = reuse::stale_while_revalidate;
constexpr auto none = std::nullopt;

// RFC 9111 §5.2.1.1 max-age, §5.2.1.3 min-fresh, §5.2.1.4 no-cache.
TEST(RequestDirectives, MaxAgeMinFreshNoCache) {
  check({
      {"max-age=100", none, none, 50, fresh},
      {"max-age=100", "max-age=50", none, 50, fresh},
      {"max-age=100", "max-age=49", none, 50, revalidate},  // older than the client accepts
      {"max-age=100", "max-age=0", none, 0, revalidate},    // a reload
      {"max-age=100", "min-fresh=50", none, 50, fresh},     // 50 s left
      {"max-age=100", "min-fresh=51", none, 50, revalidate},
      {"max-age=100", "no-cache", none, 0, revalidate},
      {"max-age=100", "NO-CACHE", none, 0, revalidate},
      // Junk in the request's own Cache-Control changes nothing.
      {"max-age=100", "foo, bar=1", none, 50, fresh},
  });
}

// RFC 9111 §5.2.1.2 max-stale, and what the response may forbid (§5.2.2.2, §5.2.2.8).
TEST(RequestDirectives, MaxStale) {
  check({
      {"max-age=100", "max-stale=30", none, 130, stale_ok},
      {"max-age=100", "max-stale=30", none, 131, revalidate},
      {"max-age=100", "max-stale", none, 1000000, stale_ok},
      {"max-age=100", "max-stale=30, max-age=200", none, 130, stale_ok},
      {"max-age=100", "max-stale=30, max-age=120", none, 130, revalidate},
      {"max-age=100, must-revalidate", "max-stale", none, 101, revalidate},
      {"max-age=100, proxy-revalidate", "max-stale", none, 101, revalidate},
      {"s-maxage=100", "max-stale", none, 101, revalidate},
      {"no-cache, max-age=100", "max-stale", none, 0, revalidate},
  });
}

// RFC 9111 §5.4: Pragma: no-cache counts only when the request has no Cache-Control.
TEST(RequestDirectives, PragmaOnlyWithoutCacheControl) {
  check({
      {"max-age=100", none, "no-cache", 0, revalidate},
      {"max-age=100", none, "x=1, No-Cache", 0, revalidate},
      {"max-age=100", none, "foo", 0, fresh},
      {"max-age=100", "max-age=50", "no-cache", 0, fresh},
      {"max-age=100", "", "no-cache", 0, fresh},  // an empty Cache-Control is still one
  });
}

// RFC 9111 §5.2.1.7: only-if-cached never leads to the origin; the caller answers 504 for
// revalidate. A response within its stale-while-revalidate window is served as it is.
TEST(RequestDirectives, OnlyIfCached) {
  check({
      {"max-age=100", "only-if-cached", none, 50, fresh},
      {"max-age=100", "only-if-cached", none, 150, revalidate},
      {"max-age=100", "only-if-cached, max-stale=60", none, 150, stale_ok},
      {"max-age=100, stale-while-revalidate=60", "only-if-cached", none, 150, stale_ok},
  });
  EXPECT_TRUE(request_directives(request("only-if-cached")).only_if_cached);
  EXPECT_TRUE(request_directives(request("max-age=5, Only-If-Cached")).only_if_cached);
  EXPECT_FALSE(request_directives(request(none, "only-if-cached")).only_if_cached);
  EXPECT_TRUE(request_directives(request(none, "no-cache")).no_cache);
  EXPECT_FALSE(request_directives(request("max-age=1", "no-cache")).no_cache);
}

// RFC 5861 §3: stale for at most N seconds → served while it is revalidated.
TEST(StaleWhileRevalidate, Window) {
  check({
      {"max-age=100, stale-while-revalidate=30", none, none, 99, fresh},
      {"max-age=100, stale-while-revalidate=30", none, none, 100, swr},
      {"max-age=100, stale-while-revalidate=30", none, none, 130, swr},
      {"max-age=100, stale-while-revalidate=30", none, none, 131, revalidate},
      {"max-age=100, stale-while-revalidate=x", none, none, 101, revalidate},
      // Given twice: the smaller window.
      {"max-age=100, stale-while-revalidate=30, stale-while-revalidate=5", none, none, 106,
       revalidate},
      // A client max-stale that accepts it is answered without a revalidation.
      {"max-age=100, stale-while-revalidate=30", "max-stale=50", none, 120, stale_ok},
  });
}

// What forbids a stale answer forbids it under stale-while-revalidate too, and a request
// that asks for validation or a younger response gets it.
TEST(StaleWhileRevalidate, NotWhenForbiddenOrRefused) {
  check({
      {"max-age=100, stale-while-revalidate=30, must-revalidate", none, none, 110, revalidate},
      {"max-age=100, stale-while-revalidate=30, proxy-revalidate", none, none, 110, revalidate},
      {"s-maxage=100, stale-while-revalidate=30", none, none, 110, revalidate},
      {"no-cache, max-age=100, stale-while-revalidate=30", none, none, 110, revalidate},
      {"max-age=100, stale-while-revalidate=30", "no-cache", none, 110, revalidate},
      {"max-age=100, stale-while-revalidate=30", none, "no-cache", 110, revalidate},
      {"max-age=100, stale-while-revalidate=30", "max-age=105", none, 110, revalidate},
      {"max-age=100, stale-while-revalidate=30", "max-age=110", none, 110, swr},
      {"max-age=100, stale-while-revalidate=30", "min-fresh=1", none, 110, revalidate},
  });
}

struct failure_case {
  std::string_view response;
  failure what;
  std::int64_t after;
  on_failure expected;
};

constexpr auto unreachable = failure::unreachable;
constexpr auto server_error = failure::server_error;

TEST(StaleIfErrorStatus, TheFourOfRfc5861) {
  for (unsigned s : {500u, 502u, 503u, 504u}) EXPECT_TRUE(is_stale_if_error_status(s)) << s;
  for (unsigned s : {200u, 304u, 404u, 501u, 505u, 507u, 599u})
    EXPECT_FALSE(is_stale_if_error_status(s)) << s;
}
constexpr auto serve = on_failure::serve_stored;
constexpr auto gateway_timeout = on_failure::gateway_timeout;
constexpr auto pass = on_failure::as_if_not_stored;

// RFC 9111 §4.2.4 and §5.2.2 (must-revalidate, proxy-revalidate, s-maxage, no-cache),
// RFC 5861 §4 (stale-if-error).
TEST(OnFailure, Table) {
  const failure_case cases[] = {
      // No stale-if-error: a disconnected cache may serve stale; a 5xx is the answer.
      {"max-age=100", unreachable, 1000, serve},
      {"max-age=100", server_error, 1000, pass},
      // Forbidden: 504 when unreachable, the origin's 5xx when it answered.
      {"max-age=100, must-revalidate", unreachable, 101, gateway_timeout},
      {"max-age=100, proxy-revalidate", unreachable, 101, gateway_timeout},
      {"s-maxage=100", unreachable, 101, gateway_timeout},
      {"no-cache, max-age=100", unreachable, 0, gateway_timeout},
      {"max-age=100, must-revalidate", server_error, 101, pass},
      {"max-age=100, must-revalidate, stale-if-error=60", unreachable, 110, gateway_timeout},
      {"no-cache, stale-if-error=60", server_error, 10, pass},
      // must-revalidate binds only once stale: a fresh response still answers.
      {"max-age=100, must-revalidate", unreachable, 50, serve},
      // stale-if-error=N: served when stale by at most N seconds, for both failures.
      {"max-age=100, stale-if-error=60", server_error, 160, serve},
      {"max-age=100, stale-if-error=60", unreachable, 160, serve},
      {"max-age=100, stale-if-error=60", server_error, 161, pass},
      {"max-age=100, stale-if-error=60", unreachable, 161, pass},
      {"max-age=100, stale-if-error=0", unreachable, 101, pass},
      {"max-age=100, stale-if-error=bad", server_error, 101, pass},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(decide_on_failure(stored(c.response), c.what, t0 + c.after), c.expected)
        << c.response << " +" << c.after << (c.what == unreachable ? " unreachable" : " 5xx");
  }
}

TEST(CacheControl, StaleExtensions) {
  auto cc = parse_cache_control("stale-while-revalidate=30, stale-if-error=\"60\"");
  EXPECT_EQ(cc.stale_while_revalidate, 30);
  EXPECT_EQ(cc.stale_if_error, 60);
  cc = parse_cache_control("Stale-While-Revalidate=9, stale-while-revalidate=3, stale-if-error");
  EXPECT_EQ(cc.stale_while_revalidate, 3);
  EXPECT_EQ(cc.stale_if_error, 0);  // no value: no stale answer on its account
  cc = parse_cache_control("stale-if-error=60 junk, max-age=5");
  EXPECT_FALSE(cc.stale_if_error);  // junk after it: ignored, never extends staleness
  EXPECT_EQ(cc.max_age, 5);
  EXPECT_FALSE(parse_cache_control("max-age=5").stale_while_revalidate);
}

}  // namespace
}  // namespace rangecache::cache
