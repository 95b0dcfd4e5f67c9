// The admin listener: /health and Prometheus text /metrics. Runs on worker 0.
#pragma once

#include "asio_fwd.hpp"
#include "worker.hpp"

namespace rangecache::proxy {

awaitable<void> admin_accept_loop(worker* w, tcp::acceptor* acceptor);

}  // namespace rangecache::proxy
