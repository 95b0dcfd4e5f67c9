// PURGE: removing a URL's objects on demand (operators, deploy hooks).
#include <spdlog/spdlog.h>

#include "rangecache/flight/commit_wait.hpp"
#include "rangecache/range/cache_key.hpp"
#include "rangecache/range/normalize.hpp"
#include "session.hpp"

namespace rangecache::proxy {
awaitable<outcome> session::purge(const config::config& cfg, const config::remap_rule& rule,
                                  request_authority authority, access_entry& log) {
  auto& req = parser_->get();
  const bool keep = req.keep_alive();
  if (!util::any_contains(cfg.admin.purge_allow, client_ip_))
    co_return co_await send_error(403, "PURGE is not allowed from here", keep, log);
  if (!w_->store) co_return co_await send_error(404, "no cache", keep, log);

  auto url = cache_url_for(rule, rewrite_target(rule, authority.path_and_query));
  // The store's writer applies purges; wait for its answer off this thread's loop.
  std::function<void(cache::purge_callback)> start;
  auto range_value = req[http::field::range];
  if (!range_value.empty()) {
    auto canonical = range::normalize_range(range_value);
    if (!canonical) co_return co_await send_error(400, "PURGE takes one bytes range", false, log);
    start = [store = w_->store, key = range::cache_key(url, canonical->view())](
                cache::purge_callback done) { store->purge(key, std::move(done)); };
  } else {
    start = [store = w_->store, url](cache::purge_callback done) {
      store->purge_url(url, std::move(done));
    };
  }
  auto ex = stream_.get_executor();
  const std::uint64_t removed = co_await flight::purge_and_wait(ex, std::move(start));
  spdlog::info("PURGE {} from {}: {} objects", url, client_ip_, removed);
  log.cache = "PURGE";
  if (!removed) co_return co_await send_error(404, "nothing cached for this URL", keep, log);
  const std::string text = "purged " + std::to_string(removed) + " objects";
  co_return co_await send_error(200, text, keep, log);
}

}  // namespace rangecache::proxy
