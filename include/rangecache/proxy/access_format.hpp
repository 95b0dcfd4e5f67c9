// What one access-log line records, and the three ways it can be written (log.access_format).
// Pure formatting: no sockets, no logger, the times passed in, so each format is table-tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "rangecache/config/config.hpp"

namespace rangecache::proxy {

struct access_entry {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  // When the answer's head was handed to the socket; unset when no answer was written.
  std::chrono::steady_clock::time_point first_byte{};
  // Views into the session's and the request's own storage, which outlive the entry: the
  // hit path allocates nothing for its log line.
  std::string_view client;
  std::string_view method;
  std::string_view host;    // empty until the request's authority is known
  std::string_view target;  // path and query
  // Read from the request only for the formats that write them (json, combined).
  std::string_view range;  // the Range the client asked for, as sent
  std::string_view referer;
  std::string_view user_agent;
  unsigned version = 11;  // HTTP/1.x of the request, 10 or 11
  std::string url() const {
    return host.empty() ? std::string(target) : "http://" + std::string(host) + std::string(target);
  }
  unsigned status = 0;
  std::uint64_t bytes = 0;         // body bytes sent to the client
  std::uint64_t origin_bytes = 0;  // body bytes this request read from the origin
  const char* cache = "-";         // PASS, MISS, HIT, HIT_FULL, REVALIDATED, ERROR, ...
  unsigned upstream_status = 0;
  // Where the request went upstream ("origin", "parent:10.0.0.12:8080"), owned by the
  // session; null or empty: nowhere.
  const std::string* upstream = nullptr;
  // The matched rule's series in /metrics (remap_rule::metrics_series); none: no rule.
  std::uint32_t rule_series = ~std::uint32_t{0};
  std::string_view upstream_name() const {
    return upstream ? std::string_view(*upstream) : std::string_view{};
  }
};

// The times of one line, measured when it is written.
struct access_times {
  std::chrono::system_clock::time_point now;  // wall clock (json and combined carry it)
  std::chrono::microseconds duration{0};      // from the request's head to the line
  std::chrono::microseconds ttfb{-1};         // to the answer's first byte; negative: none
};

access_times measure_access(const access_entry& e, config::access_log_format format);

// Appends one line, without its newline. `line` leaves the time out: its logger's pattern
// puts it first, as it always has.
void format_access(config::access_log_format format, const access_entry& e, const access_times& t,
                   fmt::memory_buffer& out);

// JSON string contents: quotes, backslashes and control characters escaped, and each byte
// that is not part of valid UTF-8 written as \u00XX, so any request makes valid JSON.
void append_json_escaped(std::string_view text, fmt::memory_buffer& out);

// The inside of a quoted field of the combined format, escaped as nginx does: `"` and `\`
// with a backslash, control characters and bytes above 0x7e as \xXX, so a request cannot
// forge a field or a line.
void append_combined_escaped(std::string_view text, fmt::memory_buffer& out);

}  // namespace rangecache::proxy
