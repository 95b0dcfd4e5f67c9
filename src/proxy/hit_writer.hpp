// Serving stored bytes: the response head is built by hand from the stored metadata and
// sent with the mapped chunk pointers in one non-blocking writev, inside a short read
// transaction. This is the cheapest hit measured: Beast's serializer costs about twice the
// user-space instructions, copying out of the map costs more CPU on large ranges, and one
// writev for head and body never meets a Nagle stall. Only a short write waits for the
// socket, with no transaction held (a long-held reader makes the LMDB file grow and starves
// eviction).
#pragma once

#include <string>
#include <string_view>

#include "asio_fwd.hpp"
#include "rangecache/cache/fill.hpp"
#include "rangecache/cache/object.hpp"
#include "rangecache/cache/reader.hpp"

namespace rangecache::proxy {

enum class send_status { ok, gone, io_error };

// Sends `prefix` and then [offset, offset + length) of the object. `gone`: the object was
// replaced or evicted mid-stream (the caller cuts the connection). With `progress`, the
// object is a fill still being written: bytes are sent as they become durable, and a fill
// that fails is `gone`.
awaitable<send_status> send_stored(beast::tcp_stream& stream, cache::reader& reader,
                                   const cache::object_ref& ref, std::uint64_t offset,
                                   std::uint64_t length, std::string_view prefix,
                                   std::chrono::milliseconds timeout,
                                   const cache::fill_progress* progress = nullptr);

awaitable<send_status> send_text(beast::tcp_stream& stream, std::string_view text,
                                 std::chrono::milliseconds timeout);

}  // namespace rangecache::proxy
