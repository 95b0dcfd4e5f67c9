#include "worker.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "session.hpp"

namespace rangecache::proxy {
namespace {

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    spdlog::error("session ended by exception: {}", x.what());
  }
}

}  // namespace

awaitable<void> accept_loop(worker* w, tcp::acceptor* acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      co_await accept_failed(w, ec);
      continue;
    }
    auto cfg = w->shared->config_now();
    if (w->sessions.size() >= cfg->server.max_connections ||
        w->shared->draining.load(std::memory_order_relaxed)) {
      bump(w->stats.connections_refused);
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    bump(w->stats.connections_accepted);
    asio::co_spawn(w->ioc, run_session(w, std::move(socket)), log_exception);
  }
}

awaitable<void> accept_failed(worker* w, error_code ec) {
  bump(w->stats.accept_errors);
  std::uint64_t held = 0;
  if (w->shared->accept_log.allow(std::chrono::steady_clock::now(), held)) {
    if (held == 0)
      spdlog::warn("accept: {}; clients wait in the backlog", ec.message());
    else
      spdlog::warn("accept: {}; clients wait in the backlog ({} more failures since the last line)",
                   ec.message(), held);
  }
  // Back off briefly instead of spinning on the error.
  asio::steady_timer t(w->ioc, std::chrono::milliseconds(50));
  co_await t.async_wait(use_tuple);
}

awaitable<void> idle_sweep(worker* w) {
  asio::steady_timer timer(w->ioc);
  std::vector<session*> all;
  while (!w->shared->draining.load(std::memory_order_relaxed)) {
    // A connection closes at most an eighth of the timeout late (and a second at most).
    const auto timeout = w->shared->config_now()->server.idle_timeout;
    timer.expires_after(std::clamp<std::chrono::milliseconds>(
        timeout / 8, std::chrono::milliseconds(10), std::chrono::seconds(1)));
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;
    // Copy: closing a session's socket may end it and erase it from the set.
    all.assign(w->sessions.begin(), w->sessions.end());
    const auto now = std::chrono::steady_clock::now();
    for (auto* s : all) s->close_if_idle_before(now);
    w->access_lines.write_out();
  }
}

void begin_drain(worker* w) {
  for (auto& acceptor : w->acceptors) {
    error_code ignored;
    acceptor->close(ignored);
  }
  // Copy: closing a session's socket may end it and erase it from the set.
  std::vector<session*> idle(w->sessions.begin(), w->sessions.end());
  for (auto* s : idle) s->close_if_idle();
  w->origins.connections().clear();
}

fetch::fetch_context fetch_context_of(worker* w) {
  fetch::fetch_context c;
  c.ex = w->ioc.get_executor();
  c.origins = &w->origins;
  c.store = w->store;
  c.inflight = &w->shared->inflight;
  c.blocks = &w->shared->blocks;
  c.fetches = &w->shared->fetches;
  c.config = [shared = w->shared] { return shared->config_now(); };
  c.fetch_log = [shared = w->shared] { return shared->fetch_log.load(); };
  c.draining = &w->shared->draining;
  c.clock = w->shared->clock.get();
  return c;
}

}  // namespace rangecache::proxy
