#include "response_writer.hpp"

#include <algorithm>

namespace rangecache::proxy {

response_writer::response_writer(beast::tcp_stream& stream, http::response<http::buffer_body>& res,
                                 bool body, std::chrono::milliseconds timeout)
    : stream_(stream), res_(res), serializer_(res), body_(body), timeout_(timeout) {
  res_.body().data = nullptr;
  res_.body().size = 0;
  res_.body().more = body;
}

void response_writer::note_first_write() {
  if (first_write_ == std::chrono::steady_clock::time_point{})
    first_write_ = std::chrono::steady_clock::now();
}

void response_writer::window(std::uint64_t from, std::uint64_t length) {
  from_ = from;
  to_ = from + length;
}

awaitable<bool> response_writer::write_head() {
  note_first_write();
  stream_.expires_after(timeout_);
  auto [ec, n] = co_await http::async_write_header(stream_, serializer_, use_tuple);
  failed_ = static_cast<bool>(ec);
  co_return !ec;
}

awaitable<bool> response_writer::write(const char* data, std::size_t size, bool more) {
  // Beast only reads the bytes; buffer_body just has no const pointer.
  res_.body().data = const_cast<char*>(data);
  res_.body().size = size;
  res_.body().more = more;
  note_first_write();
  stream_.expires_after(timeout_);
  auto [ec, n] = co_await http::async_write(stream_, serializer_, use_tuple);
  if (ec == http::error::need_buffer) ec = {};
  failed_ = static_cast<bool>(ec);
  co_return !ec;
}

awaitable<bool> response_writer::take(std::string_view piece, bool last) {
  const std::uint64_t base = pos_;
  pos_ += piece.size();
  if (!body_) co_return true;
  const std::uint64_t from = std::max(base, from_);
  const std::uint64_t to = std::min(pos_, to_);
  if (from < to) {
    const bool ok = co_await write(piece.data() + (from - base), to - from, true);
    if (!ok) co_return false;
    sent_ += to - from;
  }
  if (!last) co_return true;
  co_return co_await write(nullptr, 0, false);
}

}  // namespace rangecache::proxy
