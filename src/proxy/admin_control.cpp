// The admin endpoints that change state: purging a URL and reloading the config. Both are
// POST only, and each has its own rule for who may ask.
#include <optional>

#include "admin_routes.hpp"
#include "purge.hpp"
#include "rangecache/proxy/remap.hpp"
#include "rangecache/util/url_query.hpp"

namespace rangecache::proxy {
namespace {

// A reload changes everything the daemon does: only someone on this machine, who could
// send SIGHUP anyway, may ask for one.
bool from_this_machine(std::string_view peer) {
  static const std::vector<util::cidr> loopback = {*util::cidr::parse("127.0.0.0/8"),
                                                   *util::cidr::parse("::1/128")};
  return util::any_contains(loopback, peer);
}

struct reload_wait {
  explicit reload_wait(asio::any_io_executor ex) : timer(std::move(ex)) {}
  asio::steady_timer timer;
  std::optional<reload_outcome> outcome;
};

// A reload resolves the remap origins' names: give it time, but not forever.
constexpr auto reload_bound = std::chrono::seconds(60);

void reply_purged(admin_response& res, const purge_result& r) {
  switch (r.status) {
    case purge_status::purged:
      return admin_reply(res, 200, "purged " + std::to_string(r.removed) + " objects of " + r.url);
    case purge_status::nothing_cached:
      return admin_reply(res, 404, "nothing cached for " + r.url);
    case purge_status::bad_range:
      return admin_reply(res, 400, "the Range must be one bytes range, like bytes=0-99");
    case purge_status::no_cache:
      return admin_reply(res, 404, "this server has no cache");
  }
}

}  // namespace

awaitable<void> admin_purge(admin_call call) {
  auto cfg = call.w->shared->config_now();
  if (!util::any_contains(cfg->admin.purge_allow, call.peer)) {
    admin_reply(*call.res, 403,
                "purging is not allowed from " + call.peer + " (admin.purge_allow)");
    co_return;
  }
  const auto url = util::query_param(call.req->target(), "url");
  if (!url || url->empty()) {
    admin_reply(*call.res, 400, "name the URL to purge: POST /purge?url=URL (percent-encoded)");
    co_return;
  }
  auto authority = parse_authority(*url, {});
  if (!authority) {
    admin_reply(*call.res, 400, "not an http:// URL with a host and a path: " + *url);
    co_return;
  }
  // The same URL a client request would be read as, dot segments and all.
  std::string path(authority->path_and_query);
  if (auto normal = normalize_path(path)) path = std::move(*normal);
  const auto* rule = match_rule(cfg->remap, *authority);
  if (!rule) {
    admin_reply(*call.res, 400, "no remap rule matches " + *url);
    co_return;
  }
  std::string range((*call.req)[http::field::range]);
  const auto r = co_await purge_objects(call.w, rule, std::move(path), std::move(range), call.peer);
  reply_purged(*call.res, r);
}

awaitable<void> admin_reload(admin_call call) {
  if (!from_this_machine(call.peer)) {
    admin_reply(*call.res, 403, "reload is accepted from this machine only (loopback)");
    co_return;
  }
  asio::any_io_executor ex = call.w->ioc.get_executor();
  auto wait = std::make_shared<reload_wait>(ex);
  wait->timer.expires_after(reload_bound);
  const bool asked = call.w->shared->reloads.ask([wait, ex](const reload_outcome& outcome) {
    asio::post(ex, [wait, outcome] {
      wait->outcome = outcome;
      wait->timer.cancel();
    });
  });
  if (!asked) {
    admin_reply(*call.res, 503, "this process cannot reload its config");
    co_return;
  }
  co_await wait->timer.async_wait(use_tuple);  // ends when answered or at the bound
  if (!wait->outcome) {
    admin_reply(*call.res, 504, "the reload did not finish in time");
    co_return;
  }
  admin_reply(*call.res, wait->outcome->ok ? 200 : 500, wait->outcome->message);
}

}  // namespace rangecache::proxy
