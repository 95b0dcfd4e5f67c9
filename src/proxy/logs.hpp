#pragma once

#include <memory>

#include <spdlog/logger.h>

#include "access_log.hpp"
#include "rangecache/config/config.hpp"

namespace rangecache::proxy {

// Null when access logging is off. Throws spdlog::spdlog_ex when the file cannot be opened.
std::shared_ptr<const access_log> make_access_log(const config::config& cfg);

// The background-fetch log (background_fetch.log), or null.
std::shared_ptr<spdlog::logger> make_fetch_log(const config::config& cfg);

}  // namespace rangecache::proxy
