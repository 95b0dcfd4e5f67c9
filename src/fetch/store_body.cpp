#include "store_body.hpp"

#include "rangecache/flight/store_tee.hpp"
#include "rangecache/origin/settings.hpp"

namespace rangecache::fetch {
namespace {

// Bytes background work may have queued to the store's writer beyond what is durable.
constexpr std::uint64_t fetch_ahead_limit = 8 << 20;

}  // namespace

void publish_fill(const fetch_context& c, const std::string& key, const std::string& url,
                  const cache::fill& fill, const cache::object_meta& meta,
                  std::shared_ptr<flight::fetch_claim> claim) {
  auto st = std::make_shared<flight::inflight_stream>();
  st->object.key = key;
  st->object.url = url;
  st->object.meta = meta;
  st->object.ref = fill.progress_ref();
  st->progress = fill.progress();
  st->claim = std::move(claim);
  c.inflight->publish(key, std::move(st));
}

awaitable<origin::answer> send_for_cache(fetch_context c, origin::endpoint to,
                                         origin::request req) {
  auto cfg = c.config();
  std::string no_body;
  co_return co_await c.origins->send(to, std::move(req), std::move(no_body),
                                     origin::settings_for(cfg->upstream));
}

awaitable<fetch_outcome> store_body(fetch_context c, origin::answer& a, cache::fill& fill,
                                    cache::object_meta meta) {
  fetch_outcome out;
  auto cfg = c.config();
  flight::tee_options to;
  to.ahead_limit = fetch_ahead_limit;
  to.stop = c.draining;
  flight::store_tee tee(c.ex, fill, meta, nullptr, to);
  // Bounded buffer: a multi-GiB object passes through 64 KiB at a time.
  auto buf = std::make_unique<char[]>(64 * 1024);
  auto r = co_await origin::relay_body(a, buf.get(), 64 * 1024, tee, cfg->upstream.read_timeout);
  out.bytes = r.bytes;
  if (r.ec) {
    out.result = "body: " + r.ec.message();
  } else if (c.draining->load(std::memory_order_relaxed)) {
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

}  // namespace rangecache::fetch
