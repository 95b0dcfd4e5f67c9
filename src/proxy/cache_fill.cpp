// A miss or a revalidation: one upstream request; its answer goes to the client and, when
// the cache may keep it, into the store in the same pass (one read of the origin's body
// feeds both).
#include <spdlog/spdlog.h>

#include "cache_meta.hpp"
#include "commit_wait.hpp"
#include "rangecache/plan/fill_plan.hpp"
#include "rangecache/proxy/headers.hpp"
#include "rangecache/range/content_range.hpp"
#include "rangecache/range/normalize.hpp"
#include "rangecache/range/resolve.hpp"
#include "session.hpp"

namespace rangecache::proxy {

awaitable<outcome> session::fetch(const config::config& cfg, const config::remap_rule& rule,
                                  const request_authority& authority, const cache_request& cr,
                                  std::optional<cache::cached_object> stale, access_entry& log) {
  const bool revalidating = stale.has_value();
  auto up = upstream_request(rule, authority);
  // The range goes upstream in its canonical spelling, the one in the key, so equal ranges
  // from different clients are one origin request and one object.
  if (cr.crr) up.set(http::field::range, range::canonical_range(cr.ranges.specs[0]).view());
  if (revalidating) {
    const auto& sm = stale->meta;
    for (auto f : {http::field::if_none_match, http::field::if_modified_since,
                   http::field::if_range, http::field::if_match, http::field::if_unmodified_since})
      up.erase(f);
    if (!sm.etag.empty()) up.set(http::field::if_none_match, sm.etag);
    if (!sm.last_modified.empty()) up.set(http::field::if_modified_since, sm.last_modified);
    // A complete object is revalidated whole: a 200 then replaces it.
    if (!sm.range) up.erase(http::field::range);
  }

  cache::exchange_times times;
  times.request_time = w_->shared->clock->now();
  auto ex = co_await exchange(cfg, rule, up, false, cr.head);
  if (ex.ec) {
    if (revalidating && ex.ec != asio::error::connection_aborted &&
        cache::stale_on_error_allowed(freshness_of(stale->meta))) {
      spdlog::warn("upstream {}: {}; serving stale {}", ex.pool_key, ex.ec.message(), log.url());
      co_return co_await serve_object(cfg, cr, *stale, cache_result::stale, log);
    }
    co_return co_await upstream_failed(ex, log);
  }
  times.response_time = w_->shared->clock->now();
  log.upstream_status = ex.parser->get().result_int();
  if (!revalidating || log.upstream_status != 304)
    co_return co_await relay(cfg, rule, authority, cr, std::move(ex), times, revalidating, log);

  w_->pool.give_back_if_reusable(ex.pool_key, ex.conn, *ex.parser,
                                 cfg.upstream.max_idle_per_origin);
  auto obj = std::move(*stale);
  if (freshen_with_304(obj.meta, ex.parser->get(), times)) {
    // RFC 9111 §4.3.4: the stored headers are freshened, the answer comes from the cache.
    const auto& key = obj.meta.range ? cr.range_key : cr.full_key;
    w_->store->update(key, obj.ref, obj.meta);
    co_return co_await serve_object(cfg, cr, obj, cache_result::revalidated, log);
  }
  // The 304 is about another version than the stored one (an origin that judged by date
  // alone, or a pool of origins that disagree): the stored bytes are not what the origin
  // has now. Ask again without validators; that answer replaces the stored one.
  spdlog::debug("{}: the origin's 304 does not select the stored object: fetched again", log.url());
  up.erase(http::field::if_none_match);
  up.erase(http::field::if_modified_since);
  times.request_time = w_->shared->clock->now();
  auto again = co_await exchange(cfg, rule, up, false, cr.head);
  if (again.ec) co_return co_await upstream_failed(again, log);
  times.response_time = w_->shared->clock->now();
  log.upstream_status = again.parser->get().result_int();
  co_return co_await relay(cfg, rule, authority, cr, std::move(again), times, true, log);
}

awaitable<outcome> session::relay(const config::config& cfg, const config::remap_rule& rule,
                                  const request_authority& authority, const cache_request& cr,
                                  upstream_exchange ex, cache::exchange_times times,
                                  bool revalidating, access_entry& log) {
  auto& req = parser_->get();
  auto& stats = w_->stats;
  const bool keep_wanted = req.keep_alive();
  auto& rp = *ex.parser;
  auto& ur = rp.get();
  const unsigned status = ur.result_int();
  auto give_back = [&] {
    w_->pool.give_back_if_reusable(ex.pool_key, ex.conn, rp, cfg.upstream.max_idle_per_origin);
  };

  // What may be stored, under which key, and what the client gets: decided from the head.
  const auto request_info = view_request(req);
  auto view = view_response(status, ur);
  const auto content_length =
      rp.content_length() ? std::optional<std::uint64_t>(*rp.content_length()) : std::nullopt;
  const auto content_ranges = field_values(ur, http::field::content_range);
  const auto vary = field_values(ur, http::field::vary);
  plan::origin_head head;
  head.status = status;
  head.content_length = content_length;
  head.content_ranges = content_ranges;
  head.vary = vary;
  head.set_cookie = ur.find(http::field::set_cookie) != ur.end();
  head.info = view.info();
  const auto fp = plan::plan_fill(request_info.info(), head, cr, rule);
  if (fp.range_mismatch)
    spdlog::warn("{}: origin 206 Content-Range does not match {}: not stored", log.url(),
                 range::canonical_range(cr.ranges.specs[0]).view());
  const std::string& store_key = plan::store_key(fp, cr);
  const auto& stored_range = fp.stored_range;
  const bool body_expected = !cr.head && status_has_body(status);
  const unsigned client_status = fp.client_status;
  const std::uint64_t window_from = fp.window_from;
  const std::uint64_t window_len = fp.windowed ? fp.window_length : ~std::uint64_t{0};
  const std::string& client_content_range = fp.client_content_range;

  cache::fill fill;
  if (!store_key.empty() && body_expected) {
    cache::fill_options fo;
    fo.expected_length = content_length;
    fill = w_->store->begin_fill(store_key, cr.url, fo);
    if (!fill.active())
      spdlog::debug("{}: not stored: {}", log.url(), cache::to_string(fill.error()));
  }
  // The record is made from the head as it is now: Beast adds a chunked body's trailers to
  // the same fields once the body ends, and they must never be stored as header fields.
  cache::object_meta head_meta;
  if (fill.active())
    head_meta = make_meta(200, ur, content_length.value_or(0),
                          cache::analyze_freshness(view.info(), times), stored_range);
  // Requests waiting on this key stream from the fill as its bytes become durable.
  // An origin 200 to a range request is the complete object: lead its key as well, so that
  // other ranges of the URL stream from this fill instead of going upstream again.
  if (fill.active() && store_key == cr.full_key && inflight_key_ != cr.full_key &&
      extra_inflight_key_.empty()) {
    auto probe = std::make_shared<inflight_waiter>(stream_.get_executor());
    auto role = w_->shared->inflight.join(cr.full_key, probe);
    if (role == inflight_table::role::lead)
      extra_inflight_key_ = cr.full_key;
    else if (role == inflight_table::role::follow)
      w_->shared->inflight.leave(cr.full_key, probe);
  }
  if (fill.active() && content_length && !inflight_key_.empty()) {
    auto st = std::make_shared<inflight_stream>();
    st->object.key = store_key;
    st->object.url = cr.url;
    st->object.meta = head_meta;
    st->object.ref = fill.progress_ref();
    st->progress = fill.progress();
    if (!extra_inflight_key_.empty()) w_->shared->inflight.publish(extra_inflight_key_, st);
    w_->shared->inflight.publish(inflight_key_, std::move(st));
  }
  // Nothing will be stored: requests waiting on this key need not wait for the transfer, and
  // for a while later ones need not wait for each other.
  // Only the response can say the key is uncacheable: one client's "no-store" or
  // Authorization must not stop collapsing for everyone else.
  if (!fill.active()) {
    if (!inflight_key_.empty() && !fp.response_storable)
      w_->shared->inflight.mark_uncacheable(inflight_key_, std::chrono::seconds(10));
    release_inflight();
  }
  // A range answered by the origin: the complete object is worth having (background fetch).
  if (fp.offer_background_fetch)
    offer_background_fetch(cfg, rule, authority, cr, ur[http::field::content_type],
                           fp.complete_length, content_length.value_or(0));
  log.cache = !fill.active() ? cache_result::pass
              : revalidating ? cache_result::refreshed
                             : cache_result::miss;

  http::response<http::buffer_body> res;
  res.version(11);
  res.result(client_status);
  if (client_status == status) res.reason(ur.reason());
  copy_end_to_end(ur.base(), res.base());
  append_via(res.base(), ur.version());
  res.set("X-Cache", log.cache);
  bool keep = keep_wanted && !w_->shared->draining.load(std::memory_order_relaxed);
  bool client_body = body_expected && !(client_status == 416 && status != 416);
  if (client_status != status) {
    res.set(http::field::content_range, client_content_range);
    res.content_length(window_len == ~std::uint64_t{0} ? 0 : window_len);
  } else if (body_expected && !content_length) {
    if (req.version() == 11)
      res.chunked(true);
    else
      keep = false;
  }
  res.keep_alive(keep);
  if (keep && req.version() == 10) res.set(http::field::connection, "keep-alive");
  log.status = client_status;

  http::response_serializer<http::buffer_body> sr{res};
  res.body().data = nullptr;
  res.body().size = 0;
  res.body().more = client_body;
  // With a body, the head goes out with its first piece in one write (one packet for a
  // small answer); without one, now.
  if (!client_body) {
    stream_.expires_after(cfg.server.send_timeout);
    auto [ec, n] = co_await http::async_write_header(stream_, sr, use_tuple);
    if (ec) co_return outcome::cut;
  }

  std::uint64_t pos = 0;   // body offset read from the origin
  std::uint64_t sent = 0;  // body bytes written to the client
  bool committed = false;
  if (body_expected) {
    while (!rp.is_done()) {
      ur.body().data = body_buf_.get();
      ur.body().size = relay_buffer_size;
      auto ec = co_await read_body_piece(*ex.conn, rp, cfg.upstream.read_timeout);
      if (ec) {
        // Nothing partial is ever stored: the fill is dropped with the connection.
        fill.abort();
        bump(stats.responses_cut);
        bump(stats.upstream_errors);
        spdlog::warn("upstream {}: {} {}: body cut after {} bytes: {}", ex.pool_key, log.method,
                     log.url(), pos, ec.message());
        // The head is still ours (it leaves with the first piece): say so cleanly.
        if (client_body && sent == 0)
          co_return co_await send_error(502, "origin broke off its answer", false, log);
        log.bytes = sent;
        log.cache = "CUT";
        finish_log(log);
        co_return outcome::cut;
      }
      const std::size_t got = relay_buffer_size - ur.body().size;
      // A read may bring no body byte (a chunk header, or only the last chunk): the one that
      // completes the message must still reach the commit below.
      if (got == 0 && !rp.is_done()) continue;
      if (got != 0 && fill.active()) {
        auto fe = fill.append(std::string_view(body_buf_.get(), got));
        if (fe != cache::fill_error::none)
          spdlog::debug("{}: fill dropped: {}", log.url(), cache::to_string(fe));
      }
      if (rp.is_done() && fill.active()) {
        // Last piece: commit first, so the client never holds a complete answer that the
        // cache does not have yet.
        auto meta = head_meta;
        meta.content_length = pos + got;
        asio::any_io_executor exec = stream_.get_executor();
        committed = co_await commit_and_wait(exec, fill, std::move(meta));
        release_inflight();
      }
      // The client's share of this piece.
      const std::uint64_t from = std::max(pos, window_from);
      const std::uint64_t to = std::min(
          pos + got, window_len == ~std::uint64_t{0} ? pos + got : window_from + window_len);
      pos += got;
      if (!client_body || from >= to) continue;
      res.body().data = body_buf_.get() + (from - (pos - got));
      res.body().size = to - from;
      res.body().more = true;
      stream_.expires_after(cfg.server.send_timeout);
      auto [wec, wn] = co_await http::async_write(stream_, sr, use_tuple);
      if (wec == http::error::need_buffer) wec = {};
      if (wec) {
        fill.abort();
        co_return outcome::cut;
      }
      sent += to - from;
    }
    if (client_body) {
      res.body().data = nullptr;
      res.body().size = 0;
      res.body().more = false;
      auto [fec, fn] = co_await http::async_write(stream_, sr, use_tuple);
      if (fec == http::error::need_buffer) fec = {};
      if (fec) co_return outcome::cut;
    }
  }
  if (fill.active() && rp.is_done() && pos == 0) {
    // An empty body: nothing went through the loop.
    auto meta = head_meta;
    meta.content_length = 0;
    asio::any_io_executor exec = stream_.get_executor();
    committed = co_await commit_and_wait(exec, fill, std::move(meta));
  }
  if (!committed && fill.active()) fill.abort();
  if (committed && store_key == cr.full_key && !stored_range) {
    // A new complete object: range objects of another version must never be served again;
    // with consolidate, none are kept (the complete object answers every range).
    w_->store->purge_url_ranges(cr.url, cfg.background_fetch.consolidate
                                            ? std::string_view{}
                                            : std::string_view(head_meta.etag));
  }
  log.bytes = sent;
  finish_log(log);
  give_back();
  co_return keep ? outcome::keep_alive : outcome::close;
}

}  // namespace rangecache::proxy
