// Sizes and durations as people write them in config files.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rangecache::util {

// "10GiB", "512MiB", "64KiB", "1TiB", "100" (bytes), also "10GB" = 10^9 * 10 and "10G" = GiB.
std::optional<std::uint64_t> parse_size(std::string_view text);

// "500ms", "5s", "2m", "1h", "1d", or a bare number of seconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace rangecache::util
