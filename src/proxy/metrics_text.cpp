#include "metrics_text.hpp"

namespace rangecache::proxy {
namespace {

// Prometheus text, one metric at a time, each with its HELP and TYPE lines.
class metrics_page {
 public:
  void counter(const char* name, const char* help, std::uint64_t value) {
    metric("counter", name, help, value);
  }
  void gauge(const char* name, const char* help, std::uint64_t value) {
    metric("gauge", name, help, value);
  }
  // One metric with a value per parent: {parent="host:port"}.
  template <typename Value>
  void per_parent(const char* type, const char* name, const char* help,
                  const std::vector<tier::parent_table::row>& rows, Value value) {
    head(type, name, help);
    for (const auto& r : rows) {
      out_ += "rangecache_";
      out_ += name;
      out_ += "{parent=\"";
      out_ += r.node;
      out_ += "\"} ";
      out_ += std::to_string(value(r));
      out_ += '\n';
    }
  }
  // One counter split by one label: {label="value"} per pair.
  void counter_by(const char* name, const char* help, const char* label,
                  std::initializer_list<std::pair<const char*, std::uint64_t>> values) {
    head("counter", name, help);
    for (const auto& [value, count] : values) {
      out_ += "rangecache_";
      out_ += name;
      out_ += '{';
      out_ += label;
      out_ += "=\"";
      out_ += value;
      out_ += "\"} ";
      out_ += std::to_string(count);
      out_ += '\n';
    }
  }
  std::string take() { return std::move(out_); }

 private:
  void head(const char* type, const char* name, const char* help) {
    out_ += "# HELP rangecache_";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE rangecache_";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void metric(const char* type, const char* name, const char* help, std::uint64_t value) {
    head(type, name, help);
    out_ += "rangecache_";
    out_ += name;
    out_ += ' ';
    out_ += std::to_string(value);
    out_ += '\n';
  }

  std::string out_;
};

void proxy_metrics(metrics_page& m, const proxy_totals& s) {
  m.counter("connections_accepted_total", "Client connections accepted.", s.connections_accepted);
  m.counter("connections_refused_total", "Connections closed at once: over max_connections.",
            s.connections_refused);
  m.counter("accept_errors_total", "accept() failures (EMFILE and the like); retried.",
            s.accept_errors);
  m.counter("requests_total", "Client requests parsed.", s.requests);
  m.counter("bad_requests_total", "Requests answered with a 4xx by the proxy itself.",
            s.bad_requests);
  m.counter("upstream_requests_total", "Requests sent to origins.", s.upstream_requests);
  m.counter("upstream_errors_total", "Origin failures (refused, reset, bad answer).",
            s.upstream_errors);
  m.counter("upstream_timeouts_total", "Origin timeouts.", s.upstream_timeouts);
  m.counter("upstream_reused_total", "Requests sent on a pooled keep-alive connection.",
            s.upstream_reused);
  m.counter("upstream_retried_total",
            "Requests sent again on a fresh connection: the pooled one had been closed by the "
            "origin.",
            s.upstream_retried);
  m.counter("responses_cut_total", "Responses cut short (client connection reset).",
            s.responses_cut);
  m.counter("bytes_sent_total", "Body bytes sent to clients.", s.bytes_sent);
  m.counter("collapsed_total", "Misses that waited for another request's fill.", s.collapsed);
  m.gauge("active_connections", "Open client connections.", s.active_connections);
}

void store_metrics(metrics_page& m, const cache::object_store& store) {
  const cache::store_stats c = store.stats();
  m.gauge("cache_objects", "Objects in the store.", c.objects);
  m.gauge("cache_bytes", "Content bytes in the store.", c.bytes);
  m.counter("cache_hits_total", "Store lookups that found the object.", c.hits);
  m.counter("cache_misses_total", "Store lookups that did not.", c.misses);
  m.counter("cache_evictions_total", "Objects evicted for space.", c.evictions);
  m.counter_by("cache_removed_total",
               "Objects removed from the store, by why: evicted for space (max_size, or the map "
               "filling up), purged (PURGE, ctl purge, an unsafe method's invalidation).",
               "reason", {{"space", c.evictions}, {"purge", c.purged_objects}});
  m.counter("cache_evicted_bytes_total", "Content bytes of the objects evicted for space.",
            c.evicted_bytes);
  m.counter("cache_lmdb_errors_total", "Unexpected LMDB return codes (handled, never thrown).",
            c.lmdb_errors);
  m.counter("cache_commits_total", "Objects committed.", c.commits);
  m.counter("cache_fills_aborted_total", "Fills dropped (origin cut, client gone, ...).",
            c.aborted_fills);
  m.counter("cache_fills_failed_total", "Fills refused by the store (full queue, size).",
            c.failed_fills);
  m.counter("cache_write_batches_total", "Write transactions committed.", c.write_batches);
  m.counter("cache_write_batch_bytes_total", "Bytes written by those transactions.",
            c.write_batch_bytes);
  m.counter("cache_map_full_total", "MDB_MAP_FULL events (handled).", c.map_full_events);
  m.counter("cache_write_errors_total",
            "Store writes given up on (disk full, map full, LMDB error); their fills dropped.",
            c.write_failures);
  m.counter("cache_lost_mid_stream_total", "Objects gone while being served.", c.lost_mid_stream);
  m.gauge("cache_writer_queue_bytes", "Bytes queued to the store's writer.", c.writer_queue_bytes);
  const cache::storage_info st = store.storage();
  m.gauge("cache_file_bytes", "High-water mark of the LMDB file.", st.file_bytes);
  m.gauge("cache_map_bytes", "LMDB map size.", st.map_size);
}

std::uint64_t load(const std::atomic<std::uint64_t>& a) {
  return a.load(std::memory_order_relaxed);
}

void fetch_metrics(metrics_page& m, fetch::scheduler& fetches) {
  const fetch::scheduler_stats& f = fetches.stats();
  m.counter("fetch_offered_total", "URLs offered for a background fetch.", load(f.offered));
  m.counter("fetch_started_total", "Background fetches started.", load(f.started));
  m.counter("fetch_completed_total", "Background fetches stored.", load(f.completed));
  m.counter("fetch_failed_total", "Background fetches that failed.", load(f.failed));
  m.counter("fetch_duplicates_total", "Offers of a URL already queued or running.",
            load(f.duplicates));
  m.counter("fetch_backing_off_total", "Offers refused during a URL's back-off.",
            load(f.backing_off));
  m.counter("fetch_dropped_queue_full_total", "Offers dropped: the queue was full.",
            load(f.dropped_queue_full));
  m.counter("fetch_excluded_total", "Offers excluded by the rules.", load(f.excluded_by_rule));
  m.counter("fetch_already_cached_total", "Fetches skipped: already complete and fresh.",
            load(f.already_cached));
  m.counter("fetch_bytes_total", "Bytes stored by background fetches.", load(f.bytes));
  m.gauge("fetch_running", "Background fetches running.", fetches.running());
  m.gauge("fetch_queued", "Background fetches queued.", fetches.queued());
  const auto wait = fetches.oldest_wait(std::chrono::steady_clock::now());
  m.gauge(
      "fetch_oldest_queued_seconds", "How long the oldest queued background fetch has waited.",
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(wait).count()));
}

void parent_metrics(metrics_page& m, const std::vector<tier::parent_table::row>& rows) {
  if (rows.empty()) return;
  using row = tier::parent_table::row;
  m.per_parent("counter", "parent_requests_total", "Requests sent to the parent.", rows,
               [](const row& r) { return r.requests; });
  m.per_parent("counter", "parent_failures_total",
               "Requests the parent gave no answer to (connect error, reset, timeout).", rows,
               [](const row& r) { return r.failures; });
  m.per_parent("counter", "parent_marked_down_total", "Times the parent was marked down.", rows,
               [](const row& r) { return r.marked_down; });
  m.per_parent("gauge", "parent_down", "1 while the parent is marked down.", rows,
               [](const row& r) { return r.down ? 1 : 0; });
}

}  // namespace

std::string metrics_text(const proxy_totals& totals, cache::object_store* store,
                         fetch::scheduler& fetches,
                         const std::vector<tier::parent_table::row>& parents,
                         const metrics_extra& extra) {
  metrics_page page;
  proxy_metrics(page, totals);
  if (store) {
    store_metrics(page, *store);
    page.gauge("cache_max_bytes", "cache.max_size: what cache_file_bytes may grow to.",
               extra.cache_max_bytes);
  }
  page.gauge("fills_in_flight", "Objects being fetched that other requests may wait on.",
             extra.fills_in_flight);
  page.gauge("fill_waiters", "Requests waiting on another request's fill.", extra.fill_waiters);
  fetch_metrics(page, fetches);
  parent_metrics(page, parents);
  std::string out = page.take();
  if (extra.requests) append_request_metrics(*extra.requests, extra.rule_names, out);
  return out;
}

}  // namespace rangecache::proxy
