// Keep-alive connections to origins, one pool per worker (its io_context only: no locks).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "asio_fwd.hpp"

namespace rangecache::proxy {

struct upstream_conn {
  explicit upstream_conn(asio::any_io_executor ex) : stream(std::move(ex)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;  // read-ahead bytes belong to this connection
  std::chrono::steady_clock::time_point idle_since{};
  bool reused = false;
};

// Reads the next piece of an answer's body into the parser's buffer: at least one byte (or
// the end), then whatever has already arrived, up to the buffer's size. The timeout is armed
// afresh for each read, so it bounds the silence between bytes, not the time a slow origin
// takes to fill the buffer; taking what is already here keeps the pieces large.
awaitable<error_code> read_body_piece(upstream_conn& conn,
                                      http::response_parser<http::buffer_body>& parser,
                                      std::chrono::milliseconds timeout);

struct connect_result {
  std::unique_ptr<upstream_conn> conn;
  error_code ec;
};

class upstream_pool {
 public:
  explicit upstream_pool(asio::any_io_executor ex) : ex_(std::move(ex)) {}

  // The most recently parked connection still young enough and untouched by the origin since
  // (no stray byte, no close), or nullptr.
  std::unique_ptr<upstream_conn> take(const std::string& key,
                                      std::chrono::milliseconds idle_timeout);

  // A fresh connection; ec is beast::error::timeout past the connect timeout.
  awaitable<connect_result> connect(std::string host, std::uint16_t port,
                                    std::chrono::milliseconds timeout);

  // Parks `conn` for reuse, unless the pool is full or bytes already follow its last answer.
  void give_back(const std::string& key, std::unique_ptr<upstream_conn> conn, std::size_t max_idle);

  // Parks `conn` only when its answer was read to the end and the origin keeps it open (a
  // half-read or closing connection would hand the next request someone else's bytes);
  // give_back() then checks that nothing followed the answer.
  template <class Parser>
  void give_back_if_reusable(const std::string& key, std::unique_ptr<upstream_conn>& conn,
                             const Parser& parser, std::size_t max_idle) {
    if (conn && parser.is_done() && parser.keep_alive() && !parser.need_eof())
      give_back(key, std::move(conn), max_idle);
  }

  void clear() { idle_.clear(); }
  std::size_t idle_count() const;

 private:
  asio::any_io_executor ex_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<upstream_conn>>> idle_;
};

}  // namespace rangecache::proxy
