#include "admin.hpp"

#include <array>

#include "admin_routes.hpp"
#include "metrics_text.hpp"
#include "owner_page.hpp"
#include "rangecache/util/url_query.hpp"

namespace rangecache::proxy {

std::span<const admin_route> admin_routes() {
  static constexpr std::array routes = {
      admin_route{"/health", http::verb::get, admin_health},
      admin_route{"/metrics", http::verb::get, admin_metrics},
      admin_route{"/owner", http::verb::get, admin_owner},
      admin_route{"/purge", http::verb::post, admin_purge},
      admin_route{"/reload", http::verb::post, admin_reload},
  };
  return routes;
}

void admin_reply(admin_response& res, unsigned status, std::string_view text) {
  res.result(static_cast<http::status>(status));
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::to_string(status);
  res.body().append(" ").append(text).append("\n");
}

awaitable<void> admin_health(admin_call call) {
  const bool draining = call.w->shared->draining.load();
  call.res->set(http::field::content_type, "text/plain");
  call.res->body() = draining ? "draining\n" : "ok\n";
  if (draining) call.res->result(http::status::service_unavailable);
  co_return;
}

awaitable<void> admin_metrics(admin_call call) {
  call.res->set(http::field::content_type, "text/plain; version=0.0.4");
  const auto now = call.w->shared->clock->now();
  auto& shared = *call.w->shared;
  const request_totals requests = shared.request_sums();
  metrics_extra extra;
  extra.requests = &requests;
  extra.rule_names = shared.series.names();
  extra.fills_in_flight = shared.inflight.size();
  extra.fill_waiters = shared.inflight.waiters();
  extra.cache_max_bytes = shared.config_now()->cache.max_size;
  call.res->body() = metrics_text(shared.totals(), call.w->store, shared.fetches,
                                  shared.parents.snapshot(now), extra);
  co_return;
}

awaitable<void> admin_owner(admin_call call) {
  auto page = owner_of_url(*call.w->shared->config_now(), call.w->shared->parents,
                           call.w->shared->clock->now(), call.req->target());
  call.res->result(page.status);
  call.res->set(http::field::content_type, "application/json");
  call.res->body() = std::move(page.body);
  co_return;
}

namespace {

// The route for the request's path; a known path asked with the wrong method gets 405 with
// the one it takes.
awaitable<void> dispatch(admin_call call) {
  const auto path = util::target_path(call.req->target());
  const auto method = call.req->method();
  for (const auto& route : admin_routes()) {
    if (route.path != path) continue;
    const bool get_route = route.method == http::verb::get;
    if (method == route.method || (get_route && method == http::verb::head)) {
      co_await route.handle(std::move(call));
      co_return;
    }
    call.res->set(http::field::allow, get_route ? "GET, HEAD" : "POST");
    admin_reply(*call.res, 405, "method not allowed");
    co_return;
  }
  admin_reply(*call.res, 404, "not found");
}

std::string peer_address(const beast::tcp_stream& stream) {
  error_code ec;
  auto ep = stream.socket().remote_endpoint(ec);
  if (ec) return {};
  auto address = ep.address();
  // An IPv4 client of a dual-stack socket arrives as ::ffff:a.b.c.d; allow lists name it
  // in dotted form.
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return address.to_string();
}

awaitable<void> admin_session(worker* w, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  const std::string peer = peer_address(stream);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(8192);
    parser.body_limit(4096);
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) break;
    const auto& req = parser.get();
    admin_response res{http::status::ok, 11};
    res.set(http::field::server, "rangecache");
    res.set(http::field::cache_control, "no-store");
    admin_call call{w, &req, peer, &res};
    co_await dispatch(std::move(call));
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();
    stream.expires_after(std::chrono::seconds(30));
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !req.keep_alive()) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

awaitable<void> admin_accept_loop(worker* w, tcp::acceptor* acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      co_await accept_failed(w, ec);
      continue;
    }
    asio::co_spawn(w->ioc, admin_session(w, std::move(socket)), asio::detached);
  }
}

}  // namespace rangecache::proxy
