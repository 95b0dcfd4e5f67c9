#include "rangecache/origin/client.hpp"

#include <spdlog/spdlog.h>

#include "rangecache/origin/retry.hpp"

namespace rangecache::origin {
namespace {

// The ways a connection the origin has closed or dropped shows itself.
bool closed_by_origin(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

std::string_view method_of(const request& req) {
  return req.method_string();
}

}  // namespace

awaitable<error_code> client::read_head(answer& a, send_settings s) {
  // Interim 1xx answers (other than 101, which is never asked for) are dropped.
  for (;;) {
    a.parser = std::make_unique<response_parser>();
    a.parser->body_limit(boost::none);
    a.parser->header_limit(64 * 1024);
    if (s.head) a.parser->skip(true);
    a.conn->stream.expires_after(s.read_timeout);
    auto [ec, n] =
        co_await http::async_read_header(a.conn->stream, a.conn->buffer, *a.parser, use_tuple);
    if (ec) co_return ec;
    const unsigned status = a.parser->get().result_int();
    if (status == 101) co_return http::error::bad_status;
    if (status >= 200) co_return error_code{};
  }
}

awaitable<answer> client::send(endpoint to, request req, std::string body, send_settings s) {
  answer a;
  const std::string key = to.pool_key();
  const bool reusable = may_reuse(method_of(req), true);
  for (int attempt = 0;; ++attempt) {
    a.conn = attempt == 0 && reusable ? pool_.take(key, s.idle_timeout) : nullptr;
    a.reused = a.conn != nullptr;
    if (!a.conn) {
      auto connected = co_await pool_.connect(to.host, to.port, s.connect_timeout);
      if (connected.ec) {
        a.ec = connected.ec;
        co_return a;
      }
      a.conn = std::move(connected.conn);
    }
    req.body().data = body.empty() ? nullptr : body.data();
    req.body().size = body.size();
    req.body().more = false;
    a.conn->stream.expires_after(s.read_timeout);
    auto [wec, wn] = co_await http::async_write(a.conn->stream, req, use_tuple);
    failed_try f{a.reused, failure_at::request, closed_by_origin(wec)};
    error_code ec = wec;
    if (!ec) {
      ec = co_await read_head(a, s);
      f = {a.reused, failure_at::response_head, closed_by_origin(ec)};
    }
    if (!ec) co_return a;
    if (attempt == 0 && worth_retry(f)) {
      spdlog::debug("origin {}: pooled connection closed by the origin ({}), retrying", key,
                    ec.message());
      a.retried = true;
      continue;
    }
    a.ec = ec;
    a.parser.reset();
    a.conn.reset();
    co_return a;
  }
}

awaitable<error_code> client::write_streamed(answer& a, request& req, body_source& source,
                                             send_settings s) {
  http::request_serializer<http::buffer_body> sr{req};
  req.body().data = nullptr;
  req.body().size = 0;
  req.body().more = true;
  a.conn->stream.expires_after(s.read_timeout);
  auto [hec, hn] = co_await http::async_write_header(a.conn->stream, sr, use_tuple);
  if (hec) co_return hec;
  auto buffer = std::make_unique<char[]>(64 * 1024);
  for (;;) {
    auto piece = co_await source.next(buffer.get(), 64 * 1024);
    if (piece.ec) {
      a.source_failed = true;
      co_return piece.ec;
    }
    if (piece.size == 0 && !piece.done) continue;
    req.body().data = piece.size ? buffer.get() : nullptr;
    req.body().size = piece.size;
    req.body().more = !piece.done;
    a.conn->stream.expires_after(s.read_timeout);
    auto [ec, n] = co_await http::async_write(a.conn->stream, sr, use_tuple);
    if (ec && ec != http::error::need_buffer) co_return ec;
    if (piece.done) co_return error_code{};
  }
}

awaitable<answer> client::send_streamed(endpoint to, request req, body_source* source,
                                        send_settings s) {
  answer a;
  auto connected = co_await pool_.connect(to.host, to.port, s.connect_timeout);
  if (connected.ec) {
    a.ec = connected.ec;
    co_return a;
  }
  a.conn = std::move(connected.conn);
  error_code ec = co_await write_streamed(a, req, *source, s);
  if (!ec) ec = co_await read_head(a, s);
  if (ec) {
    a.ec = ec;
    a.parser.reset();
    a.conn.reset();
  }
  co_return a;
}

void client::finish(const endpoint& to, answer& a, std::size_t max_idle) {
  if (a.parser) pool_.give_back_if_reusable(to.pool_key(), a.conn, *a.parser, max_idle);
  a.conn.reset();
}

awaitable<relay_result> relay_body(answer& a, char* buffer, std::size_t capacity, body_sink& sink,
                                   std::chrono::milliseconds read_timeout) {
  relay_result r;
  auto& parser = *a.parser;
  auto& body = parser.get().body();
  bool last_taken = false;
  while (!parser.is_done()) {
    body.data = buffer;
    body.size = capacity;
    r.ec = co_await read_body_piece(*a.conn, parser, read_timeout);
    if (r.ec) co_return r;
    const std::size_t got = capacity - body.size;
    // A read may bring no body byte (a chunk header, or only the last chunk): the one that
    // completes the message must still reach the sink.
    if (got == 0 && !parser.is_done()) continue;
    r.bytes += got;
    last_taken = parser.is_done();
    const bool taken = co_await sink.take(std::string_view(buffer, got), last_taken);
    if (!taken) {
      r.stopped = true;
      co_return r;
    }
  }
  if (!last_taken) {
    const bool taken = co_await sink.take(std::string_view{}, true);
    if (!taken) r.stopped = true;
  }
  co_return r;
}

}  // namespace rangecache::origin
