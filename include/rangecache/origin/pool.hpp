// Keep-alive connections to origins, one pool per worker (its io_context only: no locks).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rangecache/net/asio_names.hpp"

namespace rangecache::origin {

using namespace rangecache::net;

struct connection {
  explicit connection(asio::any_io_executor ex) : stream(std::move(ex)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;  // read-ahead bytes belong to this connection
  std::chrono::steady_clock::time_point idle_since{};
  bool reused = false;
};

using response_parser = http::response_parser<http::buffer_body>;

// Reads the next piece of an answer's body into the parser's buffer: at least one byte (or
// the end), then whatever has already arrived, up to the buffer's size. The timeout is armed
// afresh for each read, so it bounds the silence between bytes, not the time a slow origin
// takes to fill the buffer; taking what is already here keeps the pieces large.
awaitable<error_code> read_body_piece(connection& conn, response_parser& parser,
                                      std::chrono::milliseconds timeout);

struct connect_result {
  std::unique_ptr<connection> conn;
  error_code ec;
};

class pool {
 public:
  explicit pool(asio::any_io_executor ex) : ex_(std::move(ex)) {}

  // The most recently parked connection still young enough and untouched by the origin since
  // (no stray byte, no close), or nullptr.
  std::unique_ptr<connection> take(const std::string& key, std::chrono::milliseconds idle_timeout);

  // A fresh connection; ec is beast::error::timeout past the connect timeout.
  awaitable<connect_result> connect(std::string host, std::uint16_t port,
                                    std::chrono::milliseconds timeout);

  // Parks `conn` for reuse, unless the pool is full or bytes already follow its last answer.
  void give_back(const std::string& key, std::unique_ptr<connection> conn, std::size_t max_idle);

  // Parks `conn` only when its answer was read to the end and the origin keeps it open (a
  // half-read or closing connection would hand the next request someone else's bytes);
  // give_back() then checks that nothing followed the answer.
  void give_back_if_reusable(const std::string& key, std::unique_ptr<connection>& conn,
                             const response_parser& parser, std::size_t max_idle) {
    if (conn && parser.is_done() && parser.keep_alive() && !parser.need_eof())
      give_back(key, std::move(conn), max_idle);
  }

  void clear() { idle_.clear(); }
  std::size_t idle_count() const;

 private:
  asio::any_io_executor ex_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<connection>>> idle_;
};

}  // namespace rangecache::origin
