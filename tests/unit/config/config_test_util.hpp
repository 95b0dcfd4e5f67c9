// Shared by the config tests: load YAML from a string, or get the error it must raise.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "rangecache/config/config.hpp"

namespace rangecache::config::testing {

// Raw strings in the tests start with a newline so the YAML can begin on its own line;
// dropping it makes line 1 of the string line 1 of the document.
inline std::string doc(std::string_view text) {
  if (text.starts_with('\n')) text.remove_prefix(1);
  return std::string(text);
}

inline config load(std::string_view text) {
  return load_string(doc(text), "test.yaml");
}

inline config_error error_of(std::string_view text) {
  try {
    load_string(doc(text), "test.yaml");
  } catch (const config_error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a config_error for:\n" << text;
  return config_error("", -1, -1, "no error");
}

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// The error must be at `line` (and `column`, unless it is -1) and mention `fragment`.
inline void check_error(std::string_view yaml, int line, int column, std::string_view fragment) {
  const auto err = error_of(yaml);
  EXPECT_EQ(err.line(), line) << err.what();
  if (column >= 0) {
    EXPECT_EQ(err.column(), column) << err.what();
  }
  EXPECT_TRUE(contains(err.what(), fragment)) << err.what() << "\n  lacks: " << fragment;
}

// Macros only so that a failure names the test's line, not check_error's.
#define EXPECT_CONFIG_ERROR(yaml, line, fragment)                         \
  do {                                                                    \
    SCOPED_TRACE("expected config error");                                \
    ::rangecache::config::testing::check_error(yaml, line, -1, fragment); \
  } while (0)

#define EXPECT_CONFIG_ERROR_AT(yaml, line, column, fragment)                  \
  do {                                                                        \
    SCOPED_TRACE("expected config error");                                    \
    ::rangecache::config::testing::check_error(yaml, line, column, fragment); \
  } while (0)

// A valid head for tests that only care about what follows (lines 1-2).
inline constexpr std::string_view base = R"(listen: "127.0.0.1:8080"
remap: [{ from: "http://a/", to: "http://127.0.0.1:8000/" }]
)";

inline std::string with_base(std::string_view rest) {
  return std::string(base) + doc(rest);
}

}  // namespace rangecache::config::testing
