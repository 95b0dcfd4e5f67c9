#include "admin_client.hpp"

#include <fmt/format.h>

#include "rangecache/net/asio_names.hpp"

namespace rangecache::ctl {
namespace {

using namespace rangecache::net;

std::string no_answer(const error_code& ec, std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout)
    return fmt::format("no answer within {:g} s", static_cast<double>(timeout.count()) / 1000);
  if (ec == http::error::end_of_stream || ec == asio::error::eof)
    return "the connection closed without an answer";
  return ec.message();
}

awaitable<void> exchange(asio::any_io_executor ex, tcp::endpoint to,
                         http::request<http::empty_body> req, std::chrono::milliseconds timeout,
                         admin_answer* out) {
  beast::tcp_stream stream(ex);
  stream.expires_after(timeout);
  auto [cec] = co_await stream.async_connect(to, use_tuple);
  if (cec) {
    out->error = no_answer(cec, timeout);
    co_return;
  }
  auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
  if (wec) {
    out->error = no_answer(wec, timeout);
    co_return;
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  auto [rec, rn] = co_await http::async_read(stream, buffer, res, use_tuple);
  if (rec) {
    out->error = no_answer(rec, timeout);
    co_return;
  }
  out->reached = true;
  out->status = res.result_int();
  out->body = std::move(res.body());
}

}  // namespace

admin_answer ask_admin(const admin_endpoint& ep, const admin_ask& ask,
                       std::chrono::milliseconds timeout) {
  admin_answer out;
  error_code ec;
  const auto address = asio::ip::make_address(ep.address, ec);
  if (ec) {
    out.error = "not an IP address: " + ep.address;
    return out;
  }
  http::request<http::empty_body> req{ask.post ? http::verb::post : http::verb::get, ask.target,
                                      11};
  req.set(http::field::host, ep.text);
  req.set(http::field::user_agent, "rangecache-ctl");
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : ask.fields) req.set(name, value);
  req.prepare_payload();
  asio::io_context ioc(1);
  asio::co_spawn(
      ioc,
      exchange(ioc.get_executor(), tcp::endpoint(address, ep.port), std::move(req), timeout, &out),
      [&out](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          out.reached = false;
          out.error = x.what();
        }
      });
  ioc.run();
  return out;
}

}  // namespace rangecache::ctl
