// Block mode: an object kept as aligned blocks is answered by walking the blocks that cover
// the request (block_fetches.cpp gets each one: stored, or fetched once for every request
// that needs it). Every answer is planned from the whole object's head as if the object
// were stored whole, so ranges, multipart, suffixes, 416, If-Range, conditionals and HEAD are
// answered exactly as for a complete object.
#include <spdlog/spdlog.h>

#include "rangecache/cache/record_meta.hpp"
#include "rangecache/range/cache_key.hpp"
#include "session.hpp"

namespace rangecache::proxy {
namespace {

// The object a block index (or a block) stands for; false when it names no version.
bool make_block_object(const cache::cached_object& rec, std::uint64_t size, block_object& out) {
  auto id = plan::identity_of(rec.meta);
  if (!id) return false;
  out.whole.key = rec.key;
  out.whole.url = rec.url;
  out.whole.meta = cache::object_of_block_index(rec.meta);
  out.id = std::move(*id);
  out.size = size;
  out.count = plan::block_count(out.id.total, size);
  return true;
}

}  // namespace

awaitable<outcome> session::serve_blocks(const config::config& cfg, const config::remap_rule& rule,
                                         const request_authority& authority,
                                         const cache_request& cr, const cache::cached_object* index,
                                         access_entry& log) {
  const auto size = rule.blocks->size;
  block_object bo;
  bool known = index && make_block_object(*index, size, bo);
  for (int round = 0; round < 3; ++round) {
    // A fetch has seen a newer version than the stored index (whose removal may still be on
    // its way to the store): the index no longer says what the object is.
    if (known && version_changed(cr, bo)) known = false;
    bool just_fetched = false;
    if (!known) {
      const auto start = co_await start_block_object(cfg, rule, authority, cr, bo);
      if (start == block_start::ordinary)
        co_return co_await fetch(cfg, rule, authority, cr, std::nullopt, log);
      just_fetched = start == block_start::fetched;
    }
    // A head learnt from the origin just now is fresh; a stored index or block may not be.
    bool refresh = false;
    if (!just_fetched) {
      const auto verdict = freshness_verdict(cr, bo.whole, w_->shared->clock->now());
      if (verdict != stored_verdict::serve && cr.only_if_cached)
        co_return co_await not_in_cache(log);
      refresh = verdict != stored_verdict::serve;
    }
    auto done = co_await answer_from_blocks(cfg, rule, authority, cr, bo, refresh, log);
    if (done) co_return *done;
    known = false;  // the object changed before anything was sent: answer from the new one
  }
  co_return co_await send_error(502, "the object kept changing", false, log);
}

awaitable<block_start> session::start_block_object(const config::config& cfg,
                                                   const config::remap_rule& rule,
                                                   const request_authority& authority,
                                                   const cache_request& cr, block_object& bo) {
  const auto size = rule.blocks->size;
  const std::span<const range::byte_range_spec> specs(cr.ranges.specs.begin(),
                                                      cr.ranged ? cr.ranges.specs.size() : 0);
  const auto first = plan::first_block_needed(specs, size);
  const auto key = range::block_key(cr.full_key, size, first);
  // Only a block of the version the URL's fetches saw last tells the object's head: a fetch
  // of an older one still under way is waited out.
  std::function<bool(const inflight_stream&)> latest = [&](const inflight_stream& st) {
    block_object seen;
    return make_block_object(st.object, size, seen) && !version_changed(cr, seen);
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    // The block may be stored already (its index evicted): its head is the object's.
    if (w_->reader->lookup(key, lookup_range_) == cache::lookup_status::hit &&
        make_block_object(lookup_range_, size, bo) && !version_changed(cr, bo) &&
        plan::block_fits(lookup_range_.meta, bo.id, first, size))
      co_return block_start::stored;
    std::shared_ptr<fetch::block_task> own;
    const std::optional<plan::block_identity> unknown;
    auto r = co_await follow_block_fetch(cfg, rule, authority, cr, key, first, unknown, false,
                                         latest, &own);
    if (r.stream)
      co_return make_block_object(r.stream->object, size, bo) ? block_start::fetched
                                                              : block_start::ordinary;
    // The fetch ended without a block of this object: it is not kept as blocks, or the
    // answer was another (this request takes the ordinary path); or another request's fetch
    // of an older version ended, and the block is asked for again.
    if (!r.finished || own ||
        w_->shared->blocks.not_blocks(cr.url, std::chrono::steady_clock::now()))
      co_return block_start::ordinary;
  }
  co_return block_start::ordinary;
}

awaitable<std::optional<outcome>> session::answer_from_blocks(
    const config::config& cfg, const config::remap_rule& rule, const request_authority& authority,
    const cache_request& cr, const block_object& bo, bool refresh, access_entry& log) {
  auto& req = parser_->get();
  const bool keep = req.keep_alive() && !w_->shared->draining.load(std::memory_order_relaxed);
  std::optional<range::multipart_boundary> boundary;
  auto answer = plan_stored_answer(cr, bo.whole.meta, cache_result::hit, keep, boundary);
  const char* label = cache_result::hit;
  // HIT only when every block the answer needs is stored; the head says so before the
  // first block is sent, so it is decided from lookups first.
  const bool all_stored = !refresh && all_blocks_stored(cr, answer, bo);
  if (!all_stored) {
    if (cr.only_if_cached) co_return co_await not_in_cache(log);
    label = cache_result::miss;
    answer = plan_stored_answer(cr, bo.whole.meta, label, keep, boundary);
  }
  if (!answer.parts.empty()) read_ahead(rule, authority, cr, bo, answer);
  // An answer without a body (HEAD, 304, 416) from a stale index renews it first: block 0
  // is fetched again, and tells whether the object is still the one the head describes.
  if (refresh && answer.parts.empty()) {
    auto renewed = co_await obtain_block(cfg, rule, authority, cr, bo, 0, true);
    if (renewed.status == block_source::from::changed) co_return std::nullopt;
    if (renewed.status == block_source::from::failed)
      co_return co_await send_error(502, "a block could not be fetched", keep, log);
  }
  log.first_byte = std::chrono::steady_clock::now();
  auto s = co_await send_blocks(cfg, rule, authority, cr, answer, bo, refresh, !all_stored);
  if (s == block_send::restart) co_return std::nullopt;
  if (s == block_send::failed)
    co_return co_await send_error(502, "a block could not be fetched", keep, log);
  log.cache = label;
  log.status = answer.status;
  if (!cr.head) log.bytes = answer.body_bytes;
  finish_log(log);
  if (s != block_send::ok) {
    bump(w_->stats.responses_cut);
    co_return outcome::cut;
  }
  co_return keep ? outcome::keep_alive : outcome::close;
}

bool session::all_blocks_stored(const cache_request& cr, const plan::answer_plan& answer,
                                const block_object& bo) {
  for (const auto& part : answer.parts) {
    const auto span = plan::blocks_covering(part.offset, part.length, bo.size);
    for (std::uint64_t k = span.first; k < span.first + span.count; ++k) {
      // Session-owned: each lookup reuses the strings of the one before.
      if (!stored_block(range::block_key(cr.full_key, bo.size, k), bo, k, lookup_range_))
        return false;
    }
  }
  return true;
}

awaitable<block_send> session::send_blocks(const config::config& cfg,
                                           const config::remap_rule& rule,
                                           const request_authority& authority,
                                           const cache_request& cr, const plan::answer_plan& answer,
                                           const block_object& bo, bool refresh, bool missing) {
  const auto timeout = cfg.server.send_timeout;
  if (answer.parts.empty()) {
    auto s = co_await send_text(stream_, answer.head, timeout);
    co_return s == send_status::ok ? block_send::ok : block_send::cut;
  }
  // A long answer is its own sequential reader: while one block is sent, the next ones it
  // needs (up to read_ahead, at least one) are already being fetched. Each block is looked
  // at once for that; an answer whose blocks were all stored skips it.
  const std::uint64_t depth = std::max<std::uint32_t>(rule.blocks->read_ahead, 1);
  bool sent = false;
  std::string joined;  // the head and the first part's prefix, for a multipart answer
  for (const auto& part : answer.parts) {
    std::string_view prefix = part.prefix;
    if (!sent)
      prefix = part.prefix.empty() ? std::string_view(answer.head)
                                   : (joined = answer.head + part.prefix);
    std::uint64_t ahead_from = 0;
    for (std::uint64_t off = part.offset, end = part.offset + part.length; off < end;) {
      const auto k = off / bo.size;
      const auto n = std::min(end, (k + 1) * bo.size) - off;
      const auto ahead_to = std::min((end - 1) / bo.size, k + depth);
      if (missing && !refresh && std::max(ahead_from, k + 1) <= ahead_to)
        fetch_ahead_in_answer(rule, authority, cr, bo, std::max(ahead_from, k + 1), ahead_to);
      ahead_from = std::max(ahead_from, ahead_to + 1);
      auto src = co_await obtain_block(cfg, rule, authority, cr, bo, k, refresh);
      refresh = false;  // the first block renewed the index
      if (src.status == block_source::from::changed)
        co_return sent ? block_send::cut : block_send::restart;
      if (src.status == block_source::from::failed)
        co_return sent ? block_send::cut : block_send::failed;
      auto s = co_await send_block(src, off - k * bo.size, n, prefix, timeout);
      if (s != send_status::ok) co_return block_send::cut;
      sent = true;
      prefix = {};
      off += n;
    }
  }
  if (answer.trailer.empty()) co_return block_send::ok;
  auto s = co_await send_text(stream_, answer.trailer, timeout);
  co_return s == send_status::ok ? block_send::ok : block_send::cut;
}

}  // namespace rangecache::proxy
