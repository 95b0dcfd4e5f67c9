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

}  // namespace rc_test
