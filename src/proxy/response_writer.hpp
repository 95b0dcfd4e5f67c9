// The client's side of an answer whose body comes from the origin as it is read: the head
// leaves with the first body bytes (one write, one packet for a small answer), then each
// piece — or only its part inside a window, when the client gets a range cut from a larger
// body.
#pragma once

#include <chrono>
#include <cstdint>

#include "asio_fwd.hpp"
#include "rangecache/origin/client.hpp"

namespace rangecache::proxy {

class response_writer : public origin::body_sink {
 public:
  // `res` outlives the writer; `body`: whether the client gets a body at all.
  response_writer(beast::tcp_stream& stream, http::response<http::buffer_body>& res, bool body,
                  std::chrono::milliseconds timeout);

  // Only bytes [from, from + length) of the origin's body go to the client.
  void window(std::uint64_t from, std::uint64_t length);

  // The head alone, for an answer without a body (call before the relay).
  awaitable<bool> write_head();

  awaitable<bool> take(std::string_view piece, bool last) override;

  std::uint64_t sent() const { return sent_; }
  // When the head was first handed to the socket (the access log's time to first byte);
  // unset while nothing was written.
  std::chrono::steady_clock::time_point first_write() const { return first_write_; }
  bool client_failed() const { return failed_; }

 private:
  awaitable<bool> write(const char* data, std::size_t size, bool more);
  void note_first_write();

  beast::tcp_stream& stream_;
  http::response<http::buffer_body>& res_;
  http::response_serializer<http::buffer_body> serializer_;
  bool body_;
  std::chrono::milliseconds timeout_;
  std::uint64_t from_ = 0, to_ = ~std::uint64_t{0};
  std::uint64_t pos_ = 0;   // body offset read from the origin
  std::uint64_t sent_ = 0;  // body bytes written to the client
  bool failed_ = false;
  std::chrono::steady_clock::time_point first_write_{};
};

}  // namespace rangecache::proxy
