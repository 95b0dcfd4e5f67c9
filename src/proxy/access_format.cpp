// The three access-log formats. Each appends to a fmt buffer whose inline storage holds a
// typical line, so writing one costs no allocation.
#include "rangecache/proxy/access_format.hpp"

#include <time.h>

#include <iterator>

namespace rangecache::proxy {
namespace {

using config::access_log_format;

auto out_it(fmt::memory_buffer& out) {
  return std::back_inserter(out);
}

void append(fmt::memory_buffer& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

// Milliseconds with three decimals, as the line format has always written them.
void append_ms(fmt::memory_buffer& out, std::chrono::microseconds us) {
  const auto n = us.count();
  fmt::format_to(out_it(out), "{}.{:03}", n / 1000, n % 1000);
}

struct civil_time {
  struct tm tm {};
  long millis = 0;
};

civil_time utc_of(std::chrono::system_clock::time_point now) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  civil_time c;
  const time_t secs = static_cast<time_t>(ms.count() / 1000);
  gmtime_r(&secs, &c.tm);
  c.millis = static_cast<long>(ms.count() % 1000);
  return c;
}

void format_line(const access_entry& e, const access_times& t, fmt::memory_buffer& out) {
  // Fields: client method url status bytes duration_ms cache upstream_status
  fmt::format_to(out_it(out), "{} {} {}{}{} {} {} ", e.client, e.method,
                 e.host.empty() ? "" : "http://", e.host, e.target, e.status, e.bytes);
  append_ms(out, t.duration);
  fmt::format_to(out_it(out), " {} ", e.cache);
  if (e.upstream_status)
    fmt::format_to(out_it(out), "{}", e.upstream_status);
  else
    out.push_back('-');
}

// "name":"value" or "name":null for an empty value, preceded by a comma.
void json_string(fmt::memory_buffer& out, std::string_view name, std::string_view value) {
  fmt::format_to(out_it(out), ",\"{}\":", name);
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
  fmt::format_to(out_it(out), ",\"{}\":", name);
  if (us.count() < 0) return append(out, "null");
  append_ms(out, us);
}

void format_json(const access_entry& e, const access_times& t, fmt::memory_buffer& out) {
  const auto c = utc_of(t.now);
  fmt::format_to(out_it(out), "{{\"time\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z\"",
                 c.tm.tm_year + 1900, c.tm.tm_mon + 1, c.tm.tm_mday, c.tm.tm_hour, c.tm.tm_min,
                 c.tm.tm_sec, c.millis);
  json_string(out, "client", e.client);
  json_string(out, "method", e.method);
  json_url(out, e);
  fmt::format_to(out_it(out), ",\"protocol\":\"HTTP/1.{}\",\"status\":{},\"bytes\":{}",
                 e.version == 10 ? 0 : 1, e.status, e.bytes);
  json_ms(out, "duration_ms", t.duration);
  json_ms(out, "ttfb_ms", t.ttfb);
  json_string(out, "cache", e.cache);
  json_string(out, "range", e.range);
  fmt::format_to(out_it(out), ",\"origin_bytes\":{},\"upstream_status\":", e.origin_bytes);
  if (e.upstream_status)
    fmt::format_to(out_it(out), "{}", e.upstream_status);
  else
    append(out, "null");
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

void format_combined(const access_entry& e, const access_times& t, fmt::memory_buffer& out) {
  const auto c = utc_of(t.now);
  // %h %l %u [%t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
  append_combined_escaped(e.client.empty() ? std::string_view("-") : e.client, out);
  fmt::format_to(out_it(out), " - - [{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000] \"", c.tm.tm_mday,
                 month_names[c.tm.tm_mon % 12], c.tm.tm_year + 1900, c.tm.tm_hour, c.tm.tm_min,
                 c.tm.tm_sec);
  if (e.method.empty()) {
    out.push_back('-');
  } else {
    append_combined_escaped(e.method, out);
    out.push_back(' ');
    append_combined_escaped(e.target, out);
    fmt::format_to(out_it(out), " HTTP/1.{}", e.version == 10 ? 0 : 1);
  }
  fmt::format_to(out_it(out), "\" {} {} ", e.status, e.bytes);
  combined_quoted(out, e.referer);
  out.push_back(' ');
  combined_quoted(out, e.user_agent);
  // rangecache's fields, named, after the standard ones: tools that read the combined
  // format stop at the user agent, and a person or a script can still find each by name.
  fmt::format_to(out_it(out), " cache={} host=", e.cache);
  combined_quoted(out, e.host);
  append(out, " range=");
  combined_quoted(out, e.range);
  fmt::format_to(out_it(out), " origin_bytes={} ttfb_ms=", e.origin_bytes);
  if (t.ttfb.count() < 0)
    out.push_back('-');
  else
    append_ms(out, t.ttfb);
  append(out, " upstream_status=");
  if (e.upstream_status)
    fmt::format_to(out_it(out), "{}", e.upstream_status);
  else
    out.push_back('-');
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
