#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace rc_test {

struct memory_usage {
  std::int64_t vm_rss_kib = 0;    // VmRSS: all resident memory, shared file pages included
  std::int64_t rss_anon_kib = 0;  // RssAnon: heap and stacks, what a leak or buffering grows
};

// From /proc/PID/status; nullopt if the process is gone or the fields are missing.
std::optional<memory_usage> rss_kib(pid_t pid);

// False in the AddressSanitizer build: there the daemon's anonymous memory also holds the
// sanitizer's quarantine of freed blocks and its shadow memory, so a bound on RssAnon says
// nothing about rangecache. Tests check their memory bounds only when this is true.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool memory_bounds_apply = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool memory_bounds_apply = false;
#else
inline constexpr bool memory_bounds_apply = true;
#endif
#else
inline constexpr bool memory_bounds_apply = true;
#endif

}  // namespace rc_test
