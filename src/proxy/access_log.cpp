#include "access_log.hpp"

namespace rangecache::proxy {

void access_log::write(const access_entry& e) const {
  fmt::memory_buffer line;
  format_access(format_, e, measure_access(e, format_), line);
  logger_->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace rangecache::proxy
