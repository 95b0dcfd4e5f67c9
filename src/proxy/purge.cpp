// PURGE: removing a URL's objects on demand (operators, deploy hooks).
#include "purge.hpp"

#include <spdlog/spdlog.h>

#include "rangecache/flight/commit_wait.hpp"
#include "rangecache/range/cache_key.hpp"
#include "rangecache/range/normalize.hpp"
#include "session.hpp"

namespace rangecache::proxy {

awaitable<purge_result> purge_objects(worker* w, const config::remap_rule* rule,
                                      std::string path_and_query, std::string range,
                                      std::string who) {
  purge_result result;
  if (!w->store) co_return result;
  result.url = cache_url_for(*rule, rewrite_target(*rule, path_and_query));
  // The store's writer applies purges; wait for its answer off this thread's loop.
  std::function<void(cache::purge_callback)> start;
  if (!range.empty()) {
    auto canonical = range::normalize_range(range);
    if (!canonical) {
      result.status = purge_status::bad_range;
      co_return result;
    }
    start = [store = w->store, key = range::cache_key(result.url, canonical->view())](
                cache::purge_callback done) { store->purge(key, std::move(done)); };
  } else {
    start = [store = w->store, url = result.url](cache::purge_callback done) {
      store->purge_url(url, std::move(done));
    };
  }
  asio::any_io_executor ex = w->ioc.get_executor();
  result.removed = co_await flight::purge_and_wait(ex, std::move(start));
  result.status = result.removed ? purge_status::purged : purge_status::nothing_cached;
  spdlog::info("PURGE {} from {}: {} objects", result.url, who, result.removed);
  co_return result;
}

awaitable<outcome> session::purge(const config::config& cfg, const config::remap_rule& rule,
                                  request_authority authority, access_entry& log) {
  auto& req = parser_->get();
  const bool keep = req.keep_alive();
  if (!util::any_contains(cfg.admin.purge_allow, client_ip_))
    co_return co_await send_error(403, "PURGE is not allowed from here", keep, log);
  std::string path(authority.path_and_query);
  std::string range(req[http::field::range]);
  const auto r = co_await purge_objects(w_, &rule, std::move(path), std::move(range), client_ip_);
  switch (r.status) {
    case purge_status::no_cache:
      co_return co_await send_error(404, "no cache", keep, log);
    case purge_status::bad_range:
      co_return co_await send_error(400, "PURGE takes one bytes range", false, log);
    case purge_status::nothing_cached:
      log.cache = "PURGE";
      co_return co_await send_error(404, "nothing cached for this URL", keep, log);
    case purge_status::purged:
      log.cache = "PURGE";
      break;
  }
  const std::string text = "purged " + std::to_string(r.removed) + " objects";
  co_return co_await send_error(200, text, keep, log);
}

}  // namespace rangecache::proxy
