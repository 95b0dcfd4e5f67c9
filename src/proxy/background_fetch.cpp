#include "background_fetch.hpp"

#include "progress_wait.hpp"

#include <spdlog/spdlog.h>

#include "cache_meta.hpp"
#include "commit_wait.hpp"
#include "rangecache/proxy/headers.hpp"

namespace rangecache::proxy {
namespace {

// Bytes a background fetch may have queued to the store's writer beyond what is durable.
constexpr std::uint64_t fetch_ahead_limit = 8 << 20;

struct fetch_outcome {
  bool ok = false;
  std::uint64_t bytes = 0;
  std::string result;  // for the fetch log
};

awaitable<fetch_outcome> fetch_one(worker* w, const fetch::job& j, bool lead) {
  fetch_outcome out;
  auto cfg = w->shared->config_now();
  auto& store = *w->store;
  // Already complete and fresh (a client's GET may have stored it meanwhile): nothing to do.
  if (auto obj = store.peek(j.key); obj && !obj->meta.range) {
    auto reuse = cache::decide_reuse(freshness_of(obj->meta), {}, w->shared->clock->now());
    if (reuse != cache::reuse::revalidate) {
      w->shared->fetches.stats().already_cached.fetch_add(1, std::memory_order_relaxed);
      out.ok = true;
      out.result = "already-cached";
      co_return out;
    }
  }
  const std::string pool_key = j.host + ":" + std::to_string(j.port);
  auto conn = w->pool.take(pool_key, cfg->upstream.idle_timeout);
  if (!conn) {
    auto c = co_await w->pool.connect(j.host, j.port, cfg->upstream.connect_timeout);
    if (c.ec) {
      out.result = "connect: " + c.ec.message();
      co_return out;
    }
    conn = std::move(c.conn);
  }
  http::request<http::empty_body> req{http::verb::get, j.target, 11};
  // The job should hold no credentials; a fetch for everyone never sends any, whatever
  // put the job together.
  for (const auto& [name, value] : j.headers)
    if (!is_credential(name)) req.insert(name, value);
  req.set(fetch_marker, "1");
  conn->stream.expires_after(cfg->upstream.read_timeout);
  auto [wec, wn] = co_await http::async_write(conn->stream, req, use_tuple);
  if (wec) {
    out.result = "send: " + wec.message();
    co_return out;
  }
  http::response_parser<http::buffer_body> rp;
  rp.body_limit(boost::none);
  rp.header_limit(64 * 1024);
  conn->stream.expires_after(cfg->upstream.read_timeout);
  auto [hec, hn] = co_await http::async_read_header(conn->stream, conn->buffer, rp, use_tuple);
  if (hec) {
    out.result = "header: " + hec.message();
    co_return out;
  }
  auto& res = rp.get();
  cache::exchange_times times;
  times.request_time = times.response_time = w->shared->clock->now();
  if (res.result_int() != 200) {
    out.result = "status " + std::to_string(res.result_int());
    co_return out;
  }
  auto view = view_response(200, res);
  cache::request_info ri;  // GET, no credentials
  // Vary and Set-Cookie answers are per client: a fetch made for one must not serve all.
  if (cache::check_storable(ri, view.info()) != cache::storability::storable ||
      res.find(http::field::vary) != res.end() || res.find(http::field::set_cookie) != res.end()) {
    out.result = "not storable";
    co_return out;
  }
  cache::fill_options fo;
  if (rp.content_length()) fo.expected_length = *rp.content_length();
  auto fill = store.begin_fill(j.key, j.url, fo);
  if (!fill.active()) {
    out.result = std::string("refused: ") + cache::to_string(fill.error());
    co_return out;
  }
  // The record is made from the head as it is now: Beast adds a chunked body's trailers to
  // the same fields once the body ends, and they must never be stored as header fields.
  const auto head_meta = make_meta(200, res, fo.expected_length.value_or(0),
                                   cache::analyze_freshness(view.info(), times), std::nullopt);
  if (lead && fo.expected_length) {
    // Range requests for this URL are served from the fetch's bytes as they arrive.
    auto st = std::make_shared<inflight_stream>();
    st->object.key = j.key;
    st->object.url = j.url;
    st->object.meta = head_meta;
    st->object.ref = fill.progress_ref();
    st->progress = fill.progress();
    w->shared->inflight.publish(j.key, std::move(st));
  }
  // Bounded buffer: a multi-GiB object passes through 64 KiB at a time.
  auto buf = std::make_unique<char[]>(64 * 1024);
  const auto progress = fill.progress();
  std::optional<progress_wait> pace;
  std::uint64_t total = 0;
  while (!rp.is_done()) {
    res.body().data = buf.get();
    res.body().size = 64 * 1024;
    auto ec = co_await read_body_piece(*conn, rp, cfg->upstream.read_timeout);
    if (ec || w->shared->draining.load(std::memory_order_relaxed)) {
      fill.abort();
      out.result = ec ? "body: " + ec.message() : std::string("shutdown");
      out.bytes = total;
      co_return out;
    }
    std::size_t got = 64 * 1024 - res.body().size;
    total += got;
    if (got && fill.append(std::string_view(buf.get(), got)) != cache::fill_error::none) {
      out.result = std::string("store: ") + cache::to_string(fill.error());
      out.bytes = total;
      co_return out;
    }
    // A fetch has no client waiting: it keeps pace with the store's writer instead of
    // filling the writer queue that client fills share (a full queue would drop them).
    // It sleeps until the writer reports progress (listening first, then looking, so no
    // report is missed); the bound only guards against a writer that stopped.
    if (progress && !pace) pace.emplace(w->ioc.get_executor(), *progress);
    while (progress && fill.active() &&
           total > progress->durable_bytes.load(std::memory_order_acquire) + fetch_ahead_limit &&
           !w->shared->draining.load(std::memory_order_relaxed)) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      co_await pace->changed(until);
    }
  }
  auto meta = head_meta;
  meta.content_length = total;
  asio::any_io_executor exec = w->ioc.get_executor();
  bool ok = co_await commit_and_wait(exec, fill, std::move(meta));
  out.bytes = total;
  if (!ok) {
    out.result = "commit failed";
    co_return out;
  }
  w->pool.give_back_if_reusable(pool_key, conn, rp, cfg->upstream.max_idle_per_origin);
  // Range objects of this URL: all of them when consolidating, else those of another version
  // (a new validator means their bytes may no longer be the object's).
  w->store->purge_url_ranges(
      j.url, cfg->background_fetch.consolidate ? std::string_view{} : head_meta.etag);
  out.ok = true;
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
