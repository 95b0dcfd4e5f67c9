#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

namespace rc_test {

// Byte-exact comparison that reports the first differing offset with a little hex context
// instead of printing megabytes: EXPECT_TRUE(same_bytes(r.body, expected)).
::testing::AssertionResult same_bytes(std::string_view actual, std::string_view expected);

// Compares a body with `length` bytes of the origin's content for `name` at `offset`.
::testing::AssertionResult is_content(std::string_view actual, std::string_view name,
                                      std::uint64_t offset, std::uint64_t length,
                                      std::string_view version = {});

}  // namespace rc_test
