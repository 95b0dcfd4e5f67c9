#include "admin.hpp"

#include "metrics_text.hpp"
#include "owner_page.hpp"

#include <spdlog/spdlog.h>

namespace rangecache::proxy {
namespace {

awaitable<void> admin_session(worker* w, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(8192);
    parser.body_limit(4096);
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) break;
    auto& req = parser.get();
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::server, "rangecache");
    res.set(http::field::cache_control, "no-store");
    auto target = req.target();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.body() = "405 method not allowed\n";
    } else if (target == "/health") {
      res.set(http::field::content_type, "text/plain");
      res.body() = w->shared->draining.load() ? "draining\n" : "ok\n";
      if (w->shared->draining.load()) res.result(http::status::service_unavailable);
    } else if (target == "/metrics") {
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      const auto now = w->shared->clock->now();
      res.body() = metrics_text(w->shared->totals(), w->store, w->shared->fetches,
                                w->shared->parents.snapshot(now));
    } else if (target.starts_with("/owner?")) {
      auto page = owner_of_url(*w->shared->config_now(), w->shared->parents,
                               w->shared->clock->now(), target.substr(7));
      res.result(page.status);
      res.set(http::field::content_type, "application/json");
      res.body() = std::move(page.body);
    } else {
      res.result(http::status::not_found);
      res.body() = "404 not found\n";
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();
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
