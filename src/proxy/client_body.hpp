// The client's request body, read piece by piece for the origin client: streamed to the
// origin as it arrives, or read whole first when it is small enough to be sent again.
#pragma once

#include <chrono>
#include <string>

#include "asio_fwd.hpp"
#include "rangecache/origin/client.hpp"

namespace rangecache::proxy {

using request_parser = http::request_parser<http::buffer_body>;

class client_body_reader : public origin::body_source {
 public:
  // All three belong to the client's session and outlive the reader. `idle_timeout` bounds
  // the client's silence between pieces.
  client_body_reader(beast::tcp_stream& stream, beast::flat_buffer& buffer, request_parser& parser,
                     std::chrono::milliseconds idle_timeout)
      : stream_(stream), buffer_(buffer), parser_(parser), idle_timeout_(idle_timeout) {}

  awaitable<piece> next(char* into, std::size_t capacity) override;

  // The whole body into `out`; false (with the error in `ec`) when the client failed.
  awaitable<bool> read_all(std::string* out, error_code* ec);

 private:
  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  request_parser& parser_;
  std::chrono::milliseconds idle_timeout_;
};

// A request body that does not parse (broken chunk framing), as opposed to a client that
// went away or stalled: the one client failure that can still be answered.
bool malformed_body(const error_code& ec);

}  // namespace rangecache::proxy
