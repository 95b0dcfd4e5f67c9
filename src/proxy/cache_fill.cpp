// A miss or a revalidation: one upstream request; its answer goes to the client and, when
// the cache may keep it, into the store in the same pass (one read of the origin's body
// feeds both).
#include <spdlog/spdlog.h>

#include "rangecache/flight/cache_meta.hpp"
#include "rangecache/flight/store_tee.hpp"
#include "rangecache/plan/fill_plan.hpp"
#include "rangecache/proxy/headers.hpp"
#include "rangecache/range/content_range.hpp"
#include "rangecache/range/normalize.hpp"
#include "rangecache/range/resolve.hpp"
#include "response_writer.hpp"
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
  if (revalidating) add_validators(up, stale->meta);

  cache::exchange_times times;
  times.request_time = w_->shared->clock->now();
  auto a = co_await ask_origin(cfg, rule, up, cr.head);
  if (a.ec && revalidating) co_return co_await revalidation_failed(cfg, rule, cr, *stale, a, log);
  if (a.ec) co_return co_await upstream_failed(a, rule, log);
  times.response_time = w_->shared->clock->now();
  log.upstream_status = a.status();
  if (revalidating && stale_instead_of(cr, *stale, a.status())) {
    w_->origins.finish(upstream_, a, cfg.upstream.max_idle_per_origin);
    co_return co_await serve_object(cfg, cr, *stale, cache_result::stale, log);
  }
  if (revalidating && cr.head && a.status() == 200) head_updates_stored(cfg, cr, *stale, a, times);
  if (!revalidating || a.status() != 304)
    co_return co_await relay(cfg, rule, authority, cr, std::move(a), times, revalidating, log);
  co_return co_await not_modified(cfg, rule, authority, cr, std::move(a), std::move(up),
                                  std::move(*stale), times, log);
}

void session::add_validators(origin::request& up, const cache::object_meta& stored) {
  for (auto f : {http::field::if_none_match, http::field::if_modified_since, http::field::if_range,
                 http::field::if_match, http::field::if_unmodified_since})
    up.erase(f);
  if (!stored.etag.empty()) up.set(http::field::if_none_match, stored.etag);
  if (!stored.last_modified.empty()) up.set(http::field::if_modified_since, stored.last_modified);
  // A complete object is revalidated whole: a 200 then replaces it.
  if (!stored.range) up.erase(http::field::range);
}

awaitable<outcome> session::not_modified(const config::config& cfg, const config::remap_rule& rule,
                                         const request_authority& authority,
                                         const cache_request& cr, origin::answer a,
                                         origin::request up, cache::cached_object obj,
                                         cache::exchange_times times, access_entry& log) {
  w_->origins.finish(upstream_, a, cfg.upstream.max_idle_per_origin);
  if (freshen_with_304(obj.meta, a.head(), times, flight::freshness_policy_of(cfg.cache),
                       cr.cache_control_fields)) {
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
  auto again = co_await ask_origin(cfg, rule, std::move(up), cr.head);
  if (again.ec) co_return co_await upstream_failed(again, rule, log);
  times.response_time = w_->shared->clock->now();
  log.upstream_status = again.status();
  co_return co_await relay(cfg, rule, authority, cr, std::move(again), times, true, log);
}

// RFC 9111 §4.3.5: a HEAD's 200 freshens the stored GET answer it matches; one it does not
// match is about another version, and the stored answer is stale from now on.
void session::head_updates_stored(const config::config& cfg, const cache_request& cr,
                                  const cache::cached_object& stored, origin::answer& a,
                                  const cache::exchange_times& times) {
  auto meta = stored.meta;
  if (!flight::freshen_with_head(meta, a.head(), times, flight::freshness_policy_of(cfg.cache),
                                 cr.cache_control_fields)) {
    meta = stored.meta;
    meta.freshness_lifetime = std::chrono::seconds{0};
  }
  w_->store->update(stored.key, stored.ref, std::move(meta));
}

plan::fill_plan session::plan_for(const cache_request& cr, const config::remap_rule& rule,
                                  origin::answer& a, access_entry& log) {
  auto& ur = a.head();
  const auto request_info = view_request(parser_->get());
  const auto view = view_response(ur.result_int(), ur, cr.cache_control_fields);
  const auto content_ranges = field_values(ur, http::field::content_range);
  const auto vary = field_values(ur, http::field::vary);
  plan::origin_head head;
  head.status = ur.result_int();
  if (a.parser->content_length()) head.content_length = *a.parser->content_length();
  head.content_ranges = content_ranges;
  head.vary = vary;
  head.set_cookie = ur.find(http::field::set_cookie) != ur.end();
  head.info = view.info();
  auto fp = plan::plan_fill(request_info.info(), head, cr, rule);
  if (fp.range_mismatch)
    spdlog::warn("{}: origin 206 Content-Range does not match {}: not stored", log.url(),
                 range::canonical_range(cr.ranges.specs[0]).view());
  return fp;
}

cache::fill session::begin_store(const config::config& cfg, const cache_request& cr,
                                 const plan::fill_plan& fp, origin::answer& a,
                                 const cache::exchange_times& times, cache::object_meta& head_meta,
                                 access_entry& log) {
  const std::string& store_key = plan::store_key(fp, cr);
  cache::fill fill;
  // A bodiless answer (a 204) is stored too: an object of no bytes.
  if (!store_key.empty()) {
    cache::fill_options fo;
    if (a.parser->content_length()) fo.expected_length = *a.parser->content_length();
    fill = w_->store->begin_fill(store_key, cr.url, fo);
    if (!fill.active())
      spdlog::debug("{}: not stored: {}", log.url(), cache::to_string(fill.error()));
  }
  if (fill.active()) {
    // The record is made from the head as it is now: Beast adds a chunked body's trailers to
    // the same fields once the body ends, and they must never be stored as header fields.
    auto& ur = a.head();
    const auto view = view_response(ur.result_int(), ur, cr.cache_control_fields);
    const auto fresh =
        cache::analyze_freshness(view.info(), times, flight::freshness_policy_of(cfg.cache));
    // A range object is kept as part of the 200 it comes from; any other answer with the
    // status it has, which is what the cache answers with.
    const unsigned status = fp.stored_range ? 200 : ur.result_int();
    head_meta =
        make_meta(status, ur, a.parser->content_length().value_or(0), fresh, fp.stored_range);
    head_meta.variant = cr.variant;
    publish_fill(cr, store_key, fill, head_meta, a.parser->content_length().has_value());
    return fill;
  }
  // Nothing will be stored: requests waiting on this key need not wait for the transfer, and
  // for a while later ones need not wait for each other. Only the response can say the key
  // is uncacheable: one client's "no-store" or Authorization must not stop collapsing for
  // everyone else.
  if (!inflight_key_.empty() && !fp.response_storable)
    w_->shared->inflight.mark_uncacheable(inflight_key_, std::chrono::seconds(10));
  release_inflight();
  return fill;
}

void session::publish_fill(const cache_request& cr, const std::string& store_key,
                           const cache::fill& fill, const cache::object_meta& head_meta,
                           bool length_known) {
  // An origin 200 to a range request is the complete object: lead its key as well, so that
  // other ranges of the URL stream from this fill instead of going upstream again.
  if (store_key == cr.full_key && inflight_key_ != cr.full_key && extra_inflight_key_.empty()) {
    if (w_->shared->inflight.try_lead(cr.full_key) == inflight_table::role::lead)
      extra_inflight_key_ = cr.full_key;
  }
  // Requests waiting on this key stream from the fill as its bytes become durable.
  if (!length_known || inflight_key_.empty()) return;
  auto st = std::make_shared<inflight_stream>();
  st->object.key = store_key;
  st->object.url = cr.url;
  st->object.meta = head_meta;
  st->object.ref = fill.progress_ref();
  st->progress = fill.progress();
  if (!extra_inflight_key_.empty()) w_->shared->inflight.publish(extra_inflight_key_, st);
  w_->shared->inflight.publish(inflight_key_, std::move(st));
}

bool session::client_head_for_fill(http::response<http::buffer_body>& res, origin::answer& a,
                                   const plan::fill_plan& fp, bool body_expected,
                                   access_entry& log) {
  auto& req = parser_->get();
  auto& ur = a.head();
  const unsigned status = ur.result_int();
  res.version(11);
  res.result(fp.client_status);
  if (fp.client_status == status) res.reason(ur.reason());
  copy_end_to_end(ur.base(), res.base());
  append_via(res.base(), ur.version());
  res.set("X-Cache", log.cache);
  bool keep = req.keep_alive() && !w_->shared->draining.load(std::memory_order_relaxed);
  if (fp.client_status != status) {
    res.set(http::field::content_range, fp.client_content_range);
    res.content_length(fp.windowed ? fp.window_length : 0);
  } else if (body_expected && !a.parser->content_length()) {
    if (req.version() == 11)
      res.chunked(true);
    else
      keep = false;
  }
  res.keep_alive(keep);
  if (keep && req.version() == 10) res.set(http::field::connection, "keep-alive");
  log.status = fp.client_status;
  return keep;
}

awaitable<outcome> session::relay(const config::config& cfg, const config::remap_rule& rule,
                                  const request_authority& authority, const cache_request& cr,
                                  origin::answer a, cache::exchange_times times, bool revalidating,
                                  access_entry& log) {
  const unsigned status = a.status();
  auto fp = plan_for(cr, rule, a, log);
  // An answer with Vary is stored as the variant this request selects: its own keys.
  cache_request keyed;
  const cache_request& kr = keys_for_answer(cr, fp, keyed);
  const bool body_expected = !cr.head && status_has_body(status);
  cache::object_meta head_meta;
  cache::fill fill = begin_store(cfg, kr, fp, a, times, head_meta, log);
  // A range answered by the origin: the complete object is worth having (background fetch).
  if (fp.offer_background_fetch)
    offer_background_fetch(cfg, rule, authority, kr, a.head()[http::field::content_type],
                           fp.complete_length, a.parser->content_length().value_or(0));
  log.cache = !fill.active() ? cache_result::pass
              : revalidating ? cache_result::refreshed
                             : cache_result::miss;

  http::response<http::buffer_body> res;
  const bool keep = client_head_for_fill(res, a, fp, body_expected, log);
  flight::strip_targeted(res.base(), cr.cache_control_fields);
  const bool client_body = body_expected && !(fp.client_status == 416 && status != 416);
  response_writer writer(stream_, res, client_body, cfg.server.send_timeout);
  if (fp.windowed) writer.window(fp.window_from, fp.window_length);
  flight::tee_options to;
  // Followers wake as soon as the object is in the store, not after the last client write.
  to.on_commit = [this] { release_inflight(); };
  cache::fill index = fill.active() ? begin_vary_index(cr, kr, fp) : cache::fill{};
  to.before_commit = [this, &index, &fp] { commit_vary_index(index, fp); };
  flight::store_tee tee(stream_.get_executor(), fill, head_meta, &writer, to);
  // A bodiless answer to store (a 204) is committed before the client has it, as any other
  // is before its last byte: a client never holds an answer the cache does not have yet.
  if (!body_expected && fill.active()) co_await tee.take(std::string_view{}, true);
  if (!client_body) {
    const bool ok = co_await writer.write_head();
    if (!ok) co_return outcome::cut;
  }
  if (body_expected) {
    auto r = co_await origin::relay_body(a, body_buf_.get(), relay_buffer_size, tee,
                                         cfg.upstream.read_timeout);
    log.origin_bytes = r.bytes;
    log.first_byte = writer.first_write();
    if (r.ec)
      co_return co_await origin_cut(rule, r.ec, r.bytes, !client_body || writer.sent() > 0,
                                    writer.sent(), log);
    if (r.stopped) co_return outcome::cut;
  }
  if (tee.committed()) after_stored(cfg, cr, kr, fp);
  if (tee.committed() && plan::store_key(fp, kr) == kr.full_key && !fp.stored_range) {
    // A new complete object: range objects of another version must never be served again;
    // with consolidate, none are kept (the complete object answers every range). Another
    // status (a 404, a 301) says the representation they were cut from is gone: none are.
    const bool keep_same_version = !cfg.background_fetch.consolidate && head_meta.status == 200;
    w_->store->tidy_url(
        kr.url, cache::redundant_ranges(head_meta.variant, keep_same_version
                                                               ? std::string_view(head_meta.etag)
                                                               : std::string_view{}));
  }
  log.bytes = writer.sent();
  log.first_byte = writer.first_write();
  finish_log(log);
  w_->origins.finish(upstream_, a, cfg.upstream.max_idle_per_origin);
  co_return keep ? outcome::keep_alive : outcome::close;
}

}  // namespace rangecache::proxy
