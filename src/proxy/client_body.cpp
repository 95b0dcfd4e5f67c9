#include "client_body.hpp"

namespace rangecache::proxy {

bool malformed_body(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
         ec != http::error::partial_message && ec != http::error::end_of_stream;
}

awaitable<origin::body_source::piece> client_body_reader::next(char* into, std::size_t capacity) {
  piece p;
  if (parser_.is_done()) {
    p.done = true;
    co_return p;
  }
  auto& body = parser_.get().body();
  body.data = into;
  body.size = capacity;
  // read_some: the idle timeout is for silence between bytes, not for a full buffer.
  stream_.expires_after(idle_timeout_);
  auto [ec, n] = co_await http::async_read_some(stream_, buffer_, parser_, use_tuple);
  if (ec == http::error::need_buffer) ec = {};
  p.ec = ec;
  p.size = capacity - body.size;
  p.done = !ec && parser_.is_done();
  co_return p;
}

awaitable<bool> client_body_reader::read_all(std::string* out, error_code* ec) {
  char buffer[16 * 1024];
  for (;;) {
    auto p = co_await next(buffer, sizeof buffer);
    if (p.ec) {
      *ec = p.ec;
      co_return false;
    }
    out->append(buffer, p.size);
    if (p.done) co_return true;
  }
}

}  // namespace rangecache::proxy
