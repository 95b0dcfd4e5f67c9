// The one way rangecache talks to an origin: pass-through, cache fills and background
// fetches all send their requests and read the answers here.
//
// A request goes out on a pooled connection (checked before reuse) only when it may be
// repeated (see retry.hpp); a pooled connection that the origin turns out to have closed
// costs one retry on a fresh connection, not an error for the client. Interim 1xx answers
// are skipped. The answer comes back with its head read and its body still on the wire, to
// be read by relay_body() through one bounded buffer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "rangecache/origin/pool.hpp"

namespace rangecache::origin {

struct endpoint {
  std::string host;  // an IP literal or a name to resolve
  std::uint16_t port = 0;
  std::string pool_key() const { return host + ":" + std::to_string(port); }
};

struct send_settings {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{30000};  // silence allowed while sending and reading
  std::chrono::milliseconds idle_timeout{30000};  // pooled connections older than this unused
  bool head = false;                              // the answer has no body, whatever it says
};

using request = http::request<http::buffer_body>;

// The origin's answer to one request: its head is read, its body is still to come.
struct answer {
  std::unique_ptr<connection> conn;
  std::unique_ptr<response_parser> parser;  // parsers cannot move
  error_code ec;         // no answer: connect failure, timeout, reset, answer that does not parse
  bool reused = false;   // it went out on a pooled connection
  bool retried = false;  // the first try failed on a pooled connection the origin had closed
  bool source_failed = false;  // a streamed body's source (the client) failed; ec is its error

  unsigned status() const { return parser ? parser->get().result_int() : 0; }
  http::response<http::buffer_body>& head() { return parser->get(); }
};

// A request body streamed from elsewhere (a client) instead of held in memory.
class body_source {
 public:
  virtual ~body_source() = default;
  struct piece {
    error_code ec;
    std::size_t size = 0;  // bytes written to `into`
    bool done = false;     // the body ended (after these bytes)
  };
  virtual awaitable<piece> next(char* into, std::size_t capacity) = 0;
};

class client {
 public:
  explicit client(asio::any_io_executor ex) : pool_(std::move(ex)) {}

  // `req` with `body` (empty: none) held in memory.
  awaitable<answer> send(endpoint to, request req, std::string body, send_settings s);
  // `req` with its body read from `source` as it is sent: it cannot be repeated, so it always
  // goes out on a fresh connection. `source` must outlive the call.
  awaitable<answer> send_streamed(endpoint to, request req, body_source* source, send_settings s);

  // Done with `a`: its connection goes back to the pool when the answer was read to the end
  // and the origin keeps it open.
  void finish(const endpoint& to, answer& a, std::size_t max_idle);

  pool& connections() { return pool_; }

 private:
  awaitable<error_code> read_head(answer& a, send_settings s);
  awaitable<error_code> write_streamed(answer& a, request& req, body_source& source,
                                       send_settings s);
  pool pool_;
};

// Where the origin's body goes, piece by piece, in order.
class body_sink {
 public:
  virtual ~body_sink() = default;
  // `last`: the body ends with this piece (it may be empty). false stops the relay: the
  // sink's side failed.
  virtual awaitable<bool> take(std::string_view piece, bool last) = 0;
};

struct relay_result {
  error_code ec;         // the origin failed mid-body
  bool stopped = false;  // the sink stopped it
  std::uint64_t bytes = 0;
};

// Reads the answer's body through `buffer` (so memory does not grow with the body) and hands
// each piece to `sink`; the last piece always reaches it, even for an empty body.
awaitable<relay_result> relay_body(answer& a, char* buffer, std::size_t capacity, body_sink& sink,
                                   std::chrono::milliseconds read_timeout);

}  // namespace rangecache::origin
