// The few names every network module uses, and the one completion token they all use:
// errors come back as values, since a reset or a timeout is expected on a network;
// exceptions are kept for bugs.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rangecache::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

template <typename T = void>
using awaitable = asio::awaitable<T>;

}  // namespace rangecache::net
