// Block mode: getting one block for a request (stored, or from the one fetch of it that
// every request needing it shares), and fetching blocks ahead of sequential readers.
#include <spdlog/spdlog.h>

#include "rangecache/range/cache_key.hpp"
#include "session.hpp"

namespace rangecache::proxy {
namespace {

// Read-ahead fetches the whole daemon runs at once, whatever the number of readers.
constexpr std::uint32_t read_ahead_limit = 64;

bool stream_fits(const inflight_stream& st, const block_object& bo, std::uint64_t k) {
  return plan::block_fits(st.object.meta, bo.id, k, bo.size);
}

}  // namespace

bool session::version_changed(const cache_request& cr, const block_object& bo) {
  const auto latest = w_->shared->blocks.current(cr.url);
  return latest && *latest != bo.id;
}

bool session::stored_block(const std::string& key, const block_object& bo, std::uint64_t k,
                           cache::cached_object& out) {
  return w_->reader->lookup(key, out) == cache::lookup_status::hit &&
         plan::block_fits(out.meta, bo.id, k, bo.size);
}

awaitable<flight::follow_result> session::follow_block_fetch(
    const config::config& cfg, const config::remap_rule& rule, const request_authority& authority,
    const cache_request& cr, std::string key, std::uint64_t k,
    std::optional<plan::block_identity> expect, bool refresh,
    std::function<bool(const inflight_stream&)> usable, std::shared_ptr<fetch::block_task>* own) {
  auto& inflight = w_->shared->inflight;
  auto waiter = std::make_shared<inflight_waiter>(stream_.get_executor());
  auto role = inflight.join(key, waiter);
  // The first to ask starts the fetch (which finishes the key), then waits on it like
  // everyone else.
  if (role == inflight_table::role::lead) {
    auto task = spawn_block_fetch(rule, authority, cr, k, std::move(expect), refresh, false);
    if (own) *own = std::move(task);
    role = inflight.join(key, waiter);
  }
  if (role != inflight_table::role::follow) co_return flight::follow_result{};
  const auto deadline = std::chrono::steady_clock::now() + block_wait(cfg);
  co_return co_await flight::follow(inflight, key, waiter, deadline, std::move(usable));
}

awaitable<block_source> session::obtain_block(const config::config& cfg,
                                              const config::remap_rule& rule,
                                              const request_authority& authority,
                                              const cache_request& cr, const block_object& bo,
                                              std::uint64_t k, bool refresh) {
  block_source out;
  const auto key = range::block_key(cr.full_key, bo.size, k);
  // A fetch of another version may be under way for the key (an old one, finishing after
  // the object changed): wait for it to end rather than stream it, unless the object has
  // changed from what this request answers from.
  std::function<bool(const inflight_stream&)> usable = [&](const inflight_stream& st) {
    return stream_fits(st, bo, k) || version_changed(cr, bo);
  };
  for (int attempt = 0; attempt < 3; ++attempt, refresh = false) {
    if (!refresh && stored_block(key, bo, k, out.stored)) {
      w_->metrics.count_block(rule.metrics_series, block_event::hit);
      count_read_ahead_use(key);
      out.status = block_source::from::stored;
      co_return out;
    }
    auto r = co_await follow_block_fetch(cfg, rule, authority, cr, key, k, bo.id, refresh, usable,
                                         nullptr);
    if (r.stream && stream_fits(*r.stream, bo, k)) {
      w_->metrics.count_block(rule.metrics_series, block_event::miss);
      count_read_ahead_use(key);
      out.stream = std::move(r.stream);
      out.status = block_source::from::stream;
      co_return out;
    }
    if (!r.finished || version_changed(cr, bo)) break;  // no head in time, or a new version
  }
  out.status = version_changed(cr, bo) ? block_source::from::changed : block_source::from::failed;
  co_return out;
}

awaitable<send_status> session::send_block(const block_source& src, std::uint64_t offset,
                                           std::uint64_t length, std::string_view prefix,
                                           std::chrono::milliseconds timeout) {
  if (!src.stream)
    co_return co_await send_stored(stream_, *w_->reader, src.stored.ref, offset, length, prefix,
                                   timeout);
  // Streaming from a fetch keeps it from being called off while these bytes are sent.
  const auto& claim = src.stream->claim;
  if (claim) claim->users.fetch_add(1);
  auto s = co_await send_stored(stream_, *w_->reader, src.stream->object.ref, offset, length,
                                prefix, timeout, src.stream->progress.get());
  if (claim) claim->users.fetch_sub(1);
  co_return s;
}

std::shared_ptr<fetch::block_task> session::spawn_block_fetch(
    const config::remap_rule& rule, const request_authority& authority, const cache_request& cr,
    std::uint64_t k, std::optional<plan::block_identity> expect, bool refresh, bool ahead) {
  fetch::block_job j;
  j.url = cr.url;
  j.index_key = cr.full_key;
  j.key = range::block_key(cr.full_key, rule.blocks->size, k);
  j.target = cr.target;
  j.host = rule.to_host;
  j.port = rule.to_port;
  j.headers = headers_for_cache(rule, authority);
  j.cache_control_fields = rule.cache_control_fields;
  route_to_owner(rule, j.host, j.port, j.target, j.headers);
  j.size = rule.blocks->size;
  j.index = k;
  j.min_object = rule.blocks->min_object;
  j.expect = std::move(expect);
  j.refresh = refresh;
  j.task = std::make_shared<fetch::block_task>();
  auto task = j.task;
  j.done = [w = w_, series = rule.metrics_series, ahead, key = j.key](const fetch::block_task& t) {
    w->metrics.add_origin_bytes(series, t.origin_bytes.load());
    if (!ahead) return;
    w->shared->blocks.end_read_ahead();
    // Fetched ahead and not stored: wasted, and no longer waiting to be used.
    if (t.outcome.load() != fetch::block_task::result::stored &&
        w->shared->blocks.take_read_ahead(key))
      w->metrics.count_block(series, block_event::read_ahead_wasted);
  };
  asio::co_spawn(w_->ioc, fetch::fetch_block(fetch_context_of(w_), std::move(j)),
                 [](std::exception_ptr e) {
                   if (e) spdlog::error("block fetch ended by an exception");
                 });
  return task;
}

void session::read_ahead(const config::remap_rule& rule, const request_authority& authority,
                         const cache_request& cr, const block_object& bo,
                         const plan::answer_plan& answer) {
  auto& blocks = w_->shared->blocks;
  const auto now = w_->shared->clock->now();
  const auto first = answer.parts.front().offset;
  const auto end = answer.parts.back().offset + answer.parts.back().length;
  const auto by_address = blocks.last_read(client_ip_);
  const bool here = plan::continues(last_read_, cr.url, first, now);
  const bool there = !here && by_address && plan::continues(*by_address, cr.url, first, now);
  last_read_ = {cr.url, end, now};
  blocks.note_read(client_ip_, last_read_);
  if (!here && !there) return;
  read_by_address_ = there;
  std::erase_if(read_ahead_tasks_, [](const auto& t) {
    return t->outcome.load() != fetch::block_task::result::running;
  });
  const auto span = plan::read_ahead_span((end - 1) / bo.size, rule.blocks->read_ahead, bo.count);
  for (auto k = span.first; k < span.first + span.count; ++k) {
    if (read_ahead_tasks_.size() >= rule.blocks->read_ahead) break;
    if (!start_read_ahead(rule, authority, cr, bo, k)) break;
  }
}

// false: the daemon-wide bound is reached.
bool session::start_read_ahead(const config::remap_rule& rule, const request_authority& authority,
                               const cache_request& cr, const block_object& bo, std::uint64_t k) {
  const auto key = range::block_key(cr.full_key, bo.size, k);
  if (stored_block(key, bo, k, lookup_range_)) return true;
  auto& blocks = w_->shared->blocks;
  if (!blocks.try_start_read_ahead(read_ahead_limit)) return false;
  if (w_->shared->inflight.try_lead(key) != inflight_table::role::lead) {
    blocks.end_read_ahead();  // already being fetched
    return true;
  }
  read_ahead_tasks_.push_back(spawn_block_fetch(rule, authority, cr, k, bo.id, false, true));
  w_->metrics.count_block(rule.metrics_series, block_event::read_ahead_fetched);
  if (auto dropped = blocks.note_read_ahead(key, rule.metrics_series))
    w_->metrics.count_block(*dropped, block_event::read_ahead_wasted);
  return true;
}

void session::fetch_ahead_in_answer(const config::remap_rule& rule,
                                    const request_authority& authority, const cache_request& cr,
                                    const block_object& bo, std::uint64_t first,
                                    std::uint64_t last) {
  for (auto k = first; k <= last; ++k) {
    const auto key = range::block_key(cr.full_key, bo.size, k);
    if (stored_block(key, bo, k, lookup_range_)) continue;
    if (w_->shared->inflight.try_lead(key) == inflight_table::role::lead)
      spawn_block_fetch(rule, authority, cr, k, bo.id, false, false);
  }
}

void session::count_read_ahead_use(const std::string& key) {
  if (auto rule = w_->shared->blocks.take_read_ahead(key))
    w_->metrics.count_block(*rule, block_event::read_ahead_used);
}

}  // namespace rangecache::proxy
