// What a successful unsafe request invalidates (RFC 9111 §4.4).
#include <gtest/gtest.h>

#include <array>

#include "rangecache/plan/invalidation.hpp"

using namespace rangecache::plan;

TEST(Invalidation, UnsafeAndUnknownMethodsWithNonErrorAnswersInvalidate) {
  struct row {
    const char* method;
    unsigned status;
    bool invalidates;
  };
  for (const auto& r : std::initializer_list<row>{{"POST", 200, true},
                                                  {"PUT", 201, true},
                                                  {"DELETE", 204, true},
                                                  {"PATCH", 302, true},
                                                  {"FROB", 200, true},  // unknown method
                                                  {"POST", 404, false},
                                                  {"DELETE", 500, false},
                                                  {"GET", 200, false},
                                                  {"HEAD", 200, false},
                                                  {"OPTIONS", 200, false},
                                                  {"TRACE", 200, false}})
    EXPECT_EQ(invalidates(r.method, r.status), r.invalidates) << r.method << " " << r.status;
}

TEST(Invalidation, OnlySameOriginLocationsAreTargets) {
  const std::array<std::string_view, 2> same = {"www.example.com", "10.0.0.1:8080"};
  struct row {
    const char* reference;
    std::optional<std::string> target;
  };
  for (const auto& r : std::initializer_list<row>{
           {"/items/7", "/items/7"},
           {" /items/7#frag ", "/items/7"},
           {"http://www.example.com/items/7?x=1", "/items/7?x=1"},
           {"HTTP://WWW.EXAMPLE.COM:80/a", "/a"},
           {"http://www.example.com", "/"},
           {"http://www.example.com?q", "/?q"},
           {"http://10.0.0.1:8080/b", "/b"},
           {"7", "/items/7"},  // relative to /items/new
           {"sub/8", "/items/sub/8"},
           {"http://10.0.0.1/b", std::nullopt},  // another port
           {"http://evil.example.net/items/7", std::nullopt},
           {"https://www.example.com/items/7", std::nullopt},
           {"//www.example.com/items/7", std::nullopt},
           {"mailto:a@b", std::nullopt},
           {"", std::nullopt},
       })
    EXPECT_EQ(same_origin_target(r.reference, "/items/new?draft=1", same), r.target) << r.reference;
}
