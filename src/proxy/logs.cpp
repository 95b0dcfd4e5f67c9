#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "logs.hpp"
#include "rangecache/proxy/server.hpp"

namespace rangecache::proxy {

void setup_error_log(const config::config& cfg, const std::string& level_override) {
  std::shared_ptr<spdlog::logger> logger;
  if (cfg.log.error.empty()) {
    logger = std::make_shared<spdlog::logger>("rangecache",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(cfg.log.error);
    logger = std::make_shared<spdlog::logger>("rangecache", sink);
  }
  auto level = spdlog::level::from_str(level_override.empty() ? cfg.log.level : level_override);
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%l] %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
}

std::shared_ptr<const access_log> make_access_log(const config::config& cfg) {
  if (cfg.log.access.empty()) return nullptr;
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (cfg.log.access == "stdout")
    sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  else
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(cfg.log.access);
  auto logger = std::make_shared<spdlog::logger>("access", sink);
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::err);
  // The line is written whole by access_log::write (the line format's time prefix too, which
  // costs less there than spdlog's pattern does per line).
  logger->set_pattern("%v");
  return std::make_shared<const access_log>(std::move(logger), cfg.log.access_format);
}

std::shared_ptr<spdlog::logger> make_fetch_log(const config::config& cfg) {
  if (cfg.background_fetch.log.empty()) return nullptr;
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(cfg.background_fetch.log);
  auto logger = std::make_shared<spdlog::logger>("fetch", sink);
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);  // one line per fetch: rare enough to flush each
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %v", spdlog::pattern_time_type::utc);
  return logger;
}

}  // namespace rangecache::proxy
