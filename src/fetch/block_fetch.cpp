#include "rangecache/fetch/block_fetch.hpp"

#include <spdlog/spdlog.h>

#include "rangecache/cache/record_meta.hpp"
#include "rangecache/cache/url_tidy.hpp"
#include "rangecache/flight/cache_meta.hpp"
#include "rangecache/origin/settings.hpp"
#include "rangecache/proxy/headers.hpp"
#include "rangecache/range/content_range.hpp"
#include "store_body.hpp"

namespace rangecache::fetch {
namespace {

using result = block_task::result;
using flight::view_response;

origin::request block_request(const block_job& j) {
  origin::request req{http::verb::get, j.target, 11};
  for (const auto& [name, value] : j.headers)
    if (!proxy::is_credential(name)) req.insert(name, value);
  req.set(http::field::range, plan::block_request_range(j.index, j.size));
  return req;
}

// What the head of a block answer says: the block's bytes and the object's identity, or why
// it is no block of an object kept as blocks.
struct block_head {
  result refusal = result::running;  // running: it is the block asked for
  cache::content_range bytes;
  plan::block_identity id;
};

// An answer is a storable block only when nothing in it is per client or per request.
bool storable_for_everyone(origin::answer& a, const block_job& j) {
  auto& res = a.head();
  auto view = view_response(206, res, j.cache_control_fields);
  cache::request_info ri;  // GET, no credentials
  return cache::check_storable(ri, view.info()) == cache::storability::storable &&
         res.find(http::field::set_cookie) == res.end() && res[http::field::vary].empty();
}

block_head inspect(origin::answer& a, const block_job& j) {
  block_head h;
  auto& res = a.head();
  if (a.status() == 200) {  // the origin ignores Range: nothing to keep as blocks
    h.refusal = result::not_blocks;
    return h;
  }
  const auto ranges = flight::field_values(res, http::field::content_range);
  const auto cr = ranges.size() == 1 ? range::parse_content_range(ranges[0]) : std::nullopt;
  if (a.status() != 206 || !cr || !cr->range || !cr->complete_length) {
    h.refusal = result::other_answer;
    return h;
  }
  const auto want = plan::block_bytes(j.index, j.size, *cr->complete_length);
  if (!want || want->first != cr->range->offset || want->last != cr->range->last()) {
    h.refusal = result::other_answer;
    return h;
  }
  h.bytes = *want;
  auto id = plan::identity_of(res[http::field::etag], res[http::field::last_modified],
                              *cr->complete_length);
  const bool small = !j.expect && *cr->complete_length < j.min_object;
  if (!id || small || !storable_for_everyone(a, j)) {
    h.refusal = result::not_blocks;
    return h;
  }
  h.id = std::move(*id);
  return h;
}

// The block index for the version this answer is of: written when the object is first seen,
// when it changed, and when the index was stale (its freshness renewed).
void write_index(const fetch_context& c, const block_job& j, origin::answer& a,
                 const cache::freshness_info& fresh, std::uint64_t total) {
  cache::fill_options fo;
  fo.expected_length = 0;
  auto index = c.store->begin_fill(j.index_key, j.url, fo);
  if (!index.active()) return;
  auto head = flight::make_meta(200, a.head(), 0, fresh, std::nullopt);
  const auto error = index.commit(cache::block_index_meta(std::move(head), total), {});
  if (error != cache::fill_error::none)
    spdlog::debug("block index of {} not stored: {}", j.url, cache::to_string(error));
}

// The version the block is of, settled among every fetch of the URL: an older one is not
// stored; a newer one drops the old version's blocks and index before anything of it is
// stored.
result settle_version(const fetch_context& c, const block_job& j, const block_head& h,
                      std::uint64_t seq) {
  const auto v = c.blocks->observe(j.url, h.id, seq, j.expect);
  if (v == flight::block_state::verdict::older) return result::older;
  if (v == flight::block_state::verdict::newer || (j.expect && *j.expect != h.id)) {
    const bool etag = !h.id.validator.starts_with("lm:");
    c.store->tidy_url(j.url, cache::redundant_ranges({}, etag ? h.id.validator : std::string{}));
  }
  return result::running;
}

awaitable<result> store_block(fetch_context c, block_job j, origin::answer& a,
                              cache::exchange_times times, block_head h) {
  auto cfg = c.config();
  const auto fresh =
      cache::analyze_freshness(view_response(206, a.head(), j.cache_control_fields).info(), times,
                               flight::freshness_policy_of(cfg->cache));
  if (!j.expect || j.refresh || *j.expect != h.id) write_index(c, j, a, fresh, h.id.total);
  cache::fill_options fo;
  fo.expected_length = h.bytes.last - h.bytes.first + 1;
  auto fill = c.store->begin_fill(j.key, j.url, fo);
  if (!fill.active()) {
    spdlog::debug("block {} of {} not stored: {}", j.index, j.url, cache::to_string(fill.error()));
    co_return result::failed;
  }
  auto meta = flight::make_meta(206, a.head(), *fo.expected_length, fresh, h.bytes);
  publish_fill(c, j.key, j.url, fill, meta, j.task->claim);
  // A cancelled read-ahead block stops at its next piece, as a daemon shutting down would.
  fetch_context own = c;
  own.draining = &j.task->claim->cancel;
  auto out = co_await store_body(own, a, fill, std::move(meta));
  j.task->origin_bytes.store(out.bytes, std::memory_order_relaxed);
  if (out.ok) co_return result::stored;
  spdlog::debug("block {} of {} not stored: {}", j.index, j.url, out.result);
  co_return j.task->claim->cancel.load() ? result::cancelled : result::failed;
}

awaitable<result> fetch_once(fetch_context c, block_job j) {
  if (j.task->claim->cancel.load()) co_return result::cancelled;
  auto cfg = c.config();
  const origin::endpoint to{j.host, j.port};
  const auto seq = c.blocks->start_fetch();
  cache::exchange_times times;
  times.request_time = c.clock->now();
  auto req = block_request(j);
  auto a = co_await send_for_cache(c, to, std::move(req));
  if (a.ec) co_return result::failed;
  // Called off while the origin was answering: nothing of it is wanted any more.
  if (j.task->claim->cancel.load()) co_return result::cancelled;
  times.response_time = c.clock->now();
  flight::add_missing_date(a.head(), times.response_time);
  auto h = inspect(a, j);
  if (h.refusal == result::not_blocks)
    c.blocks->mark_not_blocks(j.url, std::chrono::steady_clock::now() + std::chrono::minutes(1));
  if (h.refusal != result::running) co_return h.refusal;
  if (auto r = settle_version(c, j, h, seq); r != result::running) co_return r;
  auto r = co_await store_block(c, j, a, times, std::move(h));
  if (r == result::stored) c.origins->finish(to, a, cfg->upstream.max_idle_per_origin);
  co_return r;
}

}  // namespace

awaitable<void> fetch_block(fetch_context ctx, block_job j) {
  auto r = result::failed;
  try {
    r = co_await fetch_once(ctx, j);
  } catch (const std::exception& e) {
    spdlog::error("block fetch of {} ended by exception: {}", j.url, e.what());
  }
  j.task->outcome.store(r);
  ctx.inflight->finish(j.key);
  if (j.done) j.done(*j.task);
}

}  // namespace rangecache::fetch
