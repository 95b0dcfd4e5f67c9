// Via entries that name a tier node (loop prevention) and those that do not.
#include <gtest/gtest.h>

#include <array>

#include "rangecache/tier/via.hpp"

namespace rangecache::tier {
namespace {

TEST(Via, Table) {
  const std::array<std::string_view, 2> names = {"10.0.0.11:8080", "edge-1"};
  struct row {
    std::string_view via;
    bool named;
  };
  const row table[] = {
      {"", false},
      {"1.1 10.0.0.11:8080", true},
      {"1.1 10.0.0.12:8080", false},
      {"1.1 rangecache", false},
      {"1.0 fred, 1.1 10.0.0.11:8080", true},
      {"1.1 10.0.0.11:8080 (rangecache)", true},
      {"HTTP/1.1 EDGE-1", true},  // names compare without case
      {"1.1 edge-10", false},     // whole names only
      {"1.1 10.0.0.11:80800", false},
      {"10.0.0.11:8080", false},  // no protocol: not a received-by
      {" , ,1.1   edge-1  ", true},
      {"1.1 x, 1.1 y (a, b), 1.1 z", false},
  };
  for (const auto& t : table) EXPECT_EQ(via_names_any(t.via, names), t.named) << t.via;
}

}  // namespace
}  // namespace rangecache::tier
