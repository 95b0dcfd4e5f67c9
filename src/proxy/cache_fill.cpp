// A miss or a revalidation: one upstream request; its answer goes to the client and, when
// the cache may keep it, into the store in the same pass (design-research §3.2).
#include <spdlog/spdlog.h>

#include "cache_meta.hpp"
#include "commit_wait.hpp"
#include "rangecache/proxy/headers.hpp"
#include "rangecache/range/content_range.hpp"
#include "rangecache/range/normalize.hpp"
#include "rangecache/range/resolve.hpp"
#include "session.hpp"

namespace rangecache::proxy {
namespace {

// Decision 4: a 206 is stored only when its Content-Range is exactly the range asked for
// (clamped to the total when the total is known) and its length agrees.
std::optional<cache::content_range> verified_range(const http::fields& f,
                                                   const range::byte_range_spec& asked,
                                                   const std::optional<std::uint64_t>& length) {
  auto [first, last] = f.equal_range(http::field::content_range);
  if (first == last || std::next(first) != last) return std::nullopt;
  auto parsed = range::parse_content_range(first->value());
  if (!parsed || !parsed->range) return std::nullopt;
  std::optional<range::byte_slice> expect;
  if (parsed->complete_length) {
    expect = range::resolve_one(asked, *parsed->complete_length);
  } else if (asked.kind == range::byte_range_spec::form::closed) {
    expect = range::byte_slice{asked.first, asked.last - asked.first + 1};
  }
  if (!expect || *expect != *parsed->range) return std::nullopt;
  if (!length || *length != expect->length) return std::nullopt;
  cache::content_range out;
  out.first = expect->offset;
  out.last = expect->last();
  out.total = parsed->complete_length.value_or(cache::content_range::unknown_total);
  return out;
}

// A response that varies on a request header can be stored only when that header is part of
// the rule's cache key: otherwise one client's variant would be served to everyone.
bool varies_only_on_key(const http::fields& f, const config::remap_rule& rule) {
  for (auto it = f.find(http::field::vary); it != f.end() && it->name() == http::field::vary;
       ++it) {
    std::string_view v = it->value();
    while (!v.empty()) {
      auto comma = v.find(',');
      auto name = v.substr(0, comma);
      while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
      if (!name.empty()) {
        bool keyed = false;
        for (const auto& h : rule.cache_key_headers) keyed = keyed || beast::iequals(h, name);
        if (!keyed) return false;
      }
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  return true;
}

}  // namespace

awaitable<outcome> session::fetch(const config::config& cfg, const config::remap_rule& rule,
                                  const request_authority& authority, const cache_request& cr,
                                  std::optional<cache::cached_object> stale, access_entry& log) {
  auto& req = parser_->get();
  auto& stats = w_->shared->stats;
  const bool revalidating = stale.has_value();
  const bool keep_wanted = req.keep_alive();

  auto up = upstream_request(rule, authority);
  // R15: the range goes upstream in its canonical spelling (the one in the key).
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
  times.request_time = unix_now();
  auto ex = co_await exchange(cfg, rule, up, false, cr.head);
  if (ex.ec) {
    if (revalidating && ex.ec != asio::error::connection_aborted &&
        cache::stale_on_error_allowed(freshness_of(stale->meta))) {
      spdlog::warn("upstream {}: {}; serving stale {}", ex.pool_key, ex.ec.message(), log.url());
      co_return co_await serve_object(cfg, cr, *stale, cache_result::stale, log);
    }
    co_return co_await upstream_failed(ex, log);
  }
  times.response_time = unix_now();
  auto& rp = *ex.parser;
  auto& ur = rp.get();
  const unsigned status = ur.result_int();
  log.upstream_status = status;
  auto give_back = [&] {
    w_->pool.give_back_if_reusable(ex.pool_key, ex.conn, rp, cfg.upstream.max_idle_per_origin);
  };

  if (status == 304 && revalidating) {
    // RFC 9111 §4.3.4: freshen the stored headers, answer from the cache.
    give_back();
    auto obj = std::move(*stale);
    http::fields merged;
    for (const auto& h : obj.meta.headers) merged.insert(h.name, h.value);
    for (const auto& f : ur) {
      if (is_hop_by_hop(f.name_string())) continue;
      merged.erase(f.name_string());
    }
    for (const auto& f : ur)
      if (!is_hop_by_hop(f.name_string())) merged.insert(f.name_string(), f.value());
    auto view = view_response(obj.meta.status == 206 ? 200 : obj.meta.status, merged);
    auto fresh = cache::analyze_freshness(view.info(), times);
    merge_304(obj.meta, ur, fresh);
    const auto& key = obj.meta.range ? cr.range_key : cr.full_key;
    w_->store->update(key, obj.ref, obj.meta);
    co_return co_await serve_object(cfg, cr, obj, cache_result::revalidated, log);
  }

  // What may be stored, and under which key.
  const auto request_info = view_request(req);
  auto view = view_response(status, ur);
  const bool storable =
      !cr.head &&
      cache::check_storable(request_info.info(), view.info()) == cache::storability::storable &&
      varies_only_on_key(ur, rule) && ur.find(http::field::set_cookie) == ur.end();
  const auto content_length =
      rp.content_length() ? std::optional<std::uint64_t>(*rp.content_length()) : std::nullopt;
  std::optional<cache::content_range> stored_range;
  std::string store_key;
  if (storable && status == 206 && cr.crr) {
    stored_range = verified_range(ur, cr.ranges.specs[0], content_length);
    if (stored_range)
      store_key = cr.range_key;
    else
      spdlog::warn("{}: origin 206 Content-Range does not match {}: not stored", log.url(),
                   range::canonical_range(cr.ranges.specs[0]).view());
  } else if (storable && status == 200) {
    // An origin 200 is the complete object, even for a range request (decision 9). Under
    // no_modify_cachekey the range is in the key, so only cache_complete_responses keeps it.
    if (!(rule.cache_range_requests.no_modify_cachekey && cr.ranged))
      store_key = cr.full_key;
    else if (rule.cache_range_requests.cache_complete_responses)
      store_key = cr.range_key;
  }

  // What the client gets: the origin's answer, or its range cut from an origin 200.
  const bool body_expected = !cr.head && status_has_body(status);
  std::uint64_t window_from = 0;
  std::uint64_t window_len = ~std::uint64_t{0};
  unsigned client_status = status;
  std::string client_content_range;
  if (status == 200 && cr.ranged && !cr.if_range && content_length && store_key == cr.full_key &&
      !store_key.empty()) {
    auto resolved = range::resolve(cr.ranges.specs, *content_length);
    if (resolved.status == range::resolve_status::partial && resolved.slices.size() == 1) {
      client_status = 206;
      window_from = resolved.slices[0].offset;
      window_len = resolved.slices[0].length;
      client_content_range =
          range::format_content_range(resolved.slices[0], *content_length).view();
    } else if (resolved.status == range::resolve_status::unsatisfiable) {
      client_status = 416;
      window_len = 0;
      client_content_range = range::format_unsatisfied_range(*content_length).view();
    }
  }

  cache::fill fill;
  if (!store_key.empty() && body_expected) {
    cache::fill_options fo;
    fo.expected_length = content_length;
    fill = w_->store->begin_fill(store_key, cr.url, fo);
    if (!fill.active())
      spdlog::debug("{}: not stored: {}", log.url(), cache::to_string(fill.error()));
  }
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
    st->object.meta = make_meta(200, ur, *content_length,
                                cache::analyze_freshness(view.info(), times), stored_range);
    st->object.ref = fill.progress_ref();
    st->progress = fill.progress();
    if (!extra_inflight_key_.empty()) w_->shared->inflight.publish(extra_inflight_key_, st);
    w_->shared->inflight.publish(inflight_key_, std::move(st));
  }
  // Nothing will be stored: requests waiting on this key need not wait for the transfer, and
  // for a while later ones need not wait for each other.
  if (!fill.active()) {
    if (!inflight_key_.empty() && !storable)
      w_->shared->inflight.mark_uncacheable(inflight_key_, std::chrono::seconds(10));
    release_inflight();
  }
  // B.1: a GET whose cacheable range came back as a 206 queues the complete object.
  if (status == 206 && storable && cr.ranged) {
    std::optional<std::uint64_t> total;
    if (auto it = ur.find(http::field::content_range); it != ur.end()) {
      if (auto parsed = range::parse_content_range(it->value())) total = parsed->complete_length;
    }
    offer_background_fetch(cfg, rule, authority, cr, ur[http::field::content_type], total,
                           content_length.value_or(0));
  }
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
        auto fresh = cache::analyze_freshness(view.info(), times);
        committed = co_await commit_and_wait(stream_.get_executor(), fill,
                                             make_meta(200, ur, pos + got, fresh, stored_range));
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
    auto fresh = cache::analyze_freshness(view.info(), times);
    committed = co_await commit_and_wait(stream_.get_executor(), fill,
                                         make_meta(200, ur, 0, fresh, stored_range));
  }
  if (!committed && fill.active()) fill.abort();
  if (committed && store_key == cr.full_key && !stored_range) {
    // A new complete object: range objects of another version must never be served again;
    // with consolidate, none are kept (the complete object answers every range).
    std::string etag(ur[http::field::etag]);
    w_->store->purge_url_ranges(
        cr.url, cfg.background_fetch.consolidate ? std::string_view{} : std::string_view(etag));
  }
  log.bytes = sent;
  finish_log(log);
  give_back();
  co_return keep ? outcome::keep_alive : outcome::close;
}

}  // namespace rangecache::proxy
