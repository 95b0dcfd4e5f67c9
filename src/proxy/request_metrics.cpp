#include "rangecache/proxy/request_metrics.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace rangecache::proxy {

std::size_t cache_result_index(const char* name) {
  for (std::size_t i = 0; i + 1 < cache_result_count; ++i) {
    const std::string_view n = cache_result_names[i];
    if (std::strncmp(name, n.data(), n.size()) == 0 && name[n.size()] == '\0') return i;
  }
  return cache_result_count - 1;
}

std::size_t latency_bucket(std::uint64_t us) {
  std::size_t i = 0;
  while (i < latency_bounds_us.size() && us > latency_bounds_us[i]) ++i;
  return i;
}

void request_metrics::record(const request_sample& s) {
  const std::size_t result = cache_result_index(s.cache);
  if (s.rule < max_rule_series) {
    auto& r = rules[s.rule];
    r.requests[result].add(1);
    r.client_bytes[result].add(s.client_bytes);
    r.origin_bytes.add(s.origin_bytes);
  }
  total[result].observe(s.total_us);
  if (s.ttfb_us >= 0) ttfb[result].observe(static_cast<std::uint64_t>(s.ttfb_us));
}

namespace {

void add_histogram(histogram_totals& to, const histogram_cells& from) {
  for (std::size_t b = 0; b < latency_buckets; ++b) to.buckets[b] += from.buckets[b].get();
  to.sum_us += from.sum_us.get();
}

void add_rule(rule_totals& to, const rule_cells& from) {
  for (std::size_t i = 0; i < cache_result_count; ++i) {
    to.requests[i] += from.requests[i].get();
    to.client_bytes[i] += from.client_bytes[i].get();
  }
  to.origin_bytes += from.origin_bytes.get();
  for (std::size_t i = 0; i < block_event_count; ++i) to.blocks[i] += from.blocks[i].get();
}

void head(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP rangecache_{} {}\n# TYPE rangecache_{} {}\n",
                 name, help, name, type);
}

// One histogram's series: cumulative buckets, sum (seconds) and count. `labels` is what
// goes before le, with its trailing comma ("cache=\"HIT\",") or empty.
void append_histogram(std::string& out, std::string_view name, std::string_view labels,
                      const histogram_totals& h) {
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < latency_buckets; ++b) {
    cumulative += h.buckets[b];
    if (b < latency_bounds_us.size())
      fmt::format_to(std::back_inserter(out), "rangecache_{}_bucket{{{}le=\"{}\"}} {}\n", name,
                     labels, static_cast<double>(latency_bounds_us[b]) / 1e6, cumulative);
    else
      fmt::format_to(std::back_inserter(out), "rangecache_{}_bucket{{{}le=\"+Inf\"}} {}\n", name,
                     labels, cumulative);
  }
  const std::string_view braces = labels.empty() ? "" : "{";
  const std::string_view close = labels.empty() ? "" : "}";
  const std::string_view bare = labels.substr(0, labels.empty() ? 0 : labels.size() - 1);
  fmt::format_to(std::back_inserter(out), "rangecache_{}_sum{}{}{} {}\n", name, braces, bare, close,
                 static_cast<double>(h.sum_us) / 1e6);
  fmt::format_to(std::back_inserter(out), "rangecache_{}_count{}{}{} {}\n", name, braces, bare,
                 close, cumulative);
}

std::uint64_t count_of(const histogram_totals& h) {
  std::uint64_t n = 0;
  for (auto b : h.buckets) n += b;
  return n;
}

void append_by_result(std::string& out, std::string_view name, std::string_view help,
                      const std::array<histogram_totals, cache_result_count>& hs) {
  head(out, name, "histogram", help);
  for (std::size_t i = 0; i < cache_result_count; ++i) {
    if (count_of(hs[i]) == 0) continue;
    const std::string labels = fmt::format("cache=\"{}\",", cache_result_names[i]);
    append_histogram(out, name, labels, hs[i]);
  }
}

// rule_requests_total and rule_client_bytes_total: one series per rule and cache result
// that has happened.
void append_rule_counter(std::string& out, const request_totals& t,
                         std::span<const std::string> names, bool bytes) {
  const std::string_view name = bytes ? "rule_client_bytes_total" : "rule_requests_total";
  for (std::size_t r = 0; r < t.rules.size() && r < names.size(); ++r) {
    if (names[r].empty()) continue;
    const auto& values = bytes ? t.rules[r].client_bytes : t.rules[r].requests;
    for (std::size_t i = 0; i < cache_result_count; ++i) {
      if (t.rules[r].requests[i] == 0) continue;
      fmt::format_to(std::back_inserter(out), "rangecache_{}{{rule=\"", name);
      append_label_value(names[r], out);
      fmt::format_to(std::back_inserter(out), "\",cache=\"{}\"}} {}\n", cache_result_names[i],
                     values[i]);
    }
  }
}

// Only rules that have seen a block event (block mode) get these series.
void append_block_events(std::string& out, const request_totals& t,
                         std::span<const std::string> names) {
  head(out, "rule_blocks_total", "counter",
       "Block mode: blocks served stored (hit) or fetched (miss), and read-ahead blocks "
       "fetched, used and wasted, per remap rule.");
  for (std::size_t r = 0; r < t.rules.size() && r < names.size(); ++r) {
    const auto& b = t.rules[r].blocks;
    if (names[r].empty() || std::all_of(b.begin(), b.end(), [](auto v) { return v == 0; }))
      continue;
    for (std::size_t i = 0; i < block_event_count; ++i) {
      out += "rangecache_rule_blocks_total{rule=\"";
      append_label_value(names[r], out);
      fmt::format_to(std::back_inserter(out), "\",event=\"{}\"}} {}\n", block_event_names[i], b[i]);
    }
  }
}

void append_rules(std::string& out, const request_totals& t, std::span<const std::string> names) {
  head(out, "rule_requests_total", "counter",
       "Requests per remap rule (its from) and cache result.");
  append_rule_counter(out, t, names, false);
  head(out, "rule_client_bytes_total", "counter",
       "Body bytes sent to clients per remap rule and cache result.");
  append_rule_counter(out, t, names, true);
  head(out, "rule_origin_bytes_total", "counter",
       "Body bytes read from origins (and parents) per remap rule.");
  for (std::size_t r = 0; r < t.rules.size() && r < names.size(); ++r) {
    if (names[r].empty()) continue;
    out += "rangecache_rule_origin_bytes_total{rule=\"";
    append_label_value(names[r], out);
    fmt::format_to(std::back_inserter(out), "\"}} {}\n", t.rules[r].origin_bytes);
  }
  append_block_events(out, t, names);
}

}  // namespace

request_totals sum_of(std::span<const request_metrics* const> workers) {
  request_totals t;
  t.rules.resize(max_rule_series);
  for (const auto* w : workers) {
    for (std::size_t r = 0; r < max_rule_series; ++r) add_rule(t.rules[r], w->rules[r]);
    for (std::size_t i = 0; i < cache_result_count; ++i) {
      add_histogram(t.ttfb[i], w->ttfb[i]);
      add_histogram(t.total[i], w->total[i]);
    }
    add_histogram(t.origin_head, w->origin_head);
  }
  return t;
}

void append_request_metrics(const request_totals& t, std::span<const std::string> rule_names,
                            std::string& out) {
  append_rules(out, t, rule_names);
  append_by_result(out, "ttfb_seconds", "Time from a request's head to its answer's first byte.",
                   t.ttfb);
  append_by_result(out, "request_duration_seconds",
                   "Time from a request's head to the end of its answer.", t.total);
  head(out, "origin_response_seconds", "histogram",
       "Time from sending a request upstream to its answer's head.");
  if (count_of(t.origin_head) > 0)
    append_histogram(out, "origin_response_seconds", "", t.origin_head);
}

void append_label_value(std::string_view v, std::string& out) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

}  // namespace rangecache::proxy
