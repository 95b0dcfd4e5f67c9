#include "admin.hpp"

#include <spdlog/spdlog.h>

namespace rangecache::proxy {
namespace {

std::string metrics_text(worker* w) {
  const proxy_totals s = w->shared->totals();
  std::string out;
  auto metric = [&out](const char* type, const char* name, const char* help, std::uint64_t value) {
    out += "# HELP rangecache_";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE rangecache_";
    out += name;
    out += ' ';
    out += type;
    out += "\nrangecache_";
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
  };
  auto counter = [&metric](const char* name, const char* help, std::uint64_t value) {
    metric("counter", name, help, value);
  };
  auto load = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  auto gauge = [&metric](const char* name, const char* help, std::uint64_t value) {
    metric("gauge", name, help, value);
  };
  counter("connections_accepted_total", "Client connections accepted.", s.connections_accepted);
  counter("connections_refused_total", "Connections closed at once: over max_connections.",
          s.connections_refused);
  counter("accept_errors_total", "accept() failures (EMFILE and the like); retried.",
          s.accept_errors);
  counter("requests_total", "Client requests parsed.", s.requests);
  counter("bad_requests_total", "Requests answered with a 4xx by the proxy itself.",
          s.bad_requests);
  counter("upstream_requests_total", "Requests sent to origins.", s.upstream_requests);
  counter("upstream_errors_total", "Origin failures (refused, reset, bad answer).",
          s.upstream_errors);
  counter("upstream_timeouts_total", "Origin timeouts.", s.upstream_timeouts);
  counter("upstream_reused_total", "Requests sent on a pooled keep-alive connection.",
          s.upstream_reused);
  counter(
      "upstream_retried_total",
      "Requests sent again on a fresh connection: the pooled one had been closed by the origin.",
      s.upstream_retried);
  counter("responses_cut_total", "Responses cut short (client connection reset).", s.responses_cut);
  counter("bytes_sent_total", "Body bytes sent to clients.", s.bytes_sent);
  counter("collapsed_total", "Misses that waited for another request's fill.", s.collapsed);
  gauge("active_connections", "Open client connections.", s.active_connections);
  if (w->store) {
    auto c = w->store->stats();
    gauge("cache_objects", "Objects in the store.", c.objects);
    gauge("cache_bytes", "Content bytes in the store.", c.bytes);
    counter("cache_hits_total", "Store lookups that found the object.", c.hits);
    counter("cache_misses_total", "Store lookups that did not.", c.misses);
    counter("cache_evictions_total", "Objects evicted for space.", c.evictions);
    counter("cache_commits_total", "Objects committed.", c.commits);
    counter("cache_fills_aborted_total", "Fills dropped (origin cut, client gone, ...).",
            c.aborted_fills);
    counter("cache_fills_failed_total", "Fills refused by the store (full queue, size).",
            c.failed_fills);
    counter("cache_write_batches_total", "Write transactions committed.", c.write_batches);
    counter("cache_write_batch_bytes_total", "Bytes written by those transactions.",
            c.write_batch_bytes);
    counter("cache_map_full_total", "MDB_MAP_FULL events (handled).", c.map_full_events);
    counter("cache_write_errors_total",
            "Store writes given up on (disk full, map full, LMDB error); their fills dropped.",
            c.write_failures);
    counter("cache_lost_mid_stream_total", "Objects gone while being served.", c.lost_mid_stream);
    gauge("cache_writer_queue_bytes", "Bytes queued to the store's writer.", c.writer_queue_bytes);
    auto st = w->store->storage();
    gauge("cache_file_bytes", "High-water mark of the LMDB file.", st.file_bytes);
    gauge("cache_map_bytes", "LMDB map size.", st.map_size);
  }
  auto& f = w->shared->fetches.stats();
  counter("fetch_offered_total", "URLs offered for a background fetch.", load(f.offered));
  counter("fetch_started_total", "Background fetches started.", load(f.started));
  counter("fetch_completed_total", "Background fetches stored.", load(f.completed));
  counter("fetch_failed_total", "Background fetches that failed.", load(f.failed));
  counter("fetch_duplicates_total", "Offers of a URL already queued or running.",
          load(f.duplicates));
  counter("fetch_backing_off_total", "Offers refused during a URL's back-off.",
          load(f.backing_off));
  counter("fetch_dropped_queue_full_total", "Offers dropped: the queue was full.",
          load(f.dropped_queue_full));
  counter("fetch_excluded_total", "Offers excluded by the rules.", load(f.excluded_by_rule));
  counter("fetch_already_cached_total", "Fetches skipped: already complete and fresh.",
          load(f.already_cached));
  counter("fetch_bytes_total", "Bytes stored by background fetches.", load(f.bytes));
  gauge("fetch_running", "Background fetches running.", w->shared->fetches.running());
  gauge("fetch_queued", "Background fetches queued.", w->shared->fetches.queued());
  return out;
}

awaitable<void> admin_session(worker* w, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(8192);
    parser.body_limit(4096);
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) break;
    auto& req = parser.get();
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::server, "rangecache");
    res.set(http::field::cache_control, "no-store");
    auto target = req.target();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.body() = "405 method not allowed\n";
    } else if (target == "/health") {
      res.set(http::field::content_type, "text/plain");
      res.body() = w->shared->draining.load() ? "draining\n" : "ok\n";
      if (w->shared->draining.load()) res.result(http::status::service_unavailable);
    } else if (target == "/metrics") {
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      res.body() = metrics_text(w);
    } else {
      res.result(http::status::not_found);
      res.body() = "404 not found\n";
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !req.keep_alive()) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

awaitable<void> admin_accept_loop(worker* w, tcp::acceptor* acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      co_await accept_failed(w, ec);
      continue;
    }
    asio::co_spawn(w->ioc, admin_session(w, std::move(socket)), asio::detached);
  }
}

}  // namespace rangecache::proxy
