#include "sanitizer_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

namespace rc_test {

std::string sanitizer_report(std::string_view text, std::size_t max_lines) {
  // The first line of each kind of report ("==PID==ERROR: AddressSanitizer: ...",
  // "file:line:col: runtime error: ..." for UBSan).
  static constexpr std::array<std::string_view, 3> markers{
      "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", ": runtime error: "};
  std::size_t first = std::string_view::npos;
  for (auto marker : markers) first = std::min(first, text.find(marker));
  if (first == std::string_view::npos) return {};
  const auto line_start = text.rfind('\n', first);
  text.remove_prefix(line_start == std::string_view::npos ? 0 : line_start + 1);
  std::size_t end = 0;
  for (std::size_t lines = 0; lines < max_lines && end < text.size(); ++lines) {
    const auto eol = text.find('\n', end);
    end = eol == std::string_view::npos ? text.size() : eol + 1;
  }
  return std::string(text.substr(0, end));
}

void expect_no_sanitizer_report(std::string_view stderr_text, std::string_view who) {
  const auto report = sanitizer_report(stderr_text);
  if (!report.empty())
    ADD_FAILURE() << who << " reported a memory or undefined-behaviour bug:\n" << report;
}

}  // namespace rc_test
