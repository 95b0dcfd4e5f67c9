#pragma once

#include <string>
#include <string_view>

namespace rc_test {

// The AddressSanitizer, LeakSanitizer or UBSan report in a child's stderr, from its first
// line on (at most `max_lines` lines), or "" when there is none. A sanitized daemon that
// hits a bug prints this and aborts, or reports leaks as it exits; the tests that started
// it must fail even when its answers looked right, so they look for it here.
std::string sanitizer_report(std::string_view stderr_text, std::size_t max_lines = 60);

// Adds a gtest failure naming `who` with the report, when `stderr_text` holds one.
void expect_no_sanitizer_report(std::string_view stderr_text, std::string_view who);

}  // namespace rc_test
