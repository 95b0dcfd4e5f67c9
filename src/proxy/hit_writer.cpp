#include "hit_writer.hpp"

#include "rangecache/flight/progress_wait.hpp"

#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <charconv>

namespace rangecache::proxy {

using flight::progress_wait;

namespace {

awaitable<bool> wait_writable(beast::tcp_stream& stream, std::chrono::milliseconds timeout) {
  auto& socket = stream.socket();
  asio::steady_timer timer(socket.get_executor());
  timer.expires_after(timeout);
  // A plain completion handler (not a coroutine): it only cancels the wait below.
  timer.async_wait([&socket](const error_code& ec) {
    if (!ec) {
      error_code ignored;
      socket.cancel(ignored);
    }
  });
  auto [ec] = co_await socket.async_wait(tcp::socket::wait_write, use_tuple);
  timer.cancel();
  co_return !ec;
}

}  // namespace

awaitable<send_status> send_text(beast::tcp_stream& stream, std::string_view text,
                                 std::chrono::milliseconds timeout) {
  stream.expires_after(timeout);
  auto [ec, n] =
      co_await asio::async_write(stream, asio::buffer(text.data(), text.size()), use_tuple);
  co_return ec ? send_status::io_error : send_status::ok;
}

awaitable<send_status> send_stored(beast::tcp_stream& stream, cache::reader& reader,
                                   const cache::object_ref& ref, std::uint64_t offset,
                                   std::uint64_t length, std::string_view prefix,
                                   std::chrono::milliseconds timeout,
                                   const cache::fill_progress* progress) {
  const int fd = stream.socket().native_handle();
  auto stalled_since = std::chrono::steady_clock::now();
  std::optional<progress_wait> waiter;
  while (!prefix.empty() || length > 0) {
    bool blocked = false;
    int error = 0;
    std::uint64_t readable = length;
    if (progress && length > 0) {
      // Read-while-write: only what the writer has made durable so far.
      const int state = progress->state.load(std::memory_order_acquire);
      const std::uint64_t durable = progress->durable_bytes.load(std::memory_order_acquire);
      if (state == 2) co_return send_status::gone;
      readable = durable > offset ? std::min(length, durable - offset) : 0;
      if (readable == 0 && prefix.empty()) {
        if (state == 1 || std::chrono::steady_clock::now() - stalled_since > timeout)
          co_return send_status::gone;
        // Sleep until the writer reports progress (listening first, then looking again, so
        // nothing published in between is missed).
        if (!waiter) {
          waiter.emplace(stream.get_executor(), *progress);
          continue;
        }
        co_await waiter->changed(stalled_since + timeout);
        continue;
      }
      stalled_since = std::chrono::steady_clock::now();
    }
    if (readable == 0) {
      auto n = ::send(fd, prefix.data(), prefix.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
          blocked = true;
        else
          error = errno;
      } else {
        prefix.remove_prefix(static_cast<std::size_t>(n));
        blocked = !prefix.empty();
      }
    } else {
      // Runs inside the reader's read transaction: the slices point into the map and die
      // with it, so they go to the kernel right here and are never kept.
      auto visit = [&](std::span<const cache::mapped_slice> slices) -> std::size_t {
        std::array<iovec, 64> iov;
        std::size_t count = 0;
        if (!prefix.empty()) iov[count++] = {const_cast<char*>(prefix.data()), prefix.size()};
        std::size_t offered = 0;
        for (const auto& s : slices) {
          if (count == iov.size()) break;
          iov[count++] = {const_cast<std::byte*>(s.data), s.size};
          offered += s.size;
        }
        msghdr msg{};
        msg.msg_iov = iov.data();
        msg.msg_iovlen = count;
        auto n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            blocked = true;
          else
            error = errno;
          return 0;
        }
        auto written = static_cast<std::size_t>(n);
        auto from_prefix = std::min(written, prefix.size());
        prefix.remove_prefix(from_prefix);
        written -= from_prefix;
        if (written < offered || !prefix.empty()) blocked = true;
        return written;
      };
      auto r = reader.read(ref, offset, readable, visit);
      if (r.status == cache::read_status::gone) co_return send_status::gone;
      if (r.status == cache::read_status::error) co_return send_status::io_error;
      if (r.bytes == 0 && !blocked && !error) co_return send_status::gone;  // shorter than asked
      offset += r.bytes;
      length -= r.bytes;
    }
    if (error) co_return send_status::io_error;
    if (blocked) {
      bool ok = co_await wait_writable(stream, timeout);
      if (!ok) co_return send_status::io_error;
    }
  }
  co_return send_status::ok;
}

}  // namespace rangecache::proxy
