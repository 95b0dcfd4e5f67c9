#include "rangecache/proxy/server.hpp"

#include <sys/socket.h>

#include <spdlog/spdlog.h>
#include <fstream>
#include <stdexcept>

#include "admin.hpp"
#include "logs.hpp"
#include "rangecache/cache/memory_store.hpp"
#include "rangecache/cache/store.hpp"
#include "rangecache/util/throttle.hpp"
#include "worker.hpp"

namespace rangecache::proxy {
namespace {

unsigned worker_count(const config::config& cfg) {
  if (cfg.workers) return cfg.workers;
  return std::max(1u, std::thread::hardware_concurrency());
}

// SO_REUSEPORT lets every worker own an acceptor on the same port; the kernel spreads
// connections across them, so no worker hands sockets to another.
std::unique_ptr<tcp::acceptor> open_acceptor(asio::io_context& ioc, const tcp::endpoint& ep,
                                             bool reuse_port, const std::string& what) {
  auto acc = std::make_unique<tcp::acceptor>(ioc);
  error_code ec;
  acc->open(ep.protocol(), ec);
  if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && reuse_port) {
    int one = 1;
    if (::setsockopt(acc->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      ec.assign(errno, boost::system::system_category());
  }
  if (!ec && ep.address().is_v6()) acc->set_option(asio::ip::v6_only(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + what + ": " + ec.message());
  return acc;
}

// The access log is buffered (no syscall per request); this bounds how stale the file is.
awaitable<void> flush_logs(worker* w) {
  asio::steady_timer timer(w->ioc);
  while (!w->shared->draining.load(std::memory_order_relaxed)) {
    timer.expires_after(std::chrono::seconds(1));
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;
    if (auto access = w->shared->access.load()) access->flush();
  }
}

}  // namespace

struct server::impl {
  std::unique_ptr<cache::object_store> store;  // declared first: destroyed after the workers
  std::shared_ptr<shared_state> shared = std::make_shared<shared_state>();
  std::vector<std::unique_ptr<worker>> workers;
  std::unique_ptr<tcp::acceptor> admin;
  std::vector<std::string> listen_texts;
};

namespace {

// A store that cannot write (disk full, map full, an LMDB error) keeps serving what it has
// but stores nothing new: worth an error line, though not one per failed write.
std::function<void(const cache::write_failure&)> store_failure_logger(std::string path) {
  auto limit = std::make_shared<util::throttle>(std::chrono::minutes(1));
  return [path = std::move(path), limit](const cache::write_failure& f) {
    std::uint64_t held = 0;
    if (!limit->allow(std::chrono::steady_clock::now(), held)) return;
    std::string since;
    if (held) since = " (" + std::to_string(held) + " more failed writes since the last report)";
    spdlog::error("cache {}: cannot write ({}: {}); new objects are not stored while this lasts{}",
                  path, cache::to_string(f.why), f.message, since);
  };
}

// The LMDB store at cache.path, with what opening it found in the log.
std::unique_ptr<cache::object_store> open_lmdb_store(const cache::store_settings& ss) {
  std::unique_ptr<cache::store> store;
  try {
    store = cache::store::open(ss);
  } catch (const cache::store_error& e) {
    throw std::runtime_error("cannot open the cache at " + ss.path + ": " + e.what());
  }
  const auto& report = store->report();
  if (report.moved_aside)
    spdlog::error("cache at {} was damaged ({}); moved to {}, starting empty", ss.path,
                  report.reason, report.moved_to);
  spdlog::info("cache {}: {} objects, {} bytes, opened in {} ms", ss.path, report.objects,
               report.bytes, report.duration.count());
  return store;
}

// With every loop stopped: the store's writer may still be about to answer a commit by
// posting to the loop that asked, so it stops (the store closes) while the loops still
// exist; a loop destroyed first would be posted to after it is gone. The workers' read
// transactions go first, since the store cannot close under them. Fills still open in the
// loops' suspended coroutines are aborted when the loops go; a closed store ignores that.
void close_store_before_loops(std::vector<std::unique_ptr<worker>>& workers,
                              cache::object_store* store) {
  for (auto& w : workers) w->reader.reset();
  if (store) store->close();
}

void apply_fetch_settings(shared_state& shared, const config::config& cfg) {
  const auto& b = cfg.background_fetch;
  shared.fetches.configure(b.max_concurrent, b.queue_size, b.retry_backoff);
  shared.fetch_log.store(make_fetch_log(cfg));
}

}  // namespace

server::server(std::shared_ptr<const config::config> cfg, std::shared_ptr<const util::clock> clock)
    : impl_(std::make_unique<impl>()) {
  impl_->shared->cfg.store(impl_->shared->series.assign(cfg));
  if (clock) impl_->shared->clock = std::move(clock);
  impl_->shared->access.store(make_access_log(*cfg));
  apply_fetch_settings(*impl_->shared, *cfg);
}

server::~server() {
  for (auto& w : impl_->workers) {
    if (w->thread.joinable()) {
      w->ioc.stop();
      w->thread.join();
    }
  }
  impl_->shared->reloads.take();
  close_store_before_loops(impl_->workers, impl_->store.get());
}

namespace {
// The store's settings from the cache.* keys.
cache::store_settings store_settings_of(const config::cache_settings& c) {
  cache::store_settings ss;
  ss.path = c.path;
  ss.max_size = c.max_size;
  ss.on_write_failure = store_failure_logger(ss.path);
  ss.sync = c.sync == config::sync_mode::none   ? cache::sync_mode::none
            : c.sync == config::sync_mode::full ? cache::sync_mode::full
                                                : cache::sync_mode::meta;
  ss.sync_interval = c.sync_interval;
  ss.file_bodies_from = c.zero_copy == config::zero_copy_mode::off  ? 0
                        : c.zero_copy == config::zero_copy_mode::on ? 1
                                                                    : cache::auto_file_bodies_from;
  return ss;
}
}  // namespace

void server::start(const std::string& port_file) {
  auto cfg = impl_->shared->config_now();
  unsigned n = worker_count(*cfg);
  const cache::store_settings ss = store_settings_of(cfg->cache);
  if (cfg->cache.backend == config::cache_backend::memory) {
    impl_->store = cache::make_memory_store(ss);
    spdlog::info("cache in memory: at most {} bytes, empty at every start", ss.max_size);
  } else {
    impl_->store = open_lmdb_store(ss);
  }
  for (unsigned i = 0; i < n; ++i) {
    impl_->workers.push_back(std::make_unique<worker>(impl_->shared));
    auto& w = *impl_->workers.back();
    impl_->shared->worker_stats.push_back(&w.stats);
    impl_->shared->worker_metrics.push_back(&w.metrics);
    w.store = impl_->store.get();
    w.reader.emplace(*impl_->store);
    if (!w.reader->valid()) throw std::runtime_error("no LMDB reader slot for a worker");
  }

  std::string ports;
  for (const auto& l : cfg->listen) {
    tcp::endpoint ep(asio::ip::make_address(l.address), l.port);
    // Port 0: the first worker learns the port the kernel picked; the rest join it.
    for (auto& w : impl_->workers) {
      w->acceptors.push_back(open_acceptor(w->ioc, ep, true, l.text));
      ep.port(w->acceptors.back()->local_endpoint().port());
    }
    ports += "listen " + l.address + " " + std::to_string(ep.port()) + "\n";
    spdlog::info("listening on {} (port {}), {} workers", l.text, ep.port(), n);
  }
  if (cfg->admin.listen) {
    const auto& l = *cfg->admin.listen;
    tcp::endpoint ep(asio::ip::make_address(l.address), l.port);
    impl_->admin = open_acceptor(impl_->workers.front()->ioc, ep, false, l.text);
    auto port = impl_->admin->local_endpoint().port();
    ports += "admin " + l.address + " " + std::to_string(port) + "\n";
    spdlog::info("admin on {} (port {})", l.text, port);
  }

  for (auto& w : impl_->workers) {
    for (auto& acc : w->acceptors)
      asio::co_spawn(w->ioc, accept_loop(w.get(), acc.get()), asio::detached);
    asio::co_spawn(w->ioc, idle_sweep(w.get()), asio::detached);
  }
  if (impl_->admin) {
    auto* w0 = impl_->workers.front().get();
    asio::co_spawn(w0->ioc, admin_accept_loop(w0, impl_->admin.get()), asio::detached);
  }
  asio::co_spawn(impl_->workers.front()->ioc, flush_logs(impl_->workers.front().get()),
                 asio::detached);
  for (auto& w : impl_->workers) {
    auto* wp = w.get();
    w->thread = std::thread([wp] {
      for (;;) {
        try {
          wp->ioc.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("worker loop: {}", e.what());
        }
      }
    });
  }
  if (!port_file.empty()) {
    auto tmp = port_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << ports;
    }
    std::rename(tmp.c_str(), port_file.c_str());
  }
}

void server::reload(std::shared_ptr<const config::config> cfg) {
  auto old = impl_->shared->config_now();
  // The rest of the new file applies now; these keep their running values, and saying so
  // beats an operator believing a new cache size or address is in force.
  auto pending = config::restart_only_changes(*old, *cfg);
  if (!pending.empty()) {
    std::string names;
    for (const auto& name : pending) names += (names.empty() ? "" : ", ") + name;
    spdlog::warn("reload: {} changed; {} only at the next restart, the running values stay", names,
                 pending.size() == 1 ? "it takes effect" : "they take effect");
  }
  // A rotated access log is reopened here too (logrotate sends SIGHUP).
  impl_->shared->access.store(make_access_log(*cfg));
  apply_fetch_settings(*impl_->shared, *cfg);
  impl_->shared->cfg.store(impl_->shared->series.assign(std::move(cfg)));
}

void server::set_reload_trigger(std::function<void()> trigger) {
  impl_->shared->reloads.set_trigger(std::move(trigger));
}

std::function<void(const reload_outcome&)> server::begin_reload() {
  return [waiting = impl_->shared->reloads.take()](const reload_outcome& outcome) {
    for (const auto& answer : waiting) answer(outcome);
  };
}

void server::drain_and_stop() {
  auto cfg = impl_->shared->config_now();
  impl_->shared->draining.store(true);
  for (auto& w : impl_->workers) {
    auto* wp = w.get();
    asio::post(w->ioc, [wp] { begin_drain(wp); });
  }
  if (impl_->admin) {
    auto* acc = impl_->admin.get();
    asio::post(impl_->workers.front()->ioc, [acc] {
      error_code ignored;
      acc->close(ignored);
    });
  }
  auto deadline = std::chrono::steady_clock::now() + cfg->server.drain_timeout;
  while (impl_->shared->totals().active_connections > 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto left = impl_->shared->totals().active_connections;
  if (left) spdlog::warn("drain timeout: closing {} connections still busy", left);
  for (auto& w : impl_->workers) {
    w->work.reset();
    w->ioc.stop();
  }
  for (auto& w : impl_->workers)
    if (w->thread.joinable()) w->thread.join();
  for (auto& w : impl_->workers) w->access_lines.write_out();
  // A POST /reload still waiting holds a timer of the first loop: it goes with the loop.
  impl_->shared->reloads.take();
  // The admin acceptor lives on the first worker's loop: it must close before that loop is
  // destroyed, or its destructor reaches into the loop's freed socket service.
  impl_->admin.reset();
  close_store_before_loops(impl_->workers, impl_->store.get());
  impl_->shared->worker_metrics.clear();
  impl_->shared->worker_stats.clear();  // the counters go with their workers
  impl_->workers.clear();
  if (auto access = impl_->shared->access.load()) access->flush();
  spdlog::default_logger()->flush();
}

}  // namespace rangecache::proxy
