// The three access-log formats. Each appends to a fmt buffer whose inline storage holds a
// typical line, so writing one costs no allocation.
#include "rangecache/proxy/access_format.hpp"

#include <time.h>

namespace rangecache::proxy {
namespace {

using config::access_log_format;

void append(fmt::memory_buffer& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

// Numbers are written digit by digit rather than through a format string: a log line is
// written for every hit, and parsing format strings was most of a JSON line's cost.
void append_uint(fmt::memory_buffer& out, std::uint64_t n) {
  const fmt::format_int digits(n);
  out.append(digits.data(), digits.data() + digits.size());
}

// `n` in exactly `width` digits, zero-padded (dates, the decimals of a millisecond).
void append_padded(fmt::memory_buffer& out, long n, int width) {
  char digits[8];
  for (int i = width - 1; i >= 0; --i, n /= 10) digits[i] = static_cast<char>('0' + n % 10);
  out.append(digits, digits + width);
}

// Milliseconds with three decimals, as the line format has always written them.
void append_ms(fmt::memory_buffer& out, std::chrono::microseconds us) {
  const auto n = us.count();
  append_uint(out, static_cast<std::uint64_t>(n / 1000));
  out.push_back('.');
  append_padded(out, static_cast<long>(n % 1000), 3);
}

// A number, or the text standing for none (upstream_status of a hit).
void append_status(fmt::memory_buffer& out, unsigned status, std::string_view none) {
  if (status)
    append_uint(out, status);
  else
    append(out, none);
}

struct civil_time {
  struct tm tm {};
  long millis = 0;
};

civil_time utc_of(std::chrono::system_clock::time_point now) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  civil_time c;
  const time_t secs = static_cast<time_t>(ms.count() / 1000);
  // Lines come many to a second: the calendar fields are worked out once a second.
  thread_local time_t cached_secs = -1;
  thread_local struct tm cached_tm {};
  if (secs != cached_secs) {
    gmtime_r(&secs, &cached_tm);
    cached_secs = secs;
  }
  c.tm = cached_tm;
  c.millis = static_cast<long>(ms.count() % 1000);
  return c;
}

void format_line(const access_entry& e, const access_times& t, fmt::memory_buffer& out) {
  // Fields: client method url status bytes duration_ms cache upstream_status upstream
  append(out, e.client);
  out.push_back(' ');
  append(out, e.method);
  out.push_back(' ');
  if (!e.host.empty()) {
    append(out, "http://");
    append(out, e.host);
  }
  append(out, e.target);
  out.push_back(' ');
  append_uint(out, e.status);
  out.push_back(' ');
  append_uint(out, e.bytes);
  out.push_back(' ');
  append_ms(out, t.duration);
  out.push_back(' ');
  append(out, e.cache);
  out.push_back(' ');
  append_status(out, e.upstream_status, "-");
  out.push_back(' ');
  append(out, e.upstream_name().empty() ? std::string_view("-") : e.upstream_name());
}

// "name":"value" or "name":null for an empty value, preceded by a comma.
void json_name(fmt::memory_buffer& out, std::string_view name) {
  append(out, ",\"");
  append(out, name);
  append(out, "\":");
}

void json_string(fmt::memory_buffer& out, std::string_view name, std::string_view value) {
  json_name(out, name);
  if (value.empty()) return append(out, "null");
  out.push_back('"');
  append_json_escaped(value, out);
  out.push_back('"');
}

// The URL as the line format writes it, without building it first.
void json_url(fmt::memory_buffer& out, const access_entry& e) {
  if (e.host.empty()) return json_string(out, "url", e.target);
  append(out, ",\"url\":\"http://");
  append_json_escaped(e.host, out);
  append_json_escaped(e.target, out);
  out.push_back('"');
}

void json_ms(fmt::memory_buffer& out, std::string_view name, std::chrono::microseconds us) {
  json_name(out, name);
  if (us.count() < 0) return append(out, "null");
  append_ms(out, us);
}

// 2026-11-22T10:04:05.123Z
void append_iso_time(fmt::memory_buffer& out, const civil_time& c) {
  append_padded(out, c.tm.tm_year + 1900, 4);
  out.push_back('-');
  append_padded(out, c.tm.tm_mon + 1, 2);
  out.push_back('-');
  append_padded(out, c.tm.tm_mday, 2);
  out.push_back('T');
  append_padded(out, c.tm.tm_hour, 2);
  out.push_back(':');
  append_padded(out, c.tm.tm_min, 2);
  out.push_back(':');
  append_padded(out, c.tm.tm_sec, 2);
  out.push_back('.');
  append_padded(out, c.millis, 3);
  out.push_back('Z');
}

void format_json(const access_entry& e, const access_times& t, fmt::memory_buffer& out) {
  append(out, "{\"time\":\"");
  append_iso_time(out, utc_of(t.now));
  out.push_back('"');
  json_string(out, "client", e.client);
  json_string(out, "method", e.method);
  json_url(out, e);
  append(out, e.version == 10 ? ",\"protocol\":\"HTTP/1.0\"" : ",\"protocol\":\"HTTP/1.1\"");
  json_name(out, "status");
  append_uint(out, e.status);
  json_name(out, "bytes");
  append_uint(out, e.bytes);
  json_ms(out, "duration_ms", t.duration);
  json_ms(out, "ttfb_ms", t.ttfb);
  json_string(out, "cache", e.cache);
  json_string(out, "range", e.range);
  json_name(out, "origin_bytes");
  append_uint(out, e.origin_bytes);
  json_name(out, "upstream_status");
  append_status(out, e.upstream_status, "null");
  json_string(out, "upstream", e.upstream_name());
  json_string(out, "referer", e.referer);
  json_string(out, "user_agent", e.user_agent);
  out.push_back('}');
}

// A quoted field of the combined format; "-" when empty, as Apache and nginx write it.
void combined_quoted(fmt::memory_buffer& out, std::string_view value) {
  out.push_back('"');
  if (value.empty())
    out.push_back('-');
  else
    append_combined_escaped(value, out);
  out.push_back('"');
}

constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// [22/Nov/2026:10:04:05 +0000]
void append_clf_time(fmt::memory_buffer& out, const civil_time& c) {
  out.push_back('[');
  append_padded(out, c.tm.tm_mday, 2);
  out.push_back('/');
  append(out, month_names[c.tm.tm_mon % 12]);
  out.push_back('/');
  append_padded(out, c.tm.tm_year + 1900, 4);
  out.push_back(':');
  append_padded(out, c.tm.tm_hour, 2);
  out.push_back(':');
  append_padded(out, c.tm.tm_min, 2);
  out.push_back(':');
  append_padded(out, c.tm.tm_sec, 2);
  append(out, " +0000]");
}

// "GET /path HTTP/1.1", or "-" when no request was read.
void append_request_line(fmt::memory_buffer& out, const access_entry& e) {
  out.push_back('"');
  if (e.method.empty()) {
    out.push_back('-');
  } else {
    append_combined_escaped(e.method, out);
    out.push_back(' ');
    append_combined_escaped(e.target, out);
    append(out, e.version == 10 ? " HTTP/1.0" : " HTTP/1.1");
  }
  out.push_back('"');
}

void format_combined(const access_entry& e, const access_times& t, fmt::memory_buffer& out) {
  // %h %l %u [%t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
  append_combined_escaped(e.client.empty() ? std::string_view("-") : e.client, out);
  append(out, " - - ");
  append_clf_time(out, utc_of(t.now));
  out.push_back(' ');
  append_request_line(out, e);
  out.push_back(' ');
  append_uint(out, e.status);
  out.push_back(' ');
  append_uint(out, e.bytes);
  out.push_back(' ');
  combined_quoted(out, e.referer);
  out.push_back(' ');
  combined_quoted(out, e.user_agent);
  // rangecache's fields, named, after the standard ones: tools that read the combined
  // format stop at the user agent, and a person or a script can still find each by name.
  append(out, " cache=");
  append(out, e.cache);
  append(out, " host=");
  combined_quoted(out, e.host);
  append(out, " range=");
  combined_quoted(out, e.range);
  append(out, " origin_bytes=");
  append_uint(out, e.origin_bytes);
  append(out, " ttfb_ms=");
  if (t.ttfb.count() < 0)
    out.push_back('-');
  else
    append_ms(out, t.ttfb);
  append(out, " upstream_status=");
  append_status(out, e.upstream_status, "-");
  append(out, " upstream=");
  append(out, e.upstream_name().empty() ? std::string_view("-") : e.upstream_name());
  append(out, " duration_ms=");
  append_ms(out, t.duration);
}

}  // namespace

access_times measure_access(const access_entry& e, access_log_format format) {
  access_times t;
  const auto now = std::chrono::steady_clock::now();
  // The line format's time comes from its logger's pattern.
  if (format != access_log_format::line) t.now = std::chrono::system_clock::now();
  t.duration = std::chrono::duration_cast<std::chrono::microseconds>(now - e.start);
  if (e.first_byte != std::chrono::steady_clock::time_point{})
    t.ttfb = std::chrono::duration_cast<std::chrono::microseconds>(e.first_byte - e.start);
  return t;
}

void format_access(access_log_format format, const access_entry& e, const access_times& t,
                   fmt::memory_buffer& out) {
  switch (format) {
    case access_log_format::json:
      return format_json(e, t, out);
    case access_log_format::combined:
      return format_combined(e, t, out);
    case access_log_format::line:
      break;
  }
  format_line(e, t, out);
}

}  // namespace rangecache::proxy
