// The cacheable path of a GET or HEAD: complete object first (it answers any range), then
// the range object, then the origin.
#include <spdlog/spdlog.h>

#include "hit_writer.hpp"
#include "rangecache/cache/record_meta.hpp"
#include "rangecache/cache/reuse.hpp"
#include "rangecache/fetch/fetcher.hpp"
#include "rangecache/fetch/rules.hpp"
#include "rangecache/flight/cache_meta.hpp"
#include "rangecache/plan/answer_plan.hpp"
#include "rangecache/plan/range_hit.hpp"
#include "rangecache/proxy/headers.hpp"
#include "rangecache/range/cache_key.hpp"
#include "rangecache/range/content_range.hpp"
#include "rangecache/range/if_range.hpp"
#include "rangecache/range/multipart.hpp"
#include "rangecache/range/resolve.hpp"
#include "rangecache/util/http_date.hpp"
#include "session.hpp"

namespace rangecache::proxy {
namespace {

// A fill is followed only when it is this request's own object: the same URL, under the
// key this request looks up. Keys are unambiguous, so this holds by construction; checking
// it anyway keeps a future key change from ever serving one URL's bytes for another.
bool fill_answers(const inflight_stream& st, const cache_request& cr) {
  return st.object.url == cr.url &&
         (st.object.key == cr.full_key || (!cr.range_key.empty() && st.object.key == cr.range_key));
}

}  // namespace

bool session::finish_log(access_entry& log) {
  bump(w_->stats.bytes_sent, log.bytes);
  write_log(log);
  return true;
}

void session::write_log(access_entry& log) {
  record_metrics(log);
  auto access = w_->shared->access.load(std::memory_order_relaxed);
  if (!access) return;
  if (access->format() != config::access_log_format::line) note_request_fields(log);
  w_->access_lines.add(access, log);
}

void session::record_metrics(const access_entry& log) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  const auto now = std::chrono::steady_clock::now();
  request_sample s;
  s.rule = log.rule_series;
  s.cache = log.cache;
  s.client_bytes = log.bytes;
  s.origin_bytes = log.origin_bytes;
  s.total_us = static_cast<std::uint64_t>(duration_cast<microseconds>(now - log.start).count());
  if (log.first_byte != std::chrono::steady_clock::time_point{})
    s.ttfb_us = duration_cast<microseconds>(log.first_byte - log.start).count();
  w_->metrics.record(s);
}

void session::note_request_fields(access_entry& log) {
  // No request was parsed (a header timeout, one too large): parser_ may still hold the
  // previous request of the connection, whose fields are not this line's.
  if (log.method.empty() || !parser_ || !parser_->is_header_done()) return;
  const auto& req = parser_->get();
  log.range = req[http::field::range];
  if (log.range.empty()) log.range = ignored_range_;
  log.referer = req[http::field::referer];
  log.user_agent = req[http::field::user_agent];
}

bool session::describe_request(const config::config& cfg, const config::remap_rule& rule,
                               const request_authority& authority, cache_request& cr) {
  auto& req = parser_->get();
  const auto& crr_opt = rule.cache_range_requests;
  cr.head = req.method() == http::verb::head;
  cr.cache_control_fields = rule.cache_control_fields;
  const auto request_info = view_request(req);
  cr.only_if_cached = cache::request_directives(request_info.info()).only_if_cached;
  // Control headers count only from trusted clients (handle() already removed them from
  // anyone else's request).
  bool skip_crr = false;
  if (trusted_client(cfg, client_addr_)) {
    skip_crr = req.find("X-Skip-Crr") != req.end();
    cr.from_fetch = req.find(fetch_marker) != req.end();
    if (crr_opt.consider_ims) {
      auto v = req[crr_opt.ims_header];
      if (!v.empty()) {
        if (auto t = util::parse_http_date(v); t && *t > 0) cr.crr_ims = *t;
      }
    }
    if (crr_opt.consider_ident) cr.crr_ident = std::string(req[crr_opt.ident_header]);
  }
  rewrite_target(rule, authority.path_and_query, cr.target);
  cache_url_for(rule, cr.target, cr.url);
  // The Host a preserve_host rule sends upstream picks the origin's answer: one host's
  // object must never answer for another.
  std::vector<range::key_header> key_headers;
  std::string host_value;
  if (rule.preserve_host) {
    host_value = authority_host_header(authority);
    key_headers.push_back({"host", host_value});
  }
  for (const auto& name : rule.cache_key_headers) {
    auto it = req.find(name);
    key_headers.push_back(
        {name, it == req.end() ? std::nullopt : std::optional<std::string_view>(it->value())});
  }
  range::cache_key_into(cr.full_key, cr.url, {}, key_headers);
  if (!read_ranges(cr)) return false;
  cr.crr = crr_opt.enabled && cr.ranged && cr.ranges.specs.size() == 1 && !skip_crr;
  if (cr.crr) {
    if (crr_opt.no_modify_cachekey)
      cr.range_key = cr.full_key;  // the rule's key headers include Range (checked at load)
    else
      range::range_object_key_into(cr.range_key, cr.url, cr.ranges.specs[0], key_headers);
  }
  cr.base_full_key = cr.full_key;
  cr.base_range_key = cr.range_key;
  return true;
}

bool session::read_ranges(cache_request& cr) {
  auto& req = parser_->get();
  // One pass over the fields, by their codes, rather than a lookup by name for each.
  int range_count = 0;
  std::string_view range_value;
  for (const auto& f : req) {
    if (f.name() == http::field::range && range_count++ == 0) range_value = f.value();
    if (f.name() == http::field::if_range) cr.if_range = true;
  }
  if (range_count == 1 && !range_value.empty()) {
    cr.ranges = range::parse_range(range_value);
    // Range caching is for bytes only: other units pass through untouched.
    if (cr.ranges.status == range::parse_status::not_bytes) return false;
    cr.ranged = cr.ranges.ok();
  }
  // An invalid or repeated Range is ignored (RFC 9110 §14.2), here and upstream.
  if (!cr.ranged && range_count > 0) {
    ignored_range_.assign(range_value);  // the access log still says what was asked
    req.erase(http::field::range);
  }
  return true;
}

session::stored_verdict session::judge_range_object(const cache_request& cr,
                                                    const cache::cached_object& robj,
                                                    std::int64_t now) {
  auto& req = parser_->get();
  auto verdict = freshness_verdict(cr, robj, now);
  plan::range_hit_request rq;
  rq.fresh = verdict != stored_verdict::revalidate;
  rq.crr_ims = cr.crr_ims;
  rq.crr_ident = cr.crr_ident;
  if (cr.if_range) rq.if_range = req[http::field::if_range];
  switch (plan::judge_range_hit(rq, robj.meta)) {
    case plan::range_hit::unusable:
      return stored_verdict::unusable;
    case plan::range_hit::revalidate:
      return stored_verdict::revalidate;
    case plan::range_hit::serve:
      break;
  }
  // Served: plainly, unless it was stale (inside stale-while-revalidate) and no trusted
  // X-Crr-Ident said it is fresh.
  if (verdict != stored_verdict::serve_stale) return stored_verdict::serve;
  const bool ident_fresh = !cr.crr_ident.empty() && !cr.crr_ims &&
                           plan::ident_says_fresh(cr.crr_ident, robj.meta) == true;
  return ident_fresh ? stored_verdict::serve : stored_verdict::serve_stale;
}

awaitable<outcome> session::serve_range_hit(const config::config& cfg,
                                            const config::remap_rule& rule,
                                            const request_authority& authority,
                                            const cache_request& cr, access_entry& log) {
  const auto& robj = lookup_range_;
  // The range came from its own object: the complete one is still missing, so this hit
  // offers the URL for a background fetch too.
  if (robj.meta.range) {
    const auto* type = find_header(robj.meta, "Content-Type");
    const auto total = robj.meta.range->total == cache::content_range::unknown_total
                           ? std::nullopt
                           : std::optional<std::uint64_t>(robj.meta.range->total);
    offer_background_fetch(cfg, rule, authority, cr,
                           type ? std::string_view(*type) : std::string_view{}, total,
                           robj.meta.content_length);
  }
  co_return co_await serve_object(cfg, cr, robj, cache_result::hit, log, nullptr, robj.replayed);
}

awaitable<outcome> session::serve_cacheable(const config::config& cfg,
                                            const config::remap_rule& rule,
                                            request_authority authority, access_entry& log) {
  const auto& crr_opt = rule.cache_range_requests;
  // The connection's: its strings keep their buffers from the previous request.
  cache_request& cr = request_;
  plan::recycle(cr);
  if (!describe_request(cfg, rule, authority, cr)) {
    if (cr.only_if_cached) co_return co_await not_in_cache(log);
    co_return co_await forward(cfg, rule, std::move(authority), log);
  }
  // hash: cache_key places each range object (or the complete object) on the ring by itself.
  if (rule.parents && rule.parents->hash == config::parent_hash::cache_key)
    route_key_ = cr.crr ? cr.range_key : cr.full_key;
  const bool complete_first = !(crr_opt.no_modify_cachekey && cr.ranged);
  // Looks up (a) the complete object and (b) the range object; on a miss, the first request
  // for a key leads and the others wait for its fill, then look again (request collapsing).
  for (int round = 0;; ++round) {
    const auto now = w_->shared->clock->now();
    // a. The complete object answers any range. Session-owned: a lookup reuses the strings
    // of the previous one instead of allocating.
    cache::cached_object& obj = lookup_full_;
    const bool found = complete_first && find_stored(cr, false, obj);
    if (found && !obj.meta.range) {
      const auto verdict = freshness_verdict(cr, obj, now);
      if (verdict == stored_verdict::serve)
        co_return co_await serve_object(cfg, cr, obj, cache_result::hit_full, log, nullptr,
                                        obj.replayed);
      co_return co_await use_stale(cfg, rule, authority, cr, obj, verdict, log);
    }
    // Block mode: the URL's block index stands for an object kept as blocks.
    if (found && rule.blocks && cache::is_block_index(obj.meta))
      co_return co_await serve_blocks(cfg, rule, authority, cr, &obj, log);
    // b. The range object (cache_range_requests). Under no_modify_cachekey with
    // cache_complete_responses, the range's key may hold an origin's 200: the complete
    // object, sliced like any other.
    if (cr.crr && find_stored(cr, true, lookup_range_) &&
        (lookup_range_.meta.range || crr_opt.no_modify_cachekey)) {
      const auto verdict = judge_range_object(cr, lookup_range_, now);
      if (verdict == stored_verdict::serve)
        co_return co_await serve_range_hit(cfg, rule, authority, cr, log);
      if (verdict != stored_verdict::unusable)
        co_return co_await use_stale(cfg, rule, authority, cr, lookup_range_, verdict, log);
    }
    if (blocks_first(rule, cr, complete_first))
      co_return co_await serve_blocks(cfg, rule, authority, cr, nullptr, log);
    if (cr.only_if_cached) co_return co_await not_in_cache(log);
    // A variant too long to store: this request is not for the cache (nor for a fill).
    if (cr.variant_unstorable) co_return co_await forward(cfg, rule, std::move(authority), log);
    // HEAD is answered from metadata only when the object is there; otherwise it passes
    // through (a HEAD brings no body to store).
    if (cr.head) co_return co_await forward(cfg, rule, std::move(authority), log);
    auto next = co_await wait_for_fill(cfg, cr, complete_first, round);
    if (next.stream) {
      bump(w_->stats.collapsed);
      co_return co_await serve_object(cfg, cr, next.stream->object, cache_result::collapsed, log,
                                      next.stream->progress.get());
    }
    if (!next.finished) co_return co_await fetch(cfg, rule, authority, cr, std::nullopt, log);
    bump(w_->stats.collapsed);
  }
}

bool session::blocks_first(const config::remap_rule& rule, const cache_request& cr,
                           bool complete_first) {
  // Nothing stored for a URL of a block-mode rule: its first block is asked for first (it
  // tells the length), unless the URL was found not to be kept as blocks, varies, or the
  // request brings no body to store (HEAD) or must not go upstream.
  return rule.blocks && complete_first && !cr.head && !cr.only_if_cached &&
         !cr.variant_unstorable && cr.variant.empty() && cr.vary_names.empty() &&
         !w_->shared->blocks.not_blocks(cr.url, std::chrono::steady_clock::now());
}

awaitable<flight::follow_result> session::wait_for_fill(const config::config& cfg,
                                                        const cache_request& cr,
                                                        bool complete_first, int round) {
  auto& inflight = w_->shared->inflight;
  flight::follow_result out;
  // The complete object is being written (a GET or a background fetch): any range of it
  // is served from its bytes as they arrive.
  if (complete_first) {
    if (auto st = inflight.stream(cr.full_key); st && fill_answers(*st, cr)) {
      out.stream = std::move(st);
      co_return out;
    }
  }
  // Nothing to wait for (neither stream nor finished): this request goes upstream itself.
  if (cfg.server.collapse_timeout.count() == 0 || round >= 3) co_return out;
  // A request that came back through this node (parents pointing at each other) would wait
  // for the fill it is itself part of: it goes upstream without waiting.
  if (looped_) co_return out;
  const std::string key = cr.crr ? cr.range_key : cr.full_key;
  auto waiter = std::make_shared<inflight_waiter>(stream_.get_executor());
  auto role = inflight.join(key, waiter);
  if (role == inflight_table::role::lead) inflight_key_ = key;
  if (role != inflight_table::role::follow) co_return out;
  // Follow: stream from the leader's fill once it has begun, or look again when it ends;
  // a leader too slow to do either is given up on and this request goes upstream alone.
  const auto deadline = std::chrono::steady_clock::now() + cfg.server.collapse_timeout;
  std::function<bool(const inflight_stream&)> usable = [&cr](const inflight_stream& st) {
    return fill_answers(st, cr);
  };
  co_return co_await flight::follow(inflight, key, waiter, deadline, std::move(usable));
}

void session::offer_background_fetch(const config::config& cfg, const config::remap_rule& rule,
                                     const request_authority& authority, const cache_request& cr,
                                     std::string_view content_type,
                                     std::optional<std::uint64_t> total,
                                     std::uint64_t range_length) {
  if (!rule.background_fetch || cr.from_fetch || !cr.ranged) return;
  // In a tier only the node that fetches the URL from the origin runs its fetches.
  if (!fetches_here(rule)) return;
  auto& req = parser_->get();
  auto& scheduler = w_->shared->fetches;
  fetch::candidate c;
  c.url = cr.url;
  c.content_type = content_type;
  c.content_length = total;
  c.range_length = range_length;
  c.user_agent = req[http::field::user_agent];
  c.client_ip = client_ip_;
  const auto& rules =
      rule.background_fetch_rules ? *rule.background_fetch_rules : cfg.background_fetch.rules;
  if (!fetch::allowed(rules, c)) {
    scheduler.stats().excluded_by_rule.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // Every range hit of a URL whose fetch is already queued or running lands here: settle it
  // before building a job (headers, strings) that the scheduler would only drop.
  if (scheduler.count_if_duplicate(cr.url)) return;
  fetch::job j;
  j.url = cr.url;
  j.key = cr.full_key;
  j.base_key = cr.base_full_key;
  j.key_headers = rule.cache_key_headers;
  j.target = cr.target;
  j.host = rule.to_host;
  j.port = rule.to_port;
  j.headers = headers_for_cache(rule, authority);
  j.cache_control_fields = rule.cache_control_fields;
  if (scheduler.offer(j, std::chrono::steady_clock::now()) == fetch::offer_result::start_now)
    asio::co_spawn(w_->ioc, fetch::run_background_fetches(fetch_context_of(w_), std::move(j)),
                   [](std::exception_ptr e) {
                     if (!e) return;
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& x) {
                       spdlog::error("background fetch ended by exception: {}", x.what());
                     }
                   });
}

plan::answer_plan session::plan_stored_answer(const cache_request& cr,
                                              const cache::object_meta& meta, const char* label,
                                              bool keep,
                                              std::optional<range::multipart_boundary>& boundary,
                                              std::string_view replayed) {
  auto& req = parser_->get();
  plan::answer_request rq;
  rq.method = req.method_string();
  rq.head = cr.head;
  rq.keep_alive = keep;
  rq.http10 = req.version() == 10;
  if (cr.ranged) rq.ranges = cr.ranges.specs;
  // The conditionals, in one pass over the fields (the first of each, as a lookup gives).
  for (const auto& f : req) {
    if (f.name() == http::field::if_range && cr.if_range && !rq.if_range)
      rq.if_range = f.value();
    else if (f.name() == http::field::if_none_match && !rq.if_none_match)
      rq.if_none_match = f.value();
    else if (f.name() == http::field::if_modified_since && !rq.if_modified_since)
      rq.if_modified_since = f.value();
  }
  rq.label = label;
  rq.now = w_->shared->clock->now();
  if (plan::answer_needs_boundary(rq, meta)) {
    if (!boundary) boundary = range::make_boundary();
    rq.boundary = boundary->view();
  }
  // The rule's targeted fields were for us: they never reach a client. The store's rendering
  // holds every stored field, so it is no use when some were taken out.
  cache::object_meta scratch;
  const auto& shown = cache::without_fields(meta, cr.cache_control_fields, scratch);
  if (&shown == &meta) rq.replayed = replayed;
  return plan::plan_answer(rq, shown);
}

awaitable<outcome> session::serve_object(const config::config& cfg, const cache_request& cr,
                                         const cache::cached_object& obj, const char* label,
                                         access_entry& log, const cache::fill_progress* progress,
                                         std::string_view replayed) {
  auto& req = parser_->get();
  const bool keep = req.keep_alive() && !w_->shared->draining.load(std::memory_order_relaxed);
  log.cache = label;
  std::optional<range::multipart_boundary> boundary;
  const auto answer = plan_stored_answer(cr, obj.meta, label, keep, boundary, replayed);
  log.status = answer.status;
  if (!cr.head) log.bytes = answer.body_bytes;
  log.first_byte = std::chrono::steady_clock::now();
  send_status s = send_status::ok;
  if (answer.parts.size() == 1 && answer.parts[0].prefix.empty() && answer.trailer.empty()) {
    // One stretch of the body after the head (most answers): sent from here, without the
    // coroutine frame of send_answer.
    const auto& part = answer.parts[0];
    const std::string_view head = answer.head;
    s = co_await send_stored(stream_, *w_->reader, obj.ref, part.offset, part.length, head,
                             cfg.server.send_timeout, progress);
  } else {
    s = co_await send_answer(answer, obj.ref, cfg.server.send_timeout, progress);
  }
  finish_log(log);
  if (s == send_status::gone) bump(w_->stats.responses_cut);
  if (s != send_status::ok) co_return outcome::cut;
  co_return keep ? outcome::keep_alive : outcome::close;
}

awaitable<send_status> session::send_answer(const plan::answer_plan& answer,
                                            const cache::object_ref& ref,
                                            std::chrono::milliseconds timeout,
                                            const cache::fill_progress* progress) {
  if (answer.parts.empty()) co_return co_await send_text(stream_, answer.head, timeout);
  std::string joined;
  for (std::size_t i = 0; i < answer.parts.size(); ++i) {
    const auto& part = answer.parts[i];
    // The head leaves with the first body bytes: one write, one packet for a small answer.
    std::string_view prefix = part.prefix;
    if (i == 0 && part.prefix.empty()) {
      prefix = answer.head;
    } else if (i == 0) {
      joined = answer.head + part.prefix;
      prefix = joined;
    }
    auto s = co_await send_stored(stream_, *w_->reader, ref, part.offset, part.length, prefix,
                                  timeout, progress);
    if (s != send_status::ok) co_return s;
  }
  if (answer.trailer.empty()) co_return send_status::ok;
  co_return co_await send_text(stream_, answer.trailer, timeout);
}

}  // namespace rangecache::proxy
