#include "rangecache/plan/fill_plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rangecache/range/cache_key.hpp"
#include "rangecache/range/normalize.hpp"

namespace rangecache::plan {
namespace {

// A request as serve_cacheable builds it: Range (or none), cache_range_requests on.
cache_request request_for(std::string range, bool no_modify = false, bool head = false) {
  cache_request cr;
  cr.url = "http://o/v.mp4";
  cr.full_key = range::cache_key(cr.url);
  cr.head = head;
  if (!range.empty()) {
    cr.ranges = range::parse_range(range);
    cr.ranged = cr.ranges.ok();
  }
  cr.crr = cr.ranged && cr.ranges.specs.size() == 1;
  if (cr.crr) {
    cr.range_key = no_modify ? cr.full_key : range::range_object_key(cr.url, cr.ranges.specs[0]);
  }
  return cr;
}

config::remap_rule rule_with(bool no_modify = false, bool complete_responses = false,
                             std::vector<std::string> key_headers = {}) {
  config::remap_rule rule;
  rule.cache_range_requests.enabled = true;
  rule.cache_range_requests.no_modify_cachekey = no_modify;
  rule.cache_range_requests.cache_complete_responses = complete_responses;
  rule.cache_key_headers = std::move(key_headers);
  return rule;
}

struct head_case {
  head_case(unsigned s = 200, std::optional<std::uint64_t> len = std::nullopt,
            std::vector<std::string_view> cr = {}, std::vector<std::string_view> v = {},
            bool cookie = false, std::optional<std::string_view> cc = "max-age=60")
      : status(s),
        length(len),
        content_ranges(std::move(cr)),
        vary(std::move(v)),
        set_cookie(cookie),
        cache_control(cc) {}
  unsigned status = 200;
  std::optional<std::uint64_t> length;
  std::vector<std::string_view> content_ranges;
  std::vector<std::string_view> vary;
  bool set_cookie = false;
  std::optional<std::string_view> cache_control = "max-age=60";

  origin_head view() const {
    origin_head h;
    h.status = status;
    h.content_length = length;
    h.content_ranges = content_ranges;
    h.vary = vary;
    if (!vary.empty()) h.info.vary = vary.front();
    h.set_cookie = set_cookie;
    h.info.status = static_cast<int>(status);
    h.info.cache_control = cache_control;
    return h;
  }
};

cache::request_info plain_get() {
  return {};
}

TEST(PlanFill, OriginRangeAnswerIsARangeObjectAndOffersTheWhole) {
  auto cr = request_for("bytes=0-99");
  head_case h{206, 100, {"bytes 0-99/1000"}};
  auto p = plan_fill(plain_get(), h.view(), cr, rule_with());
  EXPECT_EQ(p.store, store_as::range_object);
  EXPECT_EQ(store_key(p, cr), cr.range_key);
  ASSERT_TRUE(p.stored_range);
  EXPECT_EQ(p.stored_range->first, 0u);
  EXPECT_EQ(p.stored_range->last, 99u);
  EXPECT_EQ(p.stored_range->total, 1000u);
  EXPECT_FALSE(p.windowed);
  EXPECT_EQ(p.client_status, 206u);
  EXPECT_TRUE(p.offer_background_fetch);
  EXPECT_EQ(p.complete_length, 1000u);
}

TEST(PlanFill, A206ForAnotherRangeIsPassedButNotStored) {
  auto cr = request_for("bytes=0-99");
  for (auto bad :
       {head_case{206, 100, {"bytes 1-100/1000"}}, head_case{206, 99, {"bytes 0-99/1000"}},
        head_case{206, 100, {}}, head_case{206, 100, {"bytes 0-99/1000", "bytes 0-99/1000"}},
        head_case{206, 100, {"bytes */1000"}}}) {
    auto p = plan_fill(plain_get(), bad.view(), cr, rule_with());
    EXPECT_EQ(p.store, store_as::nothing);
    EXPECT_TRUE(p.range_mismatch);
    EXPECT_EQ(p.client_status, 206u);
  }
}

TEST(PlanFill, Origin200ToARangeIsTheCompleteObjectCutToTheRange) {
  struct row {
    const char* range;
    unsigned status;
    std::uint64_t from, length;
    const char* content_range;
  };
  for (auto r : {row{"bytes=0-99", 206, 0, 100, "bytes 0-99/1000"},
                 row{"bytes=-10", 206, 990, 10, "bytes 990-999/1000"},
                 row{"bytes=900-", 206, 900, 100, "bytes 900-999/1000"},
                 row{"bytes=1000-", 416, 0, 0, "bytes */1000"}}) {
    auto cr = request_for(r.range);
    head_case h{200, 1000};
    auto p = plan_fill(plain_get(), h.view(), cr, rule_with());
    EXPECT_EQ(p.store, store_as::complete) << r.range;
    EXPECT_TRUE(p.windowed) << r.range;
    EXPECT_EQ(p.client_status, r.status) << r.range;
    EXPECT_EQ(p.window_from, r.from) << r.range;
    EXPECT_EQ(p.window_length, r.length) << r.range;
    EXPECT_EQ(p.client_content_range, r.content_range) << r.range;
    EXPECT_FALSE(p.offer_background_fetch);
  }
}

TEST(PlanFill, MultiRangeAndIfRangeGetTheOrigins200Whole) {
  auto multi = request_for("bytes=0-9,20-29");
  head_case h{200, 1000};
  auto p = plan_fill(plain_get(), h.view(), multi, rule_with());
  EXPECT_EQ(p.store, store_as::complete);
  EXPECT_FALSE(p.windowed);
  EXPECT_EQ(p.client_status, 200u);
  auto cond = request_for("bytes=0-9");
  cond.if_range = true;
  p = plan_fill(plain_get(), h.view(), cond, rule_with());
  EXPECT_FALSE(p.windowed);
  EXPECT_EQ(p.client_status, 200u);
  // Without a length there is nothing to cut: the 200 goes as it is.
  head_case unknown{200, std::nullopt};
  p = plan_fill(plain_get(), unknown.view(), request_for("bytes=0-9"), rule_with());
  EXPECT_FALSE(p.windowed);
}

TEST(PlanFill, NoModifyCachekeyKeepsA200OnlyWithCompleteResponses) {
  auto cr = request_for("bytes=0-99", true);
  head_case h{200, 1000};
  auto p = plan_fill(plain_get(), h.view(), cr, rule_with(true, false));
  EXPECT_EQ(p.store, store_as::nothing);
  EXPECT_FALSE(p.windowed);
  p = plan_fill(plain_get(), h.view(), cr, rule_with(true, true));
  EXPECT_EQ(p.store, store_as::range_object);
  EXPECT_EQ(store_key(p, cr), cr.full_key);
}

TEST(PlanFill, OnlyTheResponseCanMakeTheKeyUncacheable) {
  auto cr = request_for("");
  head_case h{200, 1000};
  cache::request_info no_store;
  no_store.cache_control = "no-store";
  auto p = plan_fill(no_store, h.view(), cr, rule_with());
  EXPECT_FALSE(p.storable);
  EXPECT_TRUE(p.response_storable) << "one client's no-store says nothing of the response";
  cache::request_info with_auth;
  with_auth.has_authorization = true;
  p = plan_fill(with_auth, h.view(), cr, rule_with());
  EXPECT_FALSE(p.storable);
  EXPECT_TRUE(p.response_storable);
  for (auto bad :
       {head_case{200, 1000, {}, {}, true}, head_case{200, 1000, {}, {}, false, "no-store"},
        head_case{200, 1000, {}, {}, false, "private"},
        head_case{200, 1000, {}, {"Accept-Encoding, *"}}}) {
    p = plan_fill(plain_get(), bad.view(), cr, rule_with());
    EXPECT_FALSE(p.response_storable);
    EXPECT_EQ(p.store, store_as::nothing);
  }
}

TEST(PlanFill, HeadIsNeverStored) {
  head_case h{200, 1000};
  auto p = plan_fill(plain_get(), h.view(), request_for("", false, true), rule_with());
  EXPECT_FALSE(p.storable);
  EXPECT_EQ(p.store, store_as::nothing);
}

// RFC 9111 §3 with §4.2.2: which statuses are stored, and where. Every row is a plain GET.
struct status_row {
  unsigned status;
  std::optional<std::string_view> cache_control, expires, last_modified;
  bool stored;
};

origin_head status_head(const status_row& r) {
  origin_head h;
  h.status = r.status;
  h.content_length = r.status == 204 ? std::nullopt : std::optional<std::uint64_t>(20);
  h.info.status = static_cast<int>(r.status);
  h.info.cache_control = r.cache_control;
  h.info.expires = r.expires;
  h.info.last_modified = r.last_modified;
  h.info.date = "Thu, 01 Jan 2026 00:00:00 GMT";
  return h;
}

constexpr std::string_view lm = "Mon, 01 Jan 2024 00:00:00 GMT";
constexpr std::string_view expires = "Fri, 02 Jan 2026 00:00:00 GMT";

TEST(PlanFillStatus, WhichStatusesAreStoredUnderTheCompleteKey) {
  const std::vector<status_row> rows = {
      // Explicit freshness: any final status the URL answers with.
      {200, "max-age=60", {}, {}, true},
      {203, "max-age=60", {}, {}, true},
      {204, "max-age=60", {}, {}, true},
      {300, "max-age=60", {}, {}, true},
      {301, "max-age=60", {}, {}, true},
      {302, "max-age=60", {}, {}, true},
      {307, "s-maxage=60", {}, {}, true},
      {308, {}, expires, {}, true},
      {404, "max-age=60", {}, {}, true},
      {405, "max-age=60", {}, {}, true},
      {410, {}, expires, {}, true},
      {414, "s-maxage=5", {}, {}, true},
      {500, "max-age=5", {}, {}, true},
      {501, "max-age=60", {}, {}, true},
      {503, "max-age=5", {}, {}, true},
      // Answers about one request's conditionals or range: never the URL's answer.
      {304, "max-age=60", {}, {}, false},
      {412, "max-age=60", {}, {}, false},
      {416, "max-age=60", {}, {}, false},
      // Heuristic freshness: the statuses of RFC 9110 §15.1, with a Last-Modified.
      {200, {}, {}, lm, true},
      {203, {}, {}, lm, true},
      {204, {}, {}, lm, true},
      {301, {}, {}, lm, true},
      {404, {}, {}, lm, true},
      {410, {}, {}, lm, true},
      {501, {}, {}, lm, true},
      {302, {}, {}, lm, false},       // not heuristically cacheable...
      {302, "public", {}, lm, true},  // ...unless public
      {500, {}, {}, lm, false},
      // Nothing to make it fresh: only a 200 is kept (its validators can still serve).
      {200, {}, {}, {}, true},
      {404, {}, {}, {}, false},
      {410, "public", {}, {}, false},
      {301, "no-cache", {}, {}, false},
      // RFC 9111 §3 still applies to every status.
      {404, "max-age=60, no-store", {}, {}, false},
      {404, "max-age=60, private", {}, {}, false},
  };
  const auto cr = request_for("");
  for (const auto& r : rows) {
    SCOPED_TRACE(::testing::Message()
                 << r.status << " " << r.cache_control.value_or("-") << " "
                 << r.expires.value_or("-") << " " << r.last_modified.value_or("-"));
    const auto p = plan_fill(plain_get(), status_head(r), cr, rule_with());
    EXPECT_EQ(p.store, r.stored ? store_as::complete : store_as::nothing);
    EXPECT_EQ(store_key(p, cr), r.stored ? cr.full_key : std::string());
    // Whatever the answer, the response alone decided: a key not stored is uncacheable.
    EXPECT_EQ(p.response_storable, r.stored);
    EXPECT_EQ(p.client_status, r.status);
    EXPECT_FALSE(p.windowed);
    EXPECT_FALSE(p.stored_range);
    EXPECT_FALSE(p.offer_background_fetch);
  }
}

// A range request answered with a 404 (or a redirect): the URL's answer, stored under the
// complete object's key and passed on as it is; ranges apply to a 200 only.
TEST(PlanFillStatus, ARangeAnsweredWithAnotherStatusIsTheCompleteObject) {
  for (unsigned status : {404u, 410u, 301u, 204u}) {
    SCOPED_TRACE(status);
    const auto cr = request_for("bytes=0-9");
    const auto head = status_head({status, "max-age=60", {}, {}, true});
    auto p = plan_fill(plain_get(), head, cr, rule_with());
    EXPECT_EQ(p.store, store_as::complete);
    EXPECT_EQ(store_key(p, cr), cr.full_key);
    EXPECT_EQ(p.client_status, status);
    EXPECT_FALSE(p.windowed);
    EXPECT_FALSE(p.range_mismatch);
    EXPECT_FALSE(p.offer_background_fetch);
    // Under no_modify_cachekey, as a 200: only with cache_complete_responses.
    const auto nm = request_for("bytes=0-9", true);
    EXPECT_EQ(plan_fill(plain_get(), head, nm, rule_with(true, false)).store, store_as::nothing);
    p = plan_fill(plain_get(), head, nm, rule_with(true, true));
    EXPECT_EQ(p.store, store_as::range_object);
    EXPECT_FALSE(p.stored_range);
  }
  // A 206 is a range object or nothing: never the complete object.
  const auto plain = request_for("");
  head_case partial{206, 100, {"bytes 0-99/1000"}};
  EXPECT_EQ(plan_fill(plain_get(), partial.view(), plain, rule_with()).store, store_as::nothing);
}

TEST(PlanFillStatus, StatusStorableTable) {
  cache::response_info none;
  cache::response_info fresh;
  fresh.cache_control = "max-age=1";
  cache::response_info dated;
  dated.last_modified = lm;
  EXPECT_TRUE(status_storable(200, none));
  EXPECT_TRUE(status_storable(206, none));
  EXPECT_FALSE(status_storable(404, none));
  EXPECT_TRUE(status_storable(404, fresh));
  EXPECT_TRUE(status_storable(404, dated));
  for (unsigned s : {304u, 412u, 416u}) {
    EXPECT_FALSE(status_storable(s, fresh)) << s;
    EXPECT_FALSE(status_storable(s, dated)) << s;
  }
}

// Vary no longer keeps an answer out of the cache: it makes it a variant. Only "*" does.
TEST(PlanFillVary, NamesBeyondTheKeyMakeAVariant) {
  auto rule = rule_with(false, false, {"X-Tenant"});
  auto cr = request_for("");
  head_case h{200, 100, {}, {"Accept-Encoding, x-tenant", "accept-language"}};
  auto p = plan_fill(plain_get(), h.view(), cr, rule);
  EXPECT_TRUE(p.storable);
  EXPECT_EQ(p.store, store_as::complete);
  EXPECT_EQ(p.vary_names, (std::vector<std::string>{"accept-encoding", "accept-language"}));
  head_case keyed{200, 100, {}, {"X-Tenant"}};
  p = plan_fill(plain_get(), keyed.view(), cr, rule);
  EXPECT_TRUE(p.storable);
  EXPECT_TRUE(p.vary_names.empty());
}

TEST(PlanFillVary, StarIsNeverStored) {
  auto cr = request_for("bytes=0-99");
  head_case h{206, 100, {"bytes 0-99/1000"}, {"Accept, *"}};
  auto p = plan_fill(plain_get(), h.view(), cr, rule_with());
  EXPECT_FALSE(p.storable);
  EXPECT_EQ(p.store, store_as::nothing);
  EXPECT_FALSE(p.response_storable);
}

TEST(UseVariant, KeysFollowTheVariantAndBack) {
  auto cr = request_for("bytes=0-99");
  cr.base_full_key = cr.full_key;
  cr.base_range_key = cr.range_key;
  use_variant(cr, "h1:xv1:1");
  EXPECT_EQ(cr.full_key, range::variant_key(cr.base_full_key, "h1:xv1:1"));
  EXPECT_EQ(cr.range_key, range::variant_key(cr.base_range_key, "h1:xv1:1"));
  use_variant(cr, "");
  EXPECT_EQ(cr.full_key, cr.base_full_key);
  EXPECT_EQ(cr.range_key, cr.base_range_key);
  // no_modify_cachekey: the range's key is the complete object's, variant or not.
  auto same = request_for("bytes=0-99", true);
  same.base_full_key = same.full_key;
  same.base_range_key = same.range_key;
  use_variant(same, "h1:xa");
  EXPECT_EQ(same.range_key, same.full_key);
  auto plain = request_for("");
  plain.base_full_key = plain.full_key;
  use_variant(plain, "h1:xa");
  EXPECT_TRUE(plain.range_key.empty());
}

}  // namespace
}  // namespace rangecache::plan
