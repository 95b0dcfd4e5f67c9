// PURGE: removing a URL's objects on demand (operators, deploy hooks).
#include <spdlog/spdlog.h>

#include "rangecache/range/cache_key.hpp"
#include "rangecache/range/normalize.hpp"
#include "session.hpp"

namespace rangecache::proxy {

awaitable<outcome> session::purge(const config::config& cfg, const config::remap_rule& rule,
                                  request_authority authority, access_entry& log) {
  auto& req = parser_->get();
  bool allowed = false;
  for (const auto& net : cfg.admin.purge_allow) allowed = allowed || net.contains(client_ip_);
  if (!allowed)
    co_return co_await send_error(403, "PURGE is not allowed from here", req.keep_alive(), log);
  if (!w_->store) co_return co_await send_error(404, "no cache", req.keep_alive(), log);

  auto url = cache_url_for(rule, rewrite_target(rule, authority.path_and_query));
  std::uint64_t removed = 0;
  // The store's writer applies purges; wait for its answer off this thread's loop.
  auto wake = std::make_shared<asio::steady_timer>(stream_.get_executor());
  wake->expires_after(std::chrono::seconds(10));
  auto count = std::make_shared<std::uint64_t>(0);
  auto exec = stream_.get_executor();
  auto done = [wake, count, exec](std::uint64_t n) {
    asio::post(exec, [wake, count, n] {
      *count = n;
      wake->cancel();
    });
  };
  auto range_value = req[http::field::range];
  if (!range_value.empty()) {
    auto canonical = range::normalize_range(range_value);
    if (!canonical) co_return co_await send_error(400, "PURGE takes one bytes range", false, log);
    w_->store->purge(range::cache_key(url, canonical->view()), done);
  } else {
    w_->store->purge_url(url, done);
  }
  co_await wake->async_wait(use_tuple);
  removed = *count;
  spdlog::info("PURGE {} from {}: {} objects", url, client_ip_, removed);
  log.cache = "PURGE";
  co_return co_await send_error(
      removed ? 200 : 404,
      removed ? "purged " + std::to_string(removed) + " objects" : "nothing cached for this URL",
      req.keep_alive(), log);
}

}  // namespace rangecache::proxy
