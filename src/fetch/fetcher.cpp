#include "rangecache/fetch/fetcher.hpp"

#include <spdlog/spdlog.h>

#include "rangecache/cache/reuse.hpp"
#include "rangecache/flight/cache_meta.hpp"
#include "rangecache/origin/settings.hpp"
#include "rangecache/proxy/headers.hpp"
#include "store_body.hpp"

namespace rangecache::fetch {
namespace {

using flight::freshness_of;
using flight::make_meta;
using flight::view_response;
using proxy::fetch_marker;
using proxy::is_credential;

// Already complete and fresh (a client's GET may have stored it meanwhile): nothing to do.
bool already_fresh(const fetch_context& c, const job& j) {
  auto obj = c.store->peek(j.key);
  if (!obj || obj->meta.range) return false;
  auto reuse = cache::decide_reuse(freshness_of(obj->meta), {}, c.clock->now());
  return reuse == cache::reuse::fresh;
}

origin::request fetch_request(const job& j) {
  origin::request req{http::verb::get, j.target, 11};
  // The job should hold no credentials; a fetch for everyone never sends any, whatever
  // put the job together.
  for (const auto& [name, value] : j.headers)
    if (!is_credential(name)) req.insert(name, value);
  req.set(fetch_marker, "1");
  return req;
}

// Why the origin's answer cannot be stored for every client; empty when it can, and then
// `variant` is the variant it is (empty when it does not vary).
std::string refusal(origin::answer& a, const job& j, std::string& variant) {
  auto& res = a.head();
  if (res.result_int() != 200) return "status " + std::to_string(res.result_int());
  auto view = view_response(200, res, j.cache_control_fields);
  cache::request_info ri;  // GET, no credentials
  // Set-Cookie answers are per client: a fetch made for one must not serve all.
  if (cache::check_storable(ri, view.info()) != cache::storability::storable ||
      res.find(http::field::set_cookie) != res.end())
    return "not storable";
  // It was asked with the client's fields: it is the variant those select, which must be
  // the one the job is for (the origin may have changed what it varies on meanwhile).
  const auto vary = flight::field_values(res, http::field::vary);
  const auto kept =
      plan::key_for_answer(j.base_key, vary, j.key_headers, plan::lines_of_pairs(j.headers));
  if (!kept || kept->key != j.key) return "varies otherwise";
  variant = kept->variant;
  return {};
}

awaitable<fetch_outcome> fetch_one(fetch_context c, job j, bool lead) {
  fetch_outcome out;
  if (already_fresh(c, j)) {
    c.fetches->stats().already_cached.fetch_add(1, std::memory_order_relaxed);
    out.ok = true;
    out.result = "already-cached";
    co_return out;
  }
  auto cfg = c.config();
  const origin::endpoint to{j.host, j.port};
  cache::exchange_times times;
  times.request_time = c.clock->now();
  auto req = fetch_request(j);
  auto a = co_await send_for_cache(c, to, std::move(req));
  if (a.ec) {
    out.result = "origin: " + a.ec.message();
    co_return out;
  }
  times.response_time = c.clock->now();
  flight::add_missing_date(a.head(), times.response_time);
  std::string variant;
  if (out.result = refusal(a, j, variant); !out.result.empty()) co_return out;
  cache::fill_options fo;
  if (a.parser->content_length()) fo.expected_length = *a.parser->content_length();
  auto fill = c.store->begin_fill(j.key, j.url, fo);
  if (!fill.active()) {
    out.result = std::string("refused: ") + cache::to_string(fill.error());
    co_return out;
  }
  // The record is made from the head as it is now: Beast adds a chunked body's trailers to
  // the same fields once the body ends, and they must never be stored as header fields.
  auto& res = a.head();
  const auto fresh =
      cache::analyze_freshness(view_response(200, res, j.cache_control_fields).info(), times,
                               flight::freshness_policy_of(cfg->cache));
  auto meta = make_meta(200, res, fo.expected_length.value_or(0), fresh, std::nullopt);
  meta.variant = variant;
  // Range requests for this URL are served from the fetch's bytes as they arrive.
  if (lead && fo.expected_length) publish_fill(c, j.key, j.url, fill, meta);
  out = co_await store_body(c, a, fill, meta);
  if (!out.ok) co_return out;
  c.origins->finish(to, a, cfg->upstream.max_idle_per_origin);
  // Range objects of this URL: all of them when consolidating, else those of another version
  // (a new validator means their bytes may no longer be the object's).
  c.store->tidy_url(
      j.url, cache::redundant_ranges(
                 meta.variant, cfg->background_fetch.consolidate ? std::string_view{} : meta.etag));
  out.result = "ok";
  co_return out;
}

}  // namespace

awaitable<void> run_background_fetches(fetch_context c, job first) {
  std::optional<job> next = std::move(first);
  while (next) {
    auto j = std::move(*next);
    auto start = std::chrono::steady_clock::now();
    if (auto log = c.fetch_log()) log->info("start {}", j.url);
    // Lead the complete object's key, so that range misses stream from this fetch; if a
    // client's GET already fills it, this fetch has nothing to add.
    auto role = c.inflight->try_lead(j.key);
    fetch_outcome out;
    if (role == flight::inflight_table::role::follow) {
      out.ok = true;
      out.result = "already-in-flight";
    } else {
      out = co_await fetch_one(c, j, role == flight::inflight_table::role::lead);
      if (role == flight::inflight_table::role::lead) c.inflight->finish(j.key);
    }
    if (out.ok) c.fetches->stats().bytes.fetch_add(out.bytes, std::memory_order_relaxed);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    if (auto log = c.fetch_log())
      log->info("end {} bytes={} ms={} result={}", j.url, out.bytes, ms, out.result);
    if (!out.ok) spdlog::info("background fetch of {} failed: {}", j.url, out.result);
    next = c.fetches->finish(j.url, out.ok, std::chrono::steady_clock::now());
  }
}

}  // namespace rangecache::fetch
