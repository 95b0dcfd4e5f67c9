#include "rangecache/origin/pool.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace rangecache::origin {
namespace {

// Between two answers an origin has nothing to say. Bytes waiting on the socket are stray
// (an answer longer than it announced, late): whatever came after them would be read as the
// answer to the next request. End of stream means the origin closed it. Either way the
// connection is done for. A non-blocking peek tells without consuming anything.
bool poisoned(connection& conn) {
  if (conn.buffer.size() != 0) return true;
  char byte;
  const auto n = ::recv(conn.stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n >= 0) return true;  // data, or 0 for the origin's FIN
  return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

}  // namespace

awaitable<error_code> read_body_piece(connection& conn, response_parser& parser,
                                      std::chrono::milliseconds timeout) {
  for (;;) {
    conn.stream.expires_after(timeout);
    auto [ec, n] = co_await http::async_read_some(conn.stream, conn.buffer, parser, use_tuple);
    if (ec == http::error::need_buffer) co_return error_code{};  // the buffer is full
    if (ec || parser.is_done() || parser.get().body().size == 0) co_return ec;
    // Read on only while the socket has bytes: a read now completes at once, whereas bytes
    // buffered here may be half a chunk header that has to wait for the origin.
    error_code ignored;
    if (conn.stream.socket().available(ignored) == 0) co_return ec;
  }
}

std::unique_ptr<connection> pool::take(const std::string& key,
                                       std::chrono::milliseconds idle_timeout) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  auto now = std::chrono::steady_clock::now();
  while (!list.empty()) {
    auto conn = std::move(list.back());
    list.pop_back();
    // Older than the idle limit: the origin may be closing it right now; a fresh one is safer.
    if (now - conn->idle_since > idle_timeout) continue;
    if (poisoned(*conn)) continue;
    conn->reused = true;
    return conn;
  }
  return nullptr;
}

awaitable<connect_result> pool::connect(std::string host, std::uint16_t port,
                                        std::chrono::milliseconds timeout) {
  connect_result out;
  tcp::resolver resolver(ex_);
  const std::string service = std::to_string(port);
  auto [rec, results] =
      co_await resolver.async_resolve(host, service, tcp::resolver::numeric_service, use_tuple);
  if (rec) {
    out.ec = rec;
    co_return out;
  }
  auto conn = std::make_unique<connection>(ex_);
  conn->stream.expires_after(timeout);
  auto [cec, ep] = co_await conn->stream.async_connect(results, use_tuple);
  if (cec) {
    out.ec = cec;
    co_return out;
  }
  error_code ignored;
  conn->stream.socket().set_option(tcp::no_delay(true), ignored);
  // Beast sizes its first read by the buffer's capacity (512 bytes when empty): a whole
  // answer header, and often its body, should come in with one read.
  conn->buffer.reserve(16 * 1024);
  out.conn = std::move(conn);
  co_return out;
}

void pool::give_back(const std::string& key, std::unique_ptr<connection> conn,
                     std::size_t max_idle) {
  auto& list = idle_[key];
  if (list.size() >= max_idle || poisoned(*conn)) return;
  conn->idle_since = std::chrono::steady_clock::now();
  conn->stream.expires_never();
  list.push_back(std::move(conn));
}

std::size_t pool::idle_count() const {
  std::size_t n = 0;
  for (const auto& [key, list] : idle_) n += list.size();
  return n;
}

}  // namespace rangecache::origin
