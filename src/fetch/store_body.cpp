#include "store_body.hpp"

#include "rangecache/flight/store_tee.hpp"

namespace rangecache::fetch {
namespace {

// Bytes background work may have queued to the store's writer beyond what is durable.
constexpr std::uint64_t fetch_ahead_limit = 8 << 20;

}  // namespace

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
