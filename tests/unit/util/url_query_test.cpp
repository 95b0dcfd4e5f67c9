#include <gtest/gtest.h>

#include "rangecache/util/url_query.hpp"

using namespace rangecache::util;

TEST(UrlQuery, PathIsWhatComesBeforeTheQuery) {
  EXPECT_EQ(target_path("/purge?url=x"), "/purge");
  EXPECT_EQ(target_path("/health"), "/health");
  EXPECT_EQ(target_path("/?"), "/");
}

TEST(UrlQuery, ParamsAreFoundAndDecoded) {
  struct param_case {
    const char* target;
    const char* name;
    std::optional<std::string> value;
  };
  const param_case table[] = {
      {"/purge?url=http%3A%2F%2Fa%2Fb%3Fx%3D1%26y%3D2", "url", "http://a/b?x=1&y=2"},
      {"/purge?range=0-9&url=http://a/b", "url", "http://a/b"},
      {"/purge?url=a+b%20c", "url", "a+b c"},
      {"/purge?url=", "url", ""},
      {"/purge?url", "url", ""},
      {"/purge?urls=x&url=y", "url", "y"},
      {"/purge?url=x&url=y", "url", "x"},
      {"/purge?other=x", "url", std::nullopt},
      {"/purge", "url", std::nullopt},
      {"/purge?url=%zz", "url", std::nullopt},
      {"/purge?url=%4", "url", std::nullopt},
      {"/purge?url=100%", "url", std::nullopt},
      {"/purge?url=%00nul", "url", std::string("\0nul", 4)},
  };
  for (const auto& c : table) EXPECT_EQ(query_param(c.target, c.name), c.value) << c.target;
}

TEST(UrlQuery, EncodeLeavesOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("http://h:8080/a b?x=1&y=%+"),
            "http%3A%2F%2Fh%3A8080%2Fa%20b%3Fx%3D1%26y%3D%25%2B");
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("\xc3\xa9"), "%C3%A9");
  for (std::string s : {"http://h/p?q=1&r=a+b", "caf\xc3\xa9 %41", ""})
    EXPECT_EQ(query_param("/x?url=" + percent_encode(s), "url"), s) << s;
}

namespace rangecache::util {
namespace {

TEST(UrlQuery, RestTakesAnUnencodedUrlWhole) {
  EXPECT_EQ(query_rest("/owner?url=http://h/p?a=1&b=2", "url"), "http://h/p?a=1&b=2");
  EXPECT_EQ(query_rest("/owner?x=1&url=http%3A%2F%2Fh%2Fp", "url"), "http://h/p");
  EXPECT_EQ(query_rest("/owner?curl=1&url=u", "url"), "u");
  EXPECT_FALSE(query_rest("/owner?x=1", "url"));
  EXPECT_FALSE(query_rest("/owner", "url"));
  EXPECT_FALSE(query_rest("/owner?url=%zz", "url"));
}

}  // namespace
}  // namespace rangecache::util
