#include "rangecache/range/cache_key.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rangecache/range/normalize.hpp"
#include "rangecache/range/parse.hpp"

namespace rangecache::range {
namespace {

struct url_case {
  url_parts url;
  std::string expected;
};

class CacheUrl : public ::testing::TestWithParam<url_case> {};

TEST_P(CacheUrl, Builds) {
  EXPECT_EQ(cache_url(GetParam().url), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, CacheUrl,
    ::testing::Values(
        url_case{{"http", "example.com", std::nullopt, "/a/b?c=d"}, "http://example.com/a/b?c=d"},
        url_case{{"HTTP", "Example.COM", std::nullopt, "/A/B?C=D"}, "http://example.com/A/B?C=D"},
        url_case{{"http", "example.com", 80, "/x"}, "http://example.com/x"},
        url_case{{"https", "example.com", 443, "/x"}, "https://example.com/x"},
        url_case{{"HTTPS", "example.com", 443, "/x"}, "https://example.com/x"},
        url_case{{"http", "example.com", 443, "/x"}, "http://example.com:443/x"},
        url_case{{"https", "example.com", 80, "/x"}, "https://example.com:80/x"},
        url_case{{"http", "127.0.0.1", 8000, "/naieve/obj"}, "http://127.0.0.1:8000/naieve/obj"},
        url_case{{"http", "[::1]", 8080, "/"}, "http://[::1]:8080/"},
        url_case{{"http", "[FE80::1]", std::nullopt, "/"}, "http://[fe80::1]/"},
        url_case{{"http", "h", 0, "/"}, "http://h:0/"},
        url_case{{"http", "h", 65535, "/"}, "http://h:65535/"},
        url_case{{"http", "h", std::nullopt, ""}, "http://h/"},
        url_case{{"http", "h", std::nullopt, "?q"}, "http://h/?q"},
        url_case{{"http", "h", std::nullopt, "/%7Efoo/%41"}, "http://h/%7Efoo/%41"}));

TEST(CacheKey, CompleteObjectKeyIsTheUrlField) {
  EXPECT_EQ(cache_key("http://h/obj"), "u12:http://h/obj");
}

TEST(CacheKey, RangeObjectKeys) {
  // The shapes of the ATS gold tests, normalized: equal ranges, one key.
  const std::string url = "http://127.0.0.1:8000/naieve/obj";
  const std::string u = "u32:" + url;
  auto key_for = [&](std::string_view header) {
    return range_object_key(url, parse_range(header).specs[0]);
  };
  EXPECT_EQ(key_for("bytes=0-5000"), u + "r12:bytes=0-5000");
  EXPECT_EQ(key_for("bytes=444-777"), u + "r13:bytes=444-777");
  EXPECT_EQ(key_for("bytes=-5"), u + "r8:bytes=-5");
  EXPECT_EQ(key_for("bytes=0-"), u + "r8:bytes=0-");
  EXPECT_EQ(key_for("bytes=0-099"), key_for("bytes=0-99"));
  EXPECT_EQ(key_for("Bytes= 0-99"), key_for("bytes=0-99"));
  EXPECT_NE(key_for("bytes=0-"), cache_key(url));  // never the complete object's key
  EXPECT_EQ(cache_key(url, normalize_range("bytes=00-99")->view()), u + "r10:bytes=0-99");
}

// A URL that ends like a range, or holds what looks like a header field, is still only a
// URL: no request for one object can name the key of another.
TEST(CacheKey, NoTwoInputsShareAKey) {
  const std::string url = "http://h/x";
  const std::vector<key_header> none;
  const std::vector<key_header> one{{"a", "b"}};
  const std::vector<key_header> absent{{"a", std::nullopt}};
  std::vector<std::string> keys{
      cache_key(url, "bytes=0-99"),
      cache_key(url + "-bytes=0-99"),
      cache_key(url + "r10:bytes=0-99"),
      cache_key(url + "u0:"),
      cache_key(url, "", one),
      cache_key(url + "h1:av1:b"),
      cache_key(url + "\na:b"),
      cache_key(url, "", absent),
      cache_key(url + "h1:aa"),
      cache_key(url, "bytes=0-99", one),
      cache_key(url + "r10:bytes=0-99", "", one),
      cache_key(url, "bytes=0-99h1:av1:b"),
      cache_key(url, "", std::vector<key_header>{{"a", "bh1:cv1:d"}}),
      cache_key(url, "", std::vector<key_header>{{"a", "b"}, {"c", "d"}}),
      cache_key(url, "", std::vector<key_header>{{"av1:bh1:c", "d"}}),
  };
  for (std::size_t i = 0; i < keys.size(); ++i)
    for (std::size_t j = i + 1; j < keys.size(); ++j)
      EXPECT_NE(keys[i], keys[j]) << i << " and " << j << ": " << keys[i];
}

TEST(CacheKey, LongKeysWork) {
  // Keys beyond 16 KiB.
  std::string path = "/" + std::string(16400, 'p');
  std::string url = cache_url({"http", "h", std::nullopt, path});
  std::string key = range_object_key(url, byte_range_spec::closed_range(0, 1));
  EXPECT_EQ(key, "u" + std::to_string(url.size()) + ":" + url + "r9:bytes=0-1");
}

TEST(CacheKey, ExtraHeaders) {
  std::vector<key_header> headers{
      {"Accept-Encoding", " gzip "}, {"X-Tenant", std::nullopt}, {"X-Empty", ""}};
  EXPECT_EQ(cache_key("http://h/o", "bytes=0-1", headers),
            "u10:http://h/or9:bytes=0-1h15:accept-encodingv4:gziph8:x-tenantah7:x-emptyv0:");
  EXPECT_EQ(cache_key("http://h/o", "", headers),
            "u10:http://h/oh15:accept-encodingv4:gziph8:x-tenantah7:x-emptyv0:");
  // Order is the caller's: it is part of the key.
  std::vector<key_header> swapped{headers[1], headers[0], headers[2]};
  EXPECT_NE(cache_key("http://h/o", "", headers), cache_key("http://h/o", "", swapped));
  // Absent and empty differ; values keep their case.
  EXPECT_NE(cache_key("u", "", std::vector<key_header>{{"a", std::nullopt}}),
            cache_key("u", "", std::vector<key_header>{{"a", ""}}));
  EXPECT_NE(cache_key("u", "", std::vector<key_header>{{"a", "X"}}),
            cache_key("u", "", std::vector<key_header>{{"a", "x"}}));
  EXPECT_EQ(cache_key("u", "", std::vector<key_header>{{"A", "x"}}),
            cache_key("u", "", std::vector<key_header>{{"a", "x"}}));
}

TEST(CacheKey, BlockKeysNameTheSizeAndTheBlock) {
  const auto base = cache_key("http://h/o");
  EXPECT_EQ(block_key(base, 1048576, 3), base + "b9:1048576/3");
  EXPECT_NE(block_key(base, 1048576, 3), block_key(base, 65536, 3));
  EXPECT_NE(block_key(base, 1048576, 3), block_key(base, 1048576, 30));
  // Never another URL's key, nor a range object's: the field is typed and comes last.
  EXPECT_NE(block_key(base, 1048576, 0), cache_key("http://h/ob9:1048576/0"));
  EXPECT_NE(block_key(base, 1048576, 0), cache_key("http://h/o", "bytes=0-1048575"));
}

TEST(CacheKey, ParentSelection) {
  EXPECT_EQ(parent_selection_input(parent_key_mode::url, "http://h/o", "http://h/o-bytes=0-1"),
            "http://h/o");
  EXPECT_EQ(
      parent_selection_input(parent_key_mode::cache_key, "http://h/o", "http://h/o-bytes=0-1"),
      "http://h/o-bytes=0-1");
}

}  // namespace
// The variants that write into a string the caller keeps give what the returning ones do,
// whatever the string held before (a longer key, a shorter one).
TEST(KeyInto, WritesTheSameKeyOverWhateverWasThere) {
  const key_header headers[] = {{"Host", "a.example"}, {"X-V", std::nullopt}};
  const byte_range_spec spec{byte_range_spec::form::closed, 5, 9, 0};
  for (std::string before : {std::string(), std::string(300, 'x'), std::string("u3:abc")}) {
    std::string key = before;
    cache_key_into(key, "http://o/p?q", "0-9", headers);
    EXPECT_EQ(key, cache_key("http://o/p?q", "0-9", headers));
    key = before;
    cache_key_into(key, "http://o/");
    EXPECT_EQ(key, cache_key("http://o/"));
    key = before;
    range_object_key_into(key, "http://o/v", spec, headers);
    EXPECT_EQ(key, range_object_key("http://o/v", spec, headers));
    key = before;
    const url_parts url{"HTTP", "Ex.Example", 8080, "/A?b"};
    cache_url(url, key);
    EXPECT_EQ(key, cache_url(url));
  }
}

}  // namespace rangecache::range
