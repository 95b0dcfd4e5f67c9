#include "hit_writer.hpp"

#include "rangecache/flight/progress_wait.hpp"

#include <sys/sendfile.h>
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

// What one non-blocking send did: the socket took less than offered, or it failed (errno).
struct send_outcome {
  bool blocked = false;
  int error = 0;
};

// Records why a non-blocking send took nothing (n < 0): a full socket, or errno. False when
// it took something.
bool took_nothing(ssize_t n, send_outcome& out) {
  if (n >= 0) return false;
  if (errno == EAGAIN || errno == EWOULDBLOCK)
    out.blocked = true;
  else
    out.error = errno;
  return true;
}

// Sends what the socket takes of `prefix` now, and drops that part of it. `more`: MSG_MORE,
// the body follows in another call.
send_outcome send_prefix(int fd, std::string_view& prefix, int more = 0) {
  send_outcome out;
  auto n = ::send(fd, prefix.data(), prefix.size(), MSG_NOSIGNAL | MSG_DONTWAIT | more);
  if (!took_nothing(n, out)) {
    prefix.remove_prefix(static_cast<std::size_t>(n));
    out.blocked = !prefix.empty();
  }
  return out;
}

// Sends `prefix` and then the mapped slices in one sendmsg, as far as the socket takes them
// now. Drops what went of `prefix`; returns the slice bytes that went.
std::size_t send_slices(int fd, std::string_view& prefix,
                        std::span<const cache::mapped_slice> slices, send_outcome& out) {
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
  if (took_nothing(n, out)) return 0;
  auto written = static_cast<std::size_t>(n);
  auto from_prefix = std::min(written, prefix.size());
  prefix.remove_prefix(from_prefix);
  written -= from_prefix;
  if (written < offered || !prefix.empty()) out.blocked = true;
  return written;
}

// Sends `prefix` (held back by MSG_MORE to leave with the body) and then `length` bytes of
// the body file from `offset` with sendfile: the page cache's pages go to the socket without
// a copy. Returns the body bytes that went; 0 with nothing blocked means the file ended early.
std::size_t send_file_part(int fd, int file, std::string_view& prefix, std::uint64_t offset,
                           std::uint64_t length, send_outcome& out) {
  if (!prefix.empty()) {
    out = send_prefix(fd, prefix, MSG_MORE);
    if (out.blocked || out.error) return 0;
  }
  auto at = static_cast<off_t>(offset);
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(length, 1u << 30));
  auto n = ::sendfile(fd, file, &at, want);
  if (took_nothing(n, out)) return 0;
  if (static_cast<std::size_t>(n) < want && n > 0) out.blocked = true;
  return static_cast<std::size_t>(n);
}

// Answers from a body file at least this long are written from its kept mapping, shorter
// ones sendfile'd: on loopback here sendfile cost 20% less CPU than writev for 64 KiB and
// 60% more for 1 MiB (bench/run.sh, range64k against range1m and full1m).
constexpr std::uint64_t sendfile_below = 256 * 1024;

// Read-while-write: how much of [offset, offset + length) of a fill is durable now, or that
// the fill is gone (failed, or stalled past the timeout), or that the sender must wait.
struct durable_part {
  std::uint64_t readable = 0;
  bool gone = false;
  bool wait = false;
};

durable_part follow_fill(const cache::fill_progress& progress, std::uint64_t offset,
                         std::uint64_t length, bool prefix_left,
                         std::chrono::steady_clock::time_point stalled_since,
                         std::chrono::milliseconds timeout) {
  const int state = progress.state.load(std::memory_order_acquire);
  const std::uint64_t durable = progress.durable_bytes.load(std::memory_order_acquire);
  if (state == cache::fill_progress::failed) return {0, true, false};
  const std::uint64_t readable = durable > offset ? std::min(length, durable - offset) : 0;
  if (readable > 0 || prefix_left) return {readable, false, false};
  if (state == cache::fill_progress::committed ||
      std::chrono::steady_clock::now() - stalled_since > timeout)
    return {0, true, false};
  return {0, false, true};
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
  // A body in a file is opened (or its kept mapping taken) once, when its first bytes are
  // there to send (a fill may not have created it yet): whatever happens to the object
  // afterwards, this response reads that one version, to its end.
  cache::body_file file;
  std::shared_ptr<const cache::body_mapping> mapping;
  const bool mapped = ref.in_file && !progress && length >= sendfile_below;
  auto stalled_since = std::chrono::steady_clock::now();
  std::optional<progress_wait> waiter;
  while (!prefix.empty() || length > 0) {
    std::uint64_t readable = length;
    if (progress && length > 0) {
      const durable_part part =
          follow_fill(*progress, offset, length, !prefix.empty(), stalled_since, timeout);
      if (part.gone) co_return send_status::gone;
      if (part.wait) {
        // Sleep until the writer reports progress (listening first, then looking again, so
        // nothing published in between is missed).
        if (!waiter) {
          waiter.emplace(stream.get_executor(), *progress);
          continue;
        }
        co_await waiter->changed(stalled_since + timeout);
        continue;
      }
      readable = part.readable;
      stalled_since = std::chrono::steady_clock::now();
    }
    send_outcome sent;
    if (readable == 0) {
      sent = send_prefix(fd, prefix);
    } else if (mapped) {
      if (!mapping && !(mapping = reader.map_body(ref))) co_return send_status::gone;
      const cache::mapped_slice slice{mapping->data + offset, static_cast<std::size_t>(readable)};
      const std::size_t n = send_slices(fd, prefix, {&slice, 1}, sent);
      offset += n;
      length -= n;
    } else if (ref.in_file) {
      if (!file && !(file = reader.open_body(ref))) co_return send_status::gone;
      const std::size_t n = send_file_part(fd, file.fd(), prefix, offset, readable, sent);
      if (n == 0 && !sent.blocked && !sent.error) co_return send_status::gone;
      offset += n;
      length -= n;
    } else {
      // Runs inside the reader's read transaction: the slices point into the map and die
      // with it, so they go to the kernel right here and are never kept.
      auto visit = [&](std::span<const cache::mapped_slice> slices) -> std::size_t {
        return send_slices(fd, prefix, slices, sent);
      };
      auto r = reader.read(ref, offset, readable, visit);
      if (r.status == cache::read_status::gone) co_return send_status::gone;
      if (r.status == cache::read_status::error) co_return send_status::io_error;
      if (r.bytes == 0 && !sent.blocked && !sent.error)
        co_return send_status::gone;  // shorter than asked
      offset += r.bytes;
      length -= r.bytes;
    }
    if (sent.error) co_return send_status::io_error;
    if (sent.blocked) {
      bool ok = co_await wait_writable(stream, timeout);
      if (!ok) co_return send_status::io_error;
    }
  }
  co_return send_status::ok;
}

}  // namespace rangecache::proxy
