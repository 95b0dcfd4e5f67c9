#include "access_log.hpp"

#include <chrono>
#include <ctime>

namespace rangecache::proxy {
namespace {

// "2026-11-30T05:42:56.123+00:00 ": the time in UTC with milliseconds, as the line format
// starts. The part up to the seconds is formatted once a second per thread.
void append_line_time(fmt::memory_buffer& out) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  const std::time_t sec = static_cast<std::time_t>(ms / 1000);
  thread_local std::time_t cached_sec = -1;
  thread_local char cached[20];
  if (sec != cached_sec) {
    std::tm tm{};
    gmtime_r(&sec, &tm);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_sec = sec;
  }
  const auto milli = static_cast<int>(ms % 1000);
  char tail[] = ".000+00:00 ";
  tail[1] = static_cast<char>('0' + milli / 100);
  tail[2] = static_cast<char>('0' + milli / 10 % 10);
  tail[3] = static_cast<char>('0' + milli % 10);
  out.append(cached, cached + 19);
  out.append(tail, tail + sizeof tail - 1);
}

}  // namespace

void access_log::format(const access_entry& e, fmt::memory_buffer& out) const {
  if (format_ == config::access_log_format::line) append_line_time(out);
  format_access(format_, e, measure_access(e, format_), out);
}

void access_log::write_lines(std::string_view lines) const {
  // The logger's pattern is the message alone, and it ends the message with a newline.
  logger_->log(spdlog::level::info, spdlog::string_view_t(lines.data(), lines.size()));
}

void access_batch::add(const std::shared_ptr<const access_log>& log, const access_entry& e) {
  if (log != log_) {
    write_out();
    log_ = log;
  }
  if (lines_.size() > 0) lines_.push_back('\n');
  log_->format(e, lines_);
  if (lines_.size() >= batch_bytes) write_out();
}

void access_batch::write_out() {
  if (lines_.size() == 0) return;
  log_->write_lines(std::string_view(lines_.data(), lines_.size()));
  lines_.clear();
}

}  // namespace rangecache::proxy
