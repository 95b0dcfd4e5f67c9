#include "rangecache/fetch/revalidate.hpp"

#include <spdlog/spdlog.h>

#include "rangecache/cache/freshness.hpp"
#include "rangecache/flight/cache_meta.hpp"
#include "rangecache/flight/commit_wait.hpp"
#include "rangecache/origin/settings.hpp"
#include "rangecache/plan/fill_plan.hpp"
#include "rangecache/proxy/headers.hpp"
#include "rangecache/range/normalize.hpp"
#include "rangecache/util/http_text.hpp"
#include "store_body.hpp"

namespace rangecache::fetch {
namespace {

origin::request revalidation_request(const revalidation& r, bool conditional) {
  origin::request req{http::verb::get, r.target, 11};
  for (const auto& [name, value] : r.headers)
    if (!proxy::is_credential(name)) req.insert(name, value);
  if (r.range) req.set(http::field::range, range::canonical_range(*r.range).view());
  const auto& meta = r.stale.meta;
  if (conditional && !meta.etag.empty()) req.set(http::field::if_none_match, meta.etag);
  if (conditional && !meta.last_modified.empty())
    req.set(http::field::if_modified_since, meta.last_modified);
  req.set(proxy::fetch_marker, "1");
  return req;
}

struct replacement {
  std::string refused;  // why the answer cannot replace the stored object; empty when it can
  std::optional<cache::content_range> range;
  std::string variant;
};

// A new answer replaces the stored object only when it is the same kind of object (complete,
// or exactly the same range) and storable for every client.
replacement check_replacement(const revalidation& r, origin::answer& a) {
  auto& res = a.head();
  const unsigned status = res.result_int();
  replacement out;
  if (status != (r.range ? 206u : 200u)) {
    out.refused = "status " + std::to_string(status);
    return out;
  }
  const auto view = flight::view_response(status, res, r.cache_control_fields);
  const cache::request_info plain;  // GET, no credentials
  if (cache::check_storable(plain, view.info()) != cache::storability::storable ||
      res.find(http::field::set_cookie) != res.end()) {
    out.refused = "not storable";
    return out;
  }
  // Asked with the client's fields, the answer is the variant they select: it replaces the
  // stale object only when that is the stale object's own key.
  const auto vary = flight::field_values(res, http::field::vary);
  const auto kept =
      plan::key_for_answer(r.base_key, vary, r.key_headers, plan::lines_of_pairs(r.headers));
  if (!kept || kept->key != r.stale.key) {
    out.refused = "varies otherwise";
    return out;
  }
  out.variant = kept->variant;
  if (r.range) {
    const auto content_ranges = flight::field_values(res, http::field::content_range);
    std::optional<std::uint64_t> length;
    if (a.parser->content_length()) length = *a.parser->content_length();
    out.range = plan::verified_range(content_ranges, *r.range, length);
    if (!out.range) out.refused = "Content-Range is not the range asked for";
  }
  return out;
}

awaitable<std::string> replace(fetch_context c, const revalidation& r, origin::answer& a,
                               cache::exchange_times times) {
  auto cfg = c.config();
  const origin::endpoint to{r.host, r.port};
  const auto verdict = check_replacement(r, a);
  if (!verdict.refused.empty()) {
    c.origins->finish(to, a, cfg->upstream.max_idle_per_origin);
    // The origin answered, and not with this object (a 404, an answer it may not keep, one
    // that varies otherwise): the stale one must not go on being served in its window, each
    // hit starting another revalidation. A 5xx is a failure, for which stale is kept.
    if (a.status() < 500) c.store->purge(r.stale.key);
    co_return verdict.refused;
  }
  cache::fill_options fo;
  if (a.parser->content_length()) fo.expected_length = *a.parser->content_length();
  auto fill = c.store->begin_fill(r.stale.key, r.stale.url, fo);
  if (!fill.active()) co_return std::string("refused: ") + cache::to_string(fill.error());
  // The record is made from the head before the body: trailers are never stored fields.
  auto& res = a.head();
  const auto view = flight::view_response(res.result_int(), res, r.cache_control_fields);
  const auto fresh =
      cache::analyze_freshness(view.info(), times, flight::freshness_policy_of(cfg->cache));
  auto meta = flight::make_meta(200, res, fo.expected_length.value_or(0), fresh, verdict.range);
  meta.variant = verdict.variant;
  const auto out = co_await store_body(c, a, fill, meta);
  if (!out.ok) co_return out.result;
  c.origins->finish(to, a, cfg->upstream.max_idle_per_origin);
  // A new complete object: range objects of another version must not be served again.
  if (!r.range)
    c.store->tidy_url(r.stale.url,
                      cache::redundant_ranges(meta.variant, cfg->background_fetch.consolidate
                                                                ? std::string_view{}
                                                                : std::string_view(meta.etag)));
  co_return std::string("replaced");
}

awaitable<std::string> revalidate(fetch_context c, const revalidation& r) {
  auto cfg = c.config();
  const origin::endpoint to{r.host, r.port};
  // A 304 about another version than the stored one: ask once more, without validators.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (c.draining->load(std::memory_order_relaxed)) co_return std::string("shutdown");
    cache::exchange_times times;
    times.request_time = c.clock->now();
    auto req = revalidation_request(r, attempt == 0);
    std::string no_body;
    auto a = co_await c.origins->send(to, std::move(req), std::move(no_body),
                                      origin::settings_for(cfg->upstream));
    if (a.ec) co_return "origin: " + a.ec.message();
    times.response_time = c.clock->now();
    flight::add_missing_date(a.head(), times.response_time);
    if (a.status() != 304 || attempt > 0) co_return co_await replace(c, r, a, times);
    c.origins->finish(to, a, cfg->upstream.max_idle_per_origin);
    auto meta = r.stale.meta;
    if (!flight::freshen_with_304(meta, a.head(), times, flight::freshness_policy_of(cfg->cache),
                                  r.cache_control_fields))
      continue;
    // The key stays led until the new record is in: a stale hit meanwhile must not start
    // another revalidation of what is already revalidated.
    const auto status =
        co_await flight::update_and_wait(c.ex, *c.store, r.stale.key, r.stale.ref, std::move(meta));
    co_return std::string(status == cache::update_status::updated ? "freshened" : "gone");
  }
  co_return std::string("the origin's 304 names another version");
}

}  // namespace

awaitable<void> revalidate_in_background(fetch_context c, revalidation r) {
  std::string result;
  try {
    result = co_await revalidate(c, r);
  } catch (const std::exception& e) {
    result = std::string("exception: ") + e.what();
  }
  // A key left led would make every later miss of it wait for nothing. (A loop torn down
  // under the revalidation never gets here; the table goes with the server then.)
  c.inflight->finish(r.stale.key);
  spdlog::debug("background revalidation of {}: {}", r.stale.key, result);
}

}  // namespace rangecache::fetch
