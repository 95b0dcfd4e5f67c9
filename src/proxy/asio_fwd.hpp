// The network names of include/rangecache/net, in the proxy's namespace.
#pragma once

#include "rangecache/net/asio_names.hpp"

namespace rangecache::proxy {

namespace asio = net::asio;
namespace beast = net::beast;
namespace http = net::http;
using net::awaitable;
using net::error_code;
using net::tcp;
using net::use_tuple;

}  // namespace rangecache::proxy
