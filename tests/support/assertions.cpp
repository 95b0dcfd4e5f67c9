#include "assertions.hpp"

#include <algorithm>
#include <string>

#include "content.hpp"
#include "sha256.hpp"

namespace rc_test {
namespace {

std::string hex_window(std::string_view data, std::size_t at) {
  const auto from = at >= 8 ? at - 8 : 0;
  return to_hex(data.substr(from, 24));
}

}  // namespace

::testing::AssertionResult same_bytes(std::string_view actual, std::string_view expected) {
  const auto common = std::min(actual.size(), expected.size());
  const auto mismatch = std::mismatch(actual.begin(), actual.begin() + common, expected.begin());
  const auto at = static_cast<std::size_t>(mismatch.first - actual.begin());
  if (at == common && actual.size() == expected.size()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  failure << "actual has " << actual.size() << " bytes, expected " << expected.size();
  if (at < common) {
    const auto from = at >= 8 ? at - 8 : 0;
    failure << "; first difference at offset " << at << "\n  actual   [" << from
            << "..]: " << hex_window(actual, at) << "\n  expected [" << from
            << "..]: " << hex_window(expected, at);
  } else {
    failure << "; equal over the first " << common << " bytes";
  }
  return failure;
}

::testing::AssertionResult is_content(std::string_view actual, std::string_view name,
                                      std::uint64_t offset, std::uint64_t length,
                                      std::string_view version) {
  return same_bytes(actual,
                    expected_bytes(name, offset, static_cast<std::size_t>(length), version));
}

}  // namespace rc_test
