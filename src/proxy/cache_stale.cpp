// Stored objects that are not simply fresh: served stale while they are revalidated in the
// background (RFC 5861 §3), served stale when their revalidation fails (RFC 9111 §4.2.4,
// RFC 5861 §4) or refused with a 504 when they must not be, and only-if-cached requests
// that the cache cannot answer (RFC 9111 §5.2.1.7).
#include <spdlog/spdlog.h>

#include "rangecache/cache/record_meta.hpp"
#include "rangecache/cache/reuse.hpp"
#include "rangecache/fetch/revalidate.hpp"
#include "rangecache/proxy/headers.hpp"
#include "session.hpp"

namespace rangecache::proxy {

session::stored_verdict session::freshness_verdict(const cache_request& cr,
                                                   const cache::cached_object& obj,
                                                   std::int64_t now) {
  const auto request_info = view_request(parser_->get());
  const auto fresh = cache::freshness_at(obj.meta, now, cr.cache_control_fields);
  switch (cache::decide_reuse(fresh, request_info.info(), now)) {
    case cache::reuse::fresh:
    case cache::reuse::stale_ok:
      return stored_verdict::serve;
    case cache::reuse::stale_while_revalidate:
      return stored_verdict::serve_stale;
    case cache::reuse::revalidate:
      break;
  }
  return stored_verdict::revalidate;
}

awaitable<outcome> session::use_stale(const config::config& cfg, const config::remap_rule& rule,
                                      const request_authority& authority, const cache_request& cr,
                                      cache::cached_object& obj, stored_verdict verdict,
                                      access_entry& log) {
  if (verdict == stored_verdict::serve_stale) {
    revalidate_in_background(rule, authority, cr, obj);
    co_return co_await serve_object(cfg, cr, obj, cache_result::stale, log);
  }
  co_return co_await fetch_or_refuse(cfg, rule, authority, cr, std::move(obj), log);
}

awaitable<outcome> session::fetch_or_refuse(
    const config::config& cfg, const config::remap_rule& rule, const request_authority& authority,
    const cache_request& cr, std::optional<cache::cached_object> stale, access_entry& log) {
  if (cr.only_if_cached) co_return co_await not_in_cache(log);
  co_return co_await fetch(cfg, rule, authority, cr, std::move(stale), log);
}

awaitable<outcome> session::not_in_cache(access_entry& log) {
  const bool keep = parser_->get().keep_alive();
  co_return co_await send_error(504, "only-if-cached: not in the cache", keep, log);
}

std::vector<std::pair<std::string, std::string>> session::headers_for_cache(
    const config::remap_rule& rule, const request_authority& authority) {
  auto up = upstream_request(rule, authority);
  for (auto f :
       {http::field::range, http::field::if_range, http::field::if_none_match,
        http::field::if_modified_since, http::field::if_match, http::field::if_unmodified_since})
    up.erase(f);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : up)
    if (!is_credential(f.name_string())) out.emplace_back(f.name_string(), f.value());
  return out;
}

void session::revalidate_in_background(const config::remap_rule& rule,
                                       const request_authority& authority, const cache_request& cr,
                                       const cache::cached_object& stale) {
  if (w_->shared->draining.load(std::memory_order_relaxed)) return;
  // Leading the key is what keeps this to one revalidation per object at a time: a second
  // stale hit while it runs, or a client's fill of the key, finds it taken.
  auto& inflight = w_->shared->inflight;
  if (inflight.try_lead(stale.key) != inflight_table::role::lead) return;
  fetch::revalidation r;
  r.stale = stale;
  r.target = cr.target;
  r.host = rule.to_host;
  r.port = rule.to_port;
  r.headers = headers_for_cache(rule, authority);
  if (stale.meta.range) r.range = cr.ranges.specs[0];
  r.cache_control_fields = rule.cache_control_fields;
  r.key_headers = rule.cache_key_headers;
  r.base_key = stale.meta.range ? cr.base_range_key : cr.base_full_key;
  route_revalidation(rule, r);
  asio::co_spawn(w_->ioc, fetch::revalidate_in_background(fetch_context_of(w_), std::move(r)),
                 [](std::exception_ptr e) {
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& x) {
                     spdlog::error("background revalidation ended by exception: {}", x.what());
                   }
                 });
}

awaitable<outcome> session::revalidation_failed(const config::config& cfg,
                                                const config::remap_rule& rule,
                                                const cache_request& cr,
                                                const cache::cached_object& stale,
                                                const origin::answer& a, access_entry& log) {
  const auto now = w_->shared->clock->now();
  const auto fresh = cache::freshness_with_windows(stale.meta, cr.cache_control_fields);
  const auto decision = cache::decide_on_failure(fresh, cache::failure::unreachable, now);
  if (a.source_failed || decision == cache::on_failure::as_if_not_stored)
    co_return co_await upstream_failed(a, rule, log);
  if (decision == cache::on_failure::gateway_timeout) {
    bump(w_->stats.upstream_errors);
    spdlog::warn("upstream {}: {}; {} must not be served stale", upstream_.pool_key(),
                 a.ec.message(), log.url());
    co_return co_await send_error(504, "origin unreachable and the stored answer is stale", false,
                                  log);
  }
  spdlog::warn("upstream {}: {}; serving stale {}", upstream_.pool_key(), a.ec.message(),
               log.url());
  co_return co_await serve_object(cfg, cr, stale, cache_result::stale, log);
}

bool session::stale_instead_of(const cache_request& cr, const cache::cached_object& stale,
                               unsigned status) {
  if (!cache::is_stale_if_error_status(status)) return false;
  const auto now = w_->shared->clock->now();
  const auto fresh = cache::freshness_with_windows(stale.meta, cr.cache_control_fields);
  return cache::decide_on_failure(fresh, cache::failure::server_error, now) ==
         cache::on_failure::serve_stored;
}

}  // namespace rangecache::proxy
