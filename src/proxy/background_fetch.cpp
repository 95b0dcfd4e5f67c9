#include "background_fetch.hpp"

#include <spdlog/spdlog.h>

#include "cache_meta.hpp"
#include "rangecache/flight/store_tee.hpp"
#include "rangecache/proxy/headers.hpp"
#include "session.hpp"

namespace rangecache::proxy {
namespace {

// Bytes a background fetch may have queued to the store's writer beyond what is durable.
constexpr std::uint64_t fetch_ahead_limit = 8 << 20;

struct fetch_outcome {
  bool ok = false;
  std::uint64_t bytes = 0;
  std::string result;  // for the fetch log
};

// Already complete and fresh (a client's GET may have stored it meanwhile): nothing to do.
bool already_fresh(worker* w, const fetch::job& j) {
  auto obj = w->store->peek(j.key);
  if (!obj || obj->meta.range) return false;
  auto reuse = cache::decide_reuse(freshness_of(obj->meta), {}, w->shared->clock->now());
  return reuse != cache::reuse::revalidate;
}

origin::request fetch_request(const fetch::job& j) {
  origin::request req{http::verb::get, j.target, 11};
  // The job should hold no credentials; a fetch for everyone never sends any, whatever
  // put the job together.
  for (const auto& [name, value] : j.headers)
    if (!is_credential(name)) req.insert(name, value);
  req.set(fetch_marker, "1");
  return req;
}

// Why the origin's answer cannot be stored for every client; empty when it can.
std::string refusal(origin::answer& a) {
  auto& res = a.head();
  if (res.result_int() != 200) return "status " + std::to_string(res.result_int());
  auto view = view_response(200, res);
  cache::request_info ri;  // GET, no credentials
  // Vary and Set-Cookie answers are per client: a fetch made for one must not serve all.
  if (cache::check_storable(ri, view.info()) != cache::storability::storable ||
      res.find(http::field::vary) != res.end() || res.find(http::field::set_cookie) != res.end())
    return "not storable";
  return {};
}

// Range requests for this URL are served from the fetch's bytes as they arrive.
void publish(worker* w, const fetch::job& j, const cache::fill& fill,
             const cache::object_meta& meta) {
  auto st = std::make_shared<inflight_stream>();
  st->object.key = j.key;
  st->object.url = j.url;
  st->object.meta = meta;
  st->object.ref = fill.progress_ref();
  st->progress = fill.progress();
  w->shared->inflight.publish(j.key, std::move(st));
}

// The body into the store, at the pace of the store's writer.
awaitable<fetch_outcome> store_body(worker* w, origin::answer& a, cache::fill& fill,
                                    cache::object_meta meta) {
  fetch_outcome out;
  auto cfg = w->shared->config_now();
  flight::tee_options to;
  to.ahead_limit = fetch_ahead_limit;
  to.stop = &w->shared->draining;
  flight::store_tee tee(w->ioc.get_executor(), fill, meta, nullptr, to);
  // Bounded buffer: a multi-GiB object passes through 64 KiB at a time.
  auto buf = std::make_unique<char[]>(64 * 1024);
  auto r = co_await origin::relay_body(a, buf.get(), 64 * 1024, tee, cfg->upstream.read_timeout);
  out.bytes = r.bytes;
  if (r.ec) {
    out.result = "body: " + r.ec.message();
  } else if (w->shared->draining.load(std::memory_order_relaxed)) {
    out.result = "shutdown";
  } else if (!tee.committed()) {
    out.result = fill.error() != cache::fill_error::none
                     ? std::string("store: ") + cache::to_string(fill.error())
                     : std::string("commit failed");
  } else {
    out.ok = true;
  }
  co_return out;
}

awaitable<fetch_outcome> fetch_one(worker* w, fetch::job j, bool lead) {
  fetch_outcome out;
  if (already_fresh(w, j)) {
    w->shared->fetches.stats().already_cached.fetch_add(1, std::memory_order_relaxed);
    out.ok = true;
    out.result = "already-cached";
    co_return out;
  }
  auto cfg = w->shared->config_now();
  const origin::endpoint to{j.host, j.port};
  cache::exchange_times times;
  times.request_time = w->shared->clock->now();
  auto req = fetch_request(j);
  std::string no_body;
  auto a = co_await w->origins.send(to, std::move(req), std::move(no_body),
                                    send_settings_for(*cfg, false));
  if (a.ec) {
    out.result = "origin: " + a.ec.message();
    co_return out;
  }
  times.response_time = w->shared->clock->now();
  if (out.result = refusal(a); !out.result.empty()) co_return out;
  cache::fill_options fo;
  if (a.parser->content_length()) fo.expected_length = *a.parser->content_length();
  auto fill = w->store->begin_fill(j.key, j.url, fo);
  if (!fill.active()) {
    out.result = std::string("refused: ") + cache::to_string(fill.error());
    co_return out;
  }
  // The record is made from the head as it is now: Beast adds a chunked body's trailers to
  // the same fields once the body ends, and they must never be stored as header fields.
  auto& res = a.head();
  const auto meta =
      make_meta(200, res, fo.expected_length.value_or(0),
                cache::analyze_freshness(view_response(200, res).info(), times), std::nullopt);
  if (lead && fo.expected_length) publish(w, j, fill, meta);
  out = co_await store_body(w, a, fill, meta);
  if (!out.ok) co_return out;
  w->origins.finish(to, a, cfg->upstream.max_idle_per_origin);
  // Range objects of this URL: all of them when consolidating, else those of another version
  // (a new validator means their bytes may no longer be the object's).
  w->store->purge_url_ranges(j.url,
                             cfg->background_fetch.consolidate ? std::string_view{} : meta.etag);
  out.result = "ok";
  co_return out;
}

}  // namespace

awaitable<void> run_background_fetches(worker* w, fetch::job first) {
  std::optional<fetch::job> next = std::move(first);
  while (next) {
    auto j = std::move(*next);
    auto start = std::chrono::steady_clock::now();
    if (auto log = w->shared->fetch_log.load()) log->info("start {}", j.url);
    // Lead the complete object's key, so that range misses stream from this fetch; if a
    // client's GET already fills it, this fetch has nothing to add.
    auto waiter = std::make_shared<inflight_waiter>(w->ioc.get_executor());
    auto role = w->shared->inflight.join(j.key, waiter);
    fetch_outcome out;
    if (role == inflight_table::role::follow) {
      w->shared->inflight.leave(j.key, waiter);
      out.ok = true;
      out.result = "already-in-flight";
    } else {
      out = co_await fetch_one(w, j, role == inflight_table::role::lead);
      if (role == inflight_table::role::lead) w->shared->inflight.finish(j.key);
    }
    if (out.ok) w->shared->fetches.stats().bytes.fetch_add(out.bytes, std::memory_order_relaxed);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    if (auto log = w->shared->fetch_log.load())
      log->info("end {} bytes={} ms={} result={}", j.url, out.bytes, ms, out.result);
    if (!out.ok) spdlog::info("background fetch of {} failed: {}", j.url, out.result);
    next = w->shared->fetches.finish(j.url, out.ok, std::chrono::steady_clock::now());
  }
}

}  // namespace rangecache::proxy
