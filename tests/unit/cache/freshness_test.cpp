#include "rangecache/cache/freshness.hpp"
#include "rangecache/cache/reuse.hpp"

#include <gtest/gtest.h>

#include <string>

#include "rangecache/util/http_date.hpp"

namespace rangecache::cache {
namespace {

// 2025-03-07T18:06:58Z
constexpr std::int64_t t0 = 1741370818;

std::string date(std::int64_t t) {
  return std::string(util::format_http_date(t).view());
}

// ---- Cache-Control parsing ------------------------------------------------------------

TEST(CacheControl, EmptyAndUnknown) {
  cache_control cc = parse_cache_control("");
  EXPECT_FALSE(cc.no_store || cc.no_cache || cc.is_private || cc.is_public);
  EXPECT_FALSE(cc.max_age || cc.s_maxage || cc.min_fresh || cc.max_stale);
  cc = parse_cache_control("foo, bar=baz, qux=\"a, no-store\"");
  EXPECT_FALSE(cc.no_store);  // inside a quoted string: not a directive
}

TEST(CacheControl, Flags) {
  cache_control cc = parse_cache_control(
      "no-store, no-cache, private, public, must-revalidate, proxy-revalidate, "
      "must-understand, no-transform, only-if-cached");
  EXPECT_TRUE(cc.no_store);
  EXPECT_TRUE(cc.no_cache);
  EXPECT_TRUE(cc.is_private);
  EXPECT_TRUE(cc.is_public);
  EXPECT_TRUE(cc.must_revalidate);
  EXPECT_TRUE(cc.proxy_revalidate);
  EXPECT_TRUE(cc.must_understand);
  EXPECT_TRUE(cc.no_transform);
  EXPECT_TRUE(cc.only_if_cached);
}

TEST(CacheControl, NamesAreCaseInsensitive) {
  cache_control cc = parse_cache_control("No-Store, MAX-AGE=5, S-MaxAge=7, Private");
  EXPECT_TRUE(cc.no_store);
  EXPECT_TRUE(cc.is_private);
  EXPECT_EQ(cc.max_age, 5);
  EXPECT_EQ(cc.s_maxage, 7);
}

TEST(CacheControl, Values) {
  cache_control cc = parse_cache_control("max-age=60,s-maxage=120 , min-fresh=5,\tmax-stale=30");
  EXPECT_EQ(cc.max_age, 60);
  EXPECT_EQ(cc.s_maxage, 120);
  EXPECT_EQ(cc.min_fresh, 5);
  EXPECT_EQ(cc.max_stale, 30);
  EXPECT_FALSE(cc.max_stale_any);

  EXPECT_TRUE(parse_cache_control("max-stale").max_stale_any);
  EXPECT_EQ(parse_cache_control("max-age=\"60\"").max_age, 60);  // quoted form accepted
  EXPECT_EQ(parse_cache_control("max-age=0").max_age, 0);
  EXPECT_EQ(parse_cache_control("max-age=000123").max_age, 123);
}

TEST(CacheControl, DeltaSecondsOverflowSaturates) {
  EXPECT_EQ(parse_cache_control("max-age=2147483648").max_age, delta_seconds_max);
  EXPECT_EQ(parse_cache_control("max-age=2147483649").max_age, delta_seconds_max);
  EXPECT_EQ(parse_cache_control("max-age=99999999999999999999999999").max_age, delta_seconds_max);
  EXPECT_EQ(parse_cache_control("max-age=2147483647").max_age, 2147483647);
}

TEST(CacheControl, InvalidOrConflictingFreshnessMeansStale) {
  EXPECT_EQ(parse_cache_control("max-age").max_age, 0);
  EXPECT_EQ(parse_cache_control("max-age=").max_age, 0);
  EXPECT_EQ(parse_cache_control("max-age=abc").max_age, 0);
  EXPECT_EQ(parse_cache_control("max-age=-1").max_age, 0);
  EXPECT_EQ(parse_cache_control("max-age=\"1 2\"").max_age, 0);
  EXPECT_EQ(parse_cache_control("max-age=60, max-age=120").max_age, 0);
  EXPECT_EQ(parse_cache_control("max-age=60, max-age=60").max_age, 60);
  EXPECT_EQ(parse_cache_control("s-maxage=1, s-maxage=2").s_maxage, 0);
  // "60x" is not 60: junk makes the directive count as 0, never as 60.
  EXPECT_EQ(parse_cache_control("max-age=60x").max_age, 0);
  EXPECT_EQ(parse_cache_control("max-age=60 x, no-store").max_age, 0);
  EXPECT_EQ(parse_cache_control("max-age = 60").max_age, 0);
  EXPECT_TRUE(parse_cache_control("max-age=60 x, no-store").no_store);
  // Junk never loses a restriction, and never grants anything.
  EXPECT_TRUE(parse_cache_control("no-store junk").no_store);
  EXPECT_TRUE(parse_cache_control("private;x").is_private);
  EXPECT_TRUE(parse_cache_control("no-cache @").no_cache);
  EXPECT_TRUE(parse_cache_control("must-revalidate x").must_revalidate);
  EXPECT_FALSE(parse_cache_control("public junk").is_public);
  EXPECT_FALSE(parse_cache_control("max-stale junk").max_stale_any);
  EXPECT_EQ(parse_cache_control("min-fresh=5 junk").min_fresh, std::nullopt);
}

TEST(CacheControl, ConflictingRequestDirectivesAreConservative) {
  EXPECT_EQ(parse_cache_control("min-fresh=5, min-fresh=10").min_fresh, 10);
  EXPECT_EQ(parse_cache_control("max-stale=50, max-stale=10").max_stale, 10);
  EXPECT_EQ(parse_cache_control("min-fresh=x").min_fresh, std::nullopt);
  EXPECT_EQ(parse_cache_control("max-stale=x").max_stale, std::nullopt);
  EXPECT_FALSE(parse_cache_control("max-stale=x").max_stale_any);
}

TEST(CacheControl, QualifiedFormsAndQuotedStrings) {
  // The qualified forms name fields to withhold; the response itself stays usable.
  cache_control cc = parse_cache_control("no-cache=\"Set-Cookie, X-Foo\", private=\"A\"");
  EXPECT_FALSE(cc.no_cache);
  EXPECT_FALSE(cc.is_private);
  EXPECT_EQ(cc.no_cache_fields, "Set-Cookie, X-Foo");
  EXPECT_EQ(cc.private_fields, "A");
  for (const char* name : {"set-cookie", "X-FOO", "a"}) EXPECT_TRUE(withheld_field(cc, name));
  for (const char* name : {"X-Fo", "B", "Set-Cookie2", ""}) EXPECT_FALSE(withheld_field(cc, name));
  // The unqualified form next to a qualified one still wins.
  cc = parse_cache_control("private=\"A\", private");
  EXPECT_TRUE(cc.is_private);
  cc = parse_cache_control(R"(ext="a \"quoted, no-store\" string", max-age=9)");
  EXPECT_FALSE(cc.no_store);
  EXPECT_EQ(cc.max_age, 9);
  cc = parse_cache_control("no-cache=\"unterminated, no-store");
  EXPECT_TRUE(cc.no_cache);
  EXPECT_FALSE(cc.no_store);
}

TEST(CacheControl, ListSyntaxTolerance) {
  cache_control cc = parse_cache_control(" ,, no-store ,,, max-age=5 , ");
  EXPECT_TRUE(cc.no_store);
  EXPECT_EQ(cc.max_age, 5);
  cc = parse_cache_control("@@@, =5, no-cache");
  EXPECT_TRUE(cc.no_cache);
}

// ---- Storability ----------------------------------------------------------------------

response_info ok_response(std::optional<std::string_view> cc = std::nullopt) {
  response_info r;
  r.status = 200;
  r.cache_control = cc;
  return r;
}

TEST(Storable, PlainCacheableStatuses) {
  request_info get;
  for (int status : {200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501}) {
    response_info r = ok_response();
    r.status = status;
    EXPECT_EQ(check_storable(get, r), storability::storable) << status;
    EXPECT_TRUE(is_heuristically_cacheable(status));
  }
  for (int status : {201, 302, 303, 307, 400, 403, 500, 502, 503}) {
    response_info r = ok_response();
    r.status = status;
    EXPECT_EQ(check_storable(get, r), storability::no_freshness) << status;
    EXPECT_FALSE(is_heuristically_cacheable(status));
    // ...unless explicitly fresh.
    r.cache_control = "max-age=60";
    EXPECT_EQ(check_storable(get, r), storability::storable) << status;
    r.cache_control = std::nullopt;
    r.expires = "Thu, 01 Jan 2099 00:00:00 GMT";
    EXPECT_EQ(check_storable(get, r), storability::storable) << status;
    r.expires = std::nullopt;
    r.cache_control = "s-maxage=5";
    EXPECT_EQ(check_storable(get, r), storability::storable) << status;
    r.cache_control = "public";
    EXPECT_EQ(check_storable(get, r), storability::storable) << status;
  }
}

TEST(Storable, NonFinalAnd304) {
  request_info get;
  for (int status : {100, 101, 103, 304}) {
    response_info r = ok_response("max-age=60");
    r.status = status;
    EXPECT_EQ(check_storable(get, r), storability::status) << status;
  }
}

TEST(Storable, OnlyGet) {
  for (std::string_view method : {"HEAD", "POST", "PUT", "get"}) {
    request_info req;
    req.method = method;
    EXPECT_EQ(check_storable(req, ok_response("max-age=60")), storability::method) << method;
  }
}

TEST(Storable, NoStore) {
  request_info get;
  EXPECT_EQ(check_storable(get, ok_response("no-store")), storability::no_store);
  EXPECT_EQ(check_storable(get, ok_response("max-age=60, No-Store")), storability::no_store);
  request_info no_store_req;
  no_store_req.cache_control = "no-store";
  EXPECT_EQ(check_storable(no_store_req, ok_response("max-age=60")), storability::no_store);
}

TEST(Storable, MustUnderstand) {
  request_info get;
  // Understood status: must-understand overrides no-store.
  EXPECT_EQ(check_storable(get, ok_response("must-understand, no-store, max-age=5")),
            storability::storable);
  response_info odd = ok_response("must-understand, no-store, max-age=5");
  odd.status = 299;
  EXPECT_EQ(check_storable(get, odd), storability::status);
}

TEST(Storable, Private) {
  request_info get;
  EXPECT_EQ(check_storable(get, ok_response("private")), storability::private_response);
  // private="f": the response is stored, without the field.
  EXPECT_EQ(check_storable(get, ok_response("private=\"Set-Cookie\", max-age=60")),
            storability::storable);
  EXPECT_EQ(check_storable(get, ok_response("public, private")), storability::private_response);
}

TEST(Storable, Authorization) {
  request_info auth;
  auth.has_authorization = true;
  EXPECT_EQ(check_storable(auth, ok_response()), storability::authorization);
  EXPECT_EQ(check_storable(auth, ok_response("max-age=60")), storability::authorization);
  EXPECT_EQ(check_storable(auth, ok_response("public")), storability::storable);
  EXPECT_EQ(check_storable(auth, ok_response("s-maxage=60")), storability::storable);
  EXPECT_EQ(check_storable(auth, ok_response("must-revalidate")), storability::storable);
}

TEST(Storable, VaryStar) {
  request_info get;
  response_info r = ok_response("max-age=60");
  r.vary = "*";
  EXPECT_EQ(check_storable(get, r), storability::vary_star);
  r.vary = "Accept-Encoding, *";
  EXPECT_EQ(check_storable(get, r), storability::vary_star);
  r.vary = " * ";
  EXPECT_EQ(check_storable(get, r), storability::vary_star);
  r.vary = "Accept-Encoding";
  EXPECT_EQ(check_storable(get, r), storability::storable);
  r.vary = "";
  EXPECT_EQ(check_storable(get, r), storability::storable);
}

// ---- Freshness lifetime ---------------------------------------------------------------

exchange_times at(std::int64_t t) {
  return {t, t};
}

TEST(Lifetime, Precedence) {
  std::string d = date(t0);
  std::string e = date(t0 + 500);
  std::string lm = date(t0 - 10000);
  response_info r = ok_response("max-age=100, s-maxage=200");
  r.date = d;
  r.expires = e;
  r.last_modified = lm;
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 200);  // s-maxage wins for a shared cache
  r.cache_control = "max-age=100";
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 100);
  r.cache_control = std::nullopt;
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 500);  // Expires - Date
  EXPECT_FALSE(freshness_lifetime(r, at(t0)).heuristic);
  r.expires = std::nullopt;
  lifetime h = freshness_lifetime(r, at(t0));
  EXPECT_EQ(h.seconds, 1000);  // 10% of Date - Last-Modified
  EXPECT_TRUE(h.heuristic);
}

TEST(Lifetime, ExpiresEdges) {
  std::string d = date(t0);
  response_info r = ok_response();
  r.date = d;
  r.expires = "0";  // invalid: already expired
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 0);
  std::string past = date(t0 - 100);
  r.expires = past;
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 0);
  // Without Date the response time stands in.
  std::string future = date(t0 + 300);
  r.date = std::nullopt;
  r.expires = future;
  EXPECT_EQ(freshness_lifetime(r, at(t0 + 100)).seconds, 200);
  r.date = "garbage";
  EXPECT_EQ(freshness_lifetime(r, at(t0 + 100)).seconds, 200);
  // An invalid max-age is stale even with a far Expires.
  r.cache_control = "max-age=x";
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 0);
}

TEST(Lifetime, Heuristic) {
  std::string d = date(t0);
  response_info r = ok_response();
  r.date = d;
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 0);  // no Last-Modified: nothing to go on
  std::string lm_year = date(t0 - 365 * 86400);
  r.last_modified = lm_year;
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 86400);  // capped
  freshness_policy policy;
  policy.heuristic_max = 3600;
  EXPECT_EQ(freshness_lifetime(r, at(t0), policy).seconds, 3600);
  std::string lm_future = date(t0 + 100);
  r.last_modified = lm_future;
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 0);
  std::string lm_recent = date(t0 - 99);
  r.last_modified = lm_recent;
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 9);

  // Not for statuses that are not heuristically cacheable, unless public.
  r.last_modified = lm_year;
  r.status = 302;
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 0);
  r.cache_control = "public";
  EXPECT_EQ(freshness_lifetime(r, at(t0)).seconds, 86400);
}

// RFC 9111 §4.2.2: the heuristic is a share of the time since Last-Modified, capped.
TEST(Lifetime, HeuristicFractionAndCap) {
  struct row {
    double fraction;
    std::int64_t cap, since, expected;
  };
  for (auto r : {row{0.1, 86400, 1000, 100}, row{0.5, 86400, 1000, 500},
                 row{0.3, 86400, 10, 3},  // 0.3 has no exact binary form: still 3 s
                 row{1.0, 86400, 1000, 1000}, row{0.1, 50, 1000, 50},  // the cap wins
                 row{0.0, 86400, 1000, 0},                             // off
                 row{0.25, 0, 1000, 0},                                // a cap of 0: off too
                 row{0.1, 86400, 9, 0},                                // under a second
                 row{0.000001, 86400, 1'000'000'000, 1000}}) {
    response_info resp = ok_response();
    std::string d = date(t0);
    std::string lm = date(t0 - r.since);
    resp.date = d;
    resp.last_modified = lm;
    freshness_policy policy;
    policy.heuristic_fraction = r.fraction;
    policy.heuristic_max = r.cap;
    auto life = freshness_lifetime(resp, at(t0), policy);
    EXPECT_EQ(life.seconds, r.expected) << r.fraction << " of " << r.since;
    EXPECT_TRUE(life.heuristic);
    EXPECT_EQ(analyze_freshness(resp, at(t0), policy).lifetime, r.expected);
  }
  // Explicit freshness is never scaled.
  response_info explicit_age = ok_response("max-age=7");
  std::string lm = date(t0 - 1000);
  explicit_age.last_modified = lm;
  freshness_policy half;
  half.heuristic_fraction = 0.5;
  EXPECT_EQ(freshness_lifetime(explicit_age, at(t0), half).seconds, 7);
}

// ---- Age ------------------------------------------------------------------------------

TEST(Age, CorrectedInitialAge) {
  std::string d = date(t0);
  response_info r = ok_response();
  r.date = d;
  // Request at t0, response at t0+2, Date t0: apparent age 2, delay 2.
  EXPECT_EQ(corrected_initial_age(r, {t0, t0 + 2}), 2);
  r.age = "100";
  EXPECT_EQ(corrected_initial_age(r, {t0, t0 + 2}), 102);  // Age + response delay
  r.age = " 7 ";
  EXPECT_EQ(corrected_initial_age(r, {t0, t0}), 7);
  r.age = "junk";
  EXPECT_EQ(corrected_initial_age(r, {t0, t0}), 0);
  r.age = "99999999999999999999";
  EXPECT_EQ(corrected_initial_age(r, {t0, t0}), delta_seconds_max);
  // Date in the future (clock skew): apparent age clamps at 0.
  std::string future = date(t0 + 1000);
  r.date = future;
  r.age = std::nullopt;
  EXPECT_EQ(corrected_initial_age(r, {t0, t0}), 0);
  // Date far in the past: apparent age dominates.
  std::string past = date(t0 - 50);
  r.date = past;
  r.age = "10";
  EXPECT_EQ(corrected_initial_age(r, {t0, t0}), 50);
}

TEST(Age, CurrentAge) {
  EXPECT_EQ(current_age(10, t0, t0), 10);
  EXPECT_EQ(current_age(10, t0, t0 + 90), 100);
  EXPECT_EQ(current_age(10, t0, t0 - 90), 10);  // clock went back: no negative residence
  EXPECT_EQ(current_age(INT64_MAX, t0, t0 + 5), INT64_MAX);  // saturates
}

// ---- Reuse ----------------------------------------------------------------------------

freshness_info stored_with(std::string_view cc, std::int64_t lifetime_hint = 0) {
  std::string d = date(t0);
  response_info r = ok_response(cc);
  r.date = d;
  freshness_info info = analyze_freshness(r, at(t0));
  if (lifetime_hint) {
    EXPECT_EQ(info.lifetime, lifetime_hint);
  }
  return info;
}

request_info req(std::optional<std::string_view> cc = std::nullopt,
                 std::optional<std::string_view> pragma = std::nullopt) {
  request_info r;
  r.cache_control = cc;
  r.pragma = pragma;
  return r;
}

TEST(Reuse, FreshThenStale) {
  freshness_info s = stored_with("max-age=100", 100);
  EXPECT_EQ(decide_reuse(s, req(), t0), reuse::fresh);
  EXPECT_EQ(decide_reuse(s, req(), t0 + 99), reuse::fresh);
  EXPECT_EQ(decide_reuse(s, req(), t0 + 100), reuse::revalidate);  // age == lifetime: stale
  EXPECT_EQ(decide_reuse(s, req(), t0 + 1000), reuse::revalidate);
}

TEST(Reuse, ResponseNoCacheAlwaysRevalidates) {
  freshness_info s = stored_with("no-cache, max-age=100");
  EXPECT_TRUE(s.no_cache);
  EXPECT_EQ(decide_reuse(s, req(), t0), reuse::revalidate);
  EXPECT_FALSE(stale_on_error_allowed(s));
}

TEST(Reuse, ClientAsksForRevalidation) {
  freshness_info s = stored_with("max-age=100");
  EXPECT_EQ(decide_reuse(s, req("no-cache"), t0), reuse::revalidate);
  EXPECT_EQ(decide_reuse(s, req("max-age=0"), t0), reuse::revalidate);
  EXPECT_EQ(decide_reuse(s, req(std::nullopt, "no-cache"), t0), reuse::revalidate);
  EXPECT_EQ(decide_reuse(s, req(std::nullopt, "x, No-Cache"), t0), reuse::revalidate);
  // Pragma only counts without Cache-Control (RFC 9111 §5.4).
  EXPECT_EQ(decide_reuse(s, req("max-age=50", "no-cache"), t0), reuse::fresh);
  EXPECT_EQ(decide_reuse(s, req(std::nullopt, "foo"), t0), reuse::fresh);
}

TEST(Reuse, RequestMaxAgeAndMinFresh) {
  freshness_info s = stored_with("max-age=100");
  EXPECT_EQ(decide_reuse(s, req("max-age=10"), t0 + 10), reuse::fresh);
  EXPECT_EQ(decide_reuse(s, req("max-age=10"), t0 + 11), reuse::revalidate);
  EXPECT_EQ(decide_reuse(s, req("min-fresh=50"), t0 + 50), reuse::fresh);
  EXPECT_EQ(decide_reuse(s, req("min-fresh=50"), t0 + 51), reuse::revalidate);
}

TEST(Reuse, MaxStale) {
  freshness_info s = stored_with("max-age=100");
  EXPECT_EQ(decide_reuse(s, req("max-stale=30"), t0 + 130), reuse::stale_ok);
  EXPECT_EQ(decide_reuse(s, req("max-stale=30"), t0 + 131), reuse::revalidate);
  EXPECT_EQ(decide_reuse(s, req("max-stale"), t0 + 1000000), reuse::stale_ok);
  EXPECT_EQ(decide_reuse(s, req("max-stale=30"), t0 + 50), reuse::fresh);
  EXPECT_TRUE(stale_on_error_allowed(s));
}

TEST(Reuse, MustRevalidateForbidsStale) {
  for (std::string_view cc :
       {"max-age=100, must-revalidate", "max-age=100, proxy-revalidate", "s-maxage=100"}) {
    freshness_info s = stored_with(cc, 100);
    EXPECT_TRUE(s.must_revalidate) << cc;
    EXPECT_EQ(decide_reuse(s, req(), t0 + 50), reuse::fresh) << cc;
    EXPECT_EQ(decide_reuse(s, req("max-stale"), t0 + 200), reuse::revalidate) << cc;
    EXPECT_FALSE(stale_on_error_allowed(s)) << cc;
  }
}

TEST(Reuse, InitialAgeCounts) {
  std::string d = date(t0);
  response_info r = ok_response("max-age=100");
  r.date = d;
  r.age = "90";
  freshness_info s = analyze_freshness(r, at(t0));
  EXPECT_EQ(s.initial_age, 90);
  EXPECT_EQ(decide_reuse(s, req(), t0 + 9), reuse::fresh);
  EXPECT_EQ(decide_reuse(s, req(), t0 + 10), reuse::revalidate);
}

TEST(Reuse, HeuristicFlagIsRecorded) {
  std::string d = date(t0);
  std::string lm = date(t0 - 1000);
  response_info r = ok_response();
  r.date = d;
  r.last_modified = lm;
  freshness_info s = analyze_freshness(r, at(t0));
  EXPECT_TRUE(s.heuristic);
  EXPECT_EQ(s.lifetime, 100);
  EXPECT_EQ(s.response_time, t0);
}

// ---- Conditionals ---------------------------------------------------------------------

TEST(Etag, WeakComparison) {
  // RFC 9110 §8.8.3.2 table.
  EXPECT_TRUE(etag_weak_equal("W/\"1\"", "W/\"1\""));
  EXPECT_FALSE(etag_weak_equal("W/\"1\"", "W/\"2\""));
  EXPECT_TRUE(etag_weak_equal("W/\"1\"", "\"1\""));
  EXPECT_TRUE(etag_weak_equal("\"1\"", "\"1\""));
  EXPECT_FALSE(etag_weak_equal("\"1\"", "1"));
  EXPECT_FALSE(etag_weak_equal("", ""));
  EXPECT_FALSE(etag_weak_equal("w/\"1\"", "\"1\""));  // the W is case-sensitive
}

conditional_request conditional(std::optional<std::string_view> inm,
                                std::optional<std::string_view> ims,
                                std::string_view method = "GET") {
  conditional_request c;
  c.method = method;
  c.if_none_match = inm;
  c.if_modified_since = ims;
  return c;
}

stored_validators validators(std::string_view etag, std::optional<std::int64_t> lm,
                             std::optional<std::int64_t> d = std::nullopt) {
  return {etag, lm, d, t0 + 7};
}

TEST(Conditionals, IfNoneMatch) {
  auto v = validators("\"abc\"", t0);
  EXPECT_EQ(evaluate_conditionals(conditional("\"abc\"", {}), v), conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional("W/\"abc\"", {}), v),
            conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional("\"x\", \"abc\"", {}), v),
            conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional("\"x\",W/\"abc\" ,", {}), v),
            conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional("*", {}), v), conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional(" * ", {}), validators("", std::nullopt)),
            conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional("\"x\"", {}), v), conditional_result::modified);
  EXPECT_EQ(evaluate_conditionals(conditional("\"ABC\"", {}), v), conditional_result::modified);
  EXPECT_EQ(evaluate_conditionals(conditional("\"abc\"", {}), validators("W/\"abc\"", t0)),
            conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional("\"abc\"", {}), validators("", t0)),
            conditional_result::modified);
  // Malformed lists match nothing.
  for (std::string_view bad :
       {"abc", "\"abc", "\"abc\" \"abc\"", "\"abc\"; x", "", ",", "*,\"abc\""}) {
    EXPECT_EQ(evaluate_conditionals(conditional(bad, {}), v), conditional_result::modified) << bad;
  }
}

TEST(Conditionals, IfNoneMatchBeatsIfModifiedSince) {
  auto v = validators("\"abc\"", t0);
  std::string later = date(t0 + 100);
  EXPECT_EQ(evaluate_conditionals(conditional("\"x\"", later), v), conditional_result::modified);
  std::string earlier = date(t0 - 100);
  EXPECT_EQ(evaluate_conditionals(conditional("\"abc\"", earlier), v),
            conditional_result::not_modified);
}

TEST(Conditionals, IfModifiedSince) {
  auto v = validators("", t0);
  std::string same = date(t0), later = date(t0 + 1), earlier = date(t0 - 1);
  EXPECT_EQ(evaluate_conditionals(conditional({}, same), v), conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional({}, later), v), conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional({}, earlier), v), conditional_result::modified);
  EXPECT_EQ(evaluate_conditionals(conditional({}, "not a date"), v), conditional_result::none);
  EXPECT_EQ(evaluate_conditionals(conditional({}, same + ", " + same), v),
            conditional_result::none);
  // RFC 850 and asctime count too.
  EXPECT_EQ(evaluate_conditionals(conditional({}, "Friday, 07-Mar-25 18:06:58 GMT"), v),
            conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional({}, "Fri Mar  7 18:06:58 2025"), v),
            conditional_result::not_modified);
}

TEST(Conditionals, IfModifiedSinceFallsBackToDateThenResponseTime) {
  std::string at_t0 = date(t0);
  // No Last-Modified: the stored Date (t0 - 5) is used.
  EXPECT_EQ(evaluate_conditionals(conditional({}, at_t0), validators("", std::nullopt, t0 - 5)),
            conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional({}, at_t0), validators("", std::nullopt, t0 + 5)),
            conditional_result::modified);
  // Neither: the response time (t0 + 7).
  EXPECT_EQ(evaluate_conditionals(conditional({}, at_t0), validators("", std::nullopt)),
            conditional_result::modified);
  std::string after = date(t0 + 7);
  EXPECT_EQ(evaluate_conditionals(conditional({}, after), validators("", std::nullopt)),
            conditional_result::not_modified);
}

TEST(Conditionals, OnlyGetAndHead) {
  auto v = validators("\"abc\"", t0);
  EXPECT_EQ(evaluate_conditionals(conditional("\"abc\"", {}, "HEAD"), v),
            conditional_result::not_modified);
  EXPECT_EQ(evaluate_conditionals(conditional("\"abc\"", {}, "POST"), v), conditional_result::none);
  EXPECT_EQ(evaluate_conditionals(conditional({}, {}), v), conditional_result::none);
}

// ---- Which stored response a 304 freshens ----------------------------------------------

struct selection_case {
  std::string_view stored_etag, stored_lm;  // the stored response's validators
  std::string_view etag, lm;                // the 304's
  bool selects;
};

TEST(NotModified, SelectsTheStoredResponseOnlyByItsValidators) {
  const std::string lm = date(t0);
  const std::string earlier = date(t0 - 60);
  const std::string lm_asctime = "Fri Mar  7 18:06:58 2025";  // the same instant
  const selection_case cases[] = {
      // A strong ETag in the 304 decides alone, by strong comparison.
      {"\"a\"", lm, "\"a\"", lm, true},
      {"\"a\"", lm, "\"a\"", "", true},
      {"\"a\"", "", "\"a\"", lm, true},
      {"\"a\"", lm, "\"a\"", earlier, true},
      {"\"a\"", lm, "\"b\"", lm, false},  // the origin has another version
      {"\"a\"", lm, "\"b\"", "", false},
      {"W/\"a\"", lm, "\"a\"", lm, false},  // a weak stored tag never equals a strong one
      {"", lm, "\"a\"", lm, false},
      {" \"a\" ", "", "\"a\"", "", true},
      // A weak ETag: weak comparison, and a Last-Modified it carries must agree too.
      {"W/\"a\"", lm, "W/\"a\"", lm, true},
      {"\"a\"", lm, "W/\"a\"", lm, true},
      {"W/\"a\"", "", "W/\"a\"", "", true},
      {"W/\"a\"", lm, "W/\"b\"", lm, false},
      {"W/\"a\"", lm, "W/\"a\"", earlier, false},
      {"W/\"a\"", "", "W/\"a\"", lm, false},
      {"", lm, "W/\"a\"", lm, false},
      // Last-Modified alone: the same instant, however it is spelled.
      {"", lm, "", lm, true},
      {"\"a\"", lm, "", lm, true},
      {"", lm, "", lm_asctime, true},
      {"", lm, "", earlier, false},
      {"", "", "", lm, false},
      {"", lm, "", "not a date", false},
      {"", "not a date", "", "not a date", false},
      // No validator in the 304: only a stored response without any.
      {"", "", "", "", true},
      {"\"a\"", "", "", "", false},
      {"", lm, "", "", false},
      // Malformed tags match nothing.
      {"\"a\"", lm, "a", lm, false},
      {"a", lm, "a", lm, false},
      {"\"a\"", lm, "\"a\" x", lm, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(not_modified_selects({c.stored_etag, c.stored_lm}, {c.etag, c.lm}), c.selects)
        << "stored [" << c.stored_etag << "] [" << c.stored_lm << "], 304 [" << c.etag << "] ["
        << c.lm << "]";
  }
}

}  // namespace
}  // namespace rangecache::cache
