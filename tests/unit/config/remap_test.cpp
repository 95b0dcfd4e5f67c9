// remap: from/to URLs, the wildcard host, repeats, and no_modify_cachekey (only with Range
// in the rule's cache key).
#include "config/remap_parse.hpp"

#include "config_test_util.hpp"

namespace rangecache::config {
namespace {

using testing::error_of;
using testing::load;

remap_rule from(std::string_view text) {
  remap_rule rule;
  const auto why = detail::parse_from(text, rule);
  EXPECT_EQ(why, "") << text;
  return rule;
}

remap_rule to(std::string_view text) {
  remap_rule rule;
  const auto why = detail::parse_to(text, rule);
  EXPECT_EQ(why, "") << text;
  return rule;
}

std::string from_error(std::string_view text) {
  remap_rule rule;
  return detail::parse_from(text, rule);
}

std::string to_error(std::string_view text) {
  remap_rule rule;
  return detail::parse_to(text, rule);
}

TEST(RemapFrom, HostPortPath) {
  const auto r = from("http://Videos.Example.COM:8080/Media/");
  EXPECT_EQ(r.from_scheme, "http");
  EXPECT_EQ(r.from_host, "videos.example.com");
  EXPECT_EQ(r.from_port, 8080);
  EXPECT_EQ(r.from_path, "/Media/");  // paths are case-sensitive
  EXPECT_EQ(r.from_text, "http://Videos.Example.COM:8080/Media/");
}

TEST(RemapFrom, NoPortMeansAnyPort) {
  const auto r = from("http://a.example/");
  EXPECT_FALSE(r.from_port);
  EXPECT_EQ(r.from_path, "/");
}

TEST(RemapFrom, SchemeIsCaseInsensitive) {
  EXPECT_EQ(from("HTTP://a/").from_scheme, "http");
}

TEST(RemapFrom, WildcardHost) {
  EXPECT_EQ(from("http://*/").from_host, "*");
  const auto r = from("http://*:8080/v/");
  EXPECT_EQ(r.from_host, "*");
  EXPECT_EQ(r.from_port, 8080);
  EXPECT_EQ(r.from_path, "/v/");
}

TEST(RemapFrom, IpLiterals) {
  EXPECT_EQ(from("http://127.0.0.1:8080/").from_host, "127.0.0.1");
  // Kept as a Host header carries it, brackets and all.
  const auto r = from("http://[::1]:8080/");
  EXPECT_EQ(r.from_host, "[::1]");
  EXPECT_EQ(r.from_port, 8080);
  EXPECT_EQ(from("http://[2001:DB8::1]/").from_host, "[2001:db8::1]");
}

TEST(RemapFrom, Errors) {
  EXPECT_NE(from_error("https://a/").find("https is not supported"), std::string::npos);
  EXPECT_NE(from_error("ftp://a/").find("expected an http:// URL"), std::string::npos);
  EXPECT_NE(from_error("http://a").find("a path after the host"), std::string::npos);
  EXPECT_NE(from_error("a.example/").find("an absolute URL"), std::string::npos);
  EXPECT_NE(from_error("/videos/").find("an absolute URL"), std::string::npos);
  EXPECT_NE(from_error("http:///").find("a host name"), std::string::npos);
  EXPECT_NE(from_error("http://a:0/").find("port"), std::string::npos);
  EXPECT_NE(from_error("http://a:65536/").find("port"), std::string::npos);
  EXPECT_NE(from_error("http://a:/").find("port"), std::string::npos);
  EXPECT_NE(from_error("http://a:x/").find("port"), std::string::npos);
  EXPECT_NE(from_error("http://user@a/").find("no user name"), std::string::npos);
  EXPECT_NE(from_error("http://a/?x=1").find("without a query"), std::string::npos);
  EXPECT_NE(from_error("http://a/#f").find("without a query or fragment"), std::string::npos);
  EXPECT_NE(from_error("http://a/b c").find("no spaces"), std::string::npos);
  EXPECT_NE(from_error("http://*.example.com/").find("* (any host)"), std::string::npos);
  EXPECT_NE(from_error("http://::1/").find("brackets"), std::string::npos);
  EXPECT_NE(from_error("http://[1.2.3.4]/").find("IPv6"), std::string::npos);
  EXPECT_NE(from_error("http://[::1/").find("brackets"), std::string::npos);
  EXPECT_NE(from_error("http://a b/").find("host"), std::string::npos);
}

TEST(RemapTo, DefaultsPortAndPath) {
  const auto r = to("http://origin.internal");
  EXPECT_EQ(r.to_scheme, "http");
  EXPECT_EQ(r.to_host, "origin.internal");
  EXPECT_EQ(r.to_port, 80);
  EXPECT_EQ(r.to_path, "/");
  EXPECT_EQ(r.to_text, "http://origin.internal");
}

TEST(RemapTo, PortAndPrefix) {
  const auto r = to("http://Origin:8000/store/v1");
  EXPECT_EQ(r.to_host, "origin");
  EXPECT_EQ(r.to_port, 8000);
  EXPECT_EQ(r.to_path, "/store/v1");
}

TEST(RemapTo, Ipv6WithoutBrackets) {
  const auto r = to("http://[::1]:8000/");
  EXPECT_EQ(r.to_host, "::1");
  EXPECT_EQ(r.to_port, 8000);
}

TEST(RemapTo, Errors) {
  EXPECT_NE(to_error("https://origin/").find("no TLS"), std::string::npos);
  EXPECT_NE(to_error("http://*/").find("a host name or an IP address"), std::string::npos);
  EXPECT_NE(to_error("http://origin:99999/").find("port"), std::string::npos);
  EXPECT_NE(to_error("origin:8000").find("an absolute URL"), std::string::npos);
  EXPECT_NE(to_error("http://").find("host"), std::string::npos);
}

TEST(RemapLoad, ErrorLinesForUrls) {
  EXPECT_CONFIG_ERROR_AT(R"(
listen: 127.0.0.1:8080
remap:
  - from: https://videos.example.com/
    to: http://127.0.0.1:8000/
)",
                         3, 11, "remap[0].from: https is not supported yet");
  EXPECT_CONFIG_ERROR_AT(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
  - from: http://c/
    to: tcp://d/
)",
                         6, 9, "remap[1].to: expected an http:// URL");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: [http://b/]
)",
                      4, "remap[0].to: expected a string, got a list");
}

TEST(RemapLoad, FromAndToAreRequired) {
  EXPECT_CONFIG_ERROR_AT(R"(
listen: 127.0.0.1:8080
remap:
  - to: http://b/
)",
                         3, 5, "remap[0].from: missing");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
)",
                      3, "remap[0].to: missing");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - http://a/
)",
                      3, "remap[0]: expected a map of keys, got 'http://a/'");
}

TEST(RemapLoad, AtLeastOneRule) {
  EXPECT_CONFIG_ERROR("listen: 127.0.0.1:8080\n", 1, "remap: at least one rule is needed");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap: []
)",
                      2, "remap: at least one rule is needed");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
)",
                      2, "remap: expected a list, got nothing");
}

TEST(RemapLoad, DuplicateFrom) {
  EXPECT_CONFIG_ERROR_AT(R"(
listen: 127.0.0.1:8080
remap:
  - { from: "http://a/v/", to: "http://b/" }
  - { from: "http://a/w/", to: "http://b/" }
  - { from: "http://A/v/", to: "http://c/" }
)",
                         5, 13, "remap[2].from: 'http://A/v/' repeats remap[0].from (line 3)");
}

TEST(RemapLoad, SameHostDifferentPortOrPathIsFine) {
  const auto cfg = load(R"(
listen: 127.0.0.1:8080
remap:
  - { from: "http://a/", to: "http://b/" }
  - { from: "http://a:8080/", to: "http://b/" }
  - { from: "http://a/v/", to: "http://b/" }
  - { from: "http://*/", to: "http://b/" }
  - { from: "http://*:8080/", to: "http://b/" }
)");
  EXPECT_EQ(cfg.remap.size(), 5u);
  EXPECT_EQ(cfg.remap[4].line, 7);
}

TEST(RemapLoad, CacheRangeRequestsForms) {
  const auto cfg = load(R"(
listen: 127.0.0.1:8080
remap:
  - { from: "http://a/", to: "http://b/", cache_range_requests: {} }
  - { from: "http://c/", to: "http://b/", cache_range_requests: true }
  - { from: "http://d/", to: "http://b/", cache_range_requests: false }
  - { from: "http://e/", to: "http://b/" }
  - { from: "http://f/", to: "http://b/", cache_range_requests: { consider_ims: false, ims_header: X-Other } }
)");
  EXPECT_TRUE(cfg.remap[0].cache_range_requests.enabled);
  EXPECT_FALSE(cfg.remap[0].cache_range_requests.consider_ims);
  EXPECT_TRUE(cfg.remap[1].cache_range_requests.enabled);
  EXPECT_FALSE(cfg.remap[2].cache_range_requests.enabled);
  EXPECT_FALSE(cfg.remap[3].cache_range_requests.enabled);
  // An explicit false wins over the ATS habit of "naming the header turns it on".
  EXPECT_TRUE(cfg.remap[4].cache_range_requests.enabled);
  EXPECT_FALSE(cfg.remap[4].cache_range_requests.consider_ims);
  EXPECT_EQ(cfg.remap[4].cache_range_requests.ims_header, "X-Other");
}

TEST(RemapLoad, CacheRangeRequestsBadValues) {
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_range_requests: [consider_ims]
)",
                      5, "remap[0].cache_range_requests: expected true, false or a map of options");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_range_requests: { ims_header: "X Crr" }
)",
                      5, "remap[0].cache_range_requests.ims_header: expected a header name");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_range_requests: { verify_cacheability: 1 }
)",
                      5, "expected true or false, got '1'");
}

TEST(RemapLoad, BackgroundFetchForms) {
  const auto cfg = load(R"(
listen: 127.0.0.1:8080
remap:
  - { from: "http://a/", to: "http://b/", background_fetch: true }
  - { from: "http://c/", to: "http://b/", background_fetch: false }
  - { from: "http://d/", to: "http://b/", background_fetch: {} }
  - { from: "http://e/", to: "http://b/", background_fetch: { rules: [] } }
)");
  EXPECT_TRUE(cfg.remap[0].background_fetch);
  EXPECT_FALSE(cfg.remap[0].background_fetch_rules);
  EXPECT_FALSE(cfg.remap[1].background_fetch);
  EXPECT_TRUE(cfg.remap[2].background_fetch);
  EXPECT_FALSE(cfg.remap[2].background_fetch_rules);
  EXPECT_TRUE(cfg.remap[3].background_fetch);
  ASSERT_TRUE(cfg.remap[3].background_fetch_rules);  // an empty override: fetch everything
  EXPECT_TRUE(cfg.remap[3].background_fetch_rules->empty());
}

TEST(RemapLoad, NoModifyCachekeyNeedsRangeInTheKey) {
  EXPECT_CONFIG_ERROR_AT(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_range_requests:
      no_modify_cachekey: true
)",
                         6, 27, "no_modify_cachekey: true needs cache_key: { headers: [Range] }");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_range_requests: { no_modify_cachekey: true }
    cache_key: { headers: [Accept-Encoding] }
)",
                      5, "cached under the bare URL");
  const auto ok = load(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_range_requests: { no_modify_cachekey: true }
    cache_key: { headers: [Accept-Encoding, RANGE] }
  - from: http://c/
    to: http://b/
    cache_range_requests: { no_modify_cachekey: false }
)");
  EXPECT_TRUE(ok.remap[0].cache_range_requests.no_modify_cachekey);
  EXPECT_FALSE(ok.remap[1].cache_range_requests.no_modify_cachekey);
}

TEST(RemapLoad, CacheKeyHeaders) {
  const auto cfg = load(R"(
listen: 127.0.0.1:8080
remap:
  - { from: "http://a/", to: "http://b/", cache_key: { headers: Range } }
  - { from: "http://c/", to: "http://b/", cache_key: {} }
)");
  EXPECT_EQ(cfg.remap[0].cache_key_headers, std::vector<std::string>{"Range"});
  EXPECT_TRUE(cfg.remap[1].cache_key_headers.empty());
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_key:
      headers: [Range, "Bad Header"]
)",
                      6, "remap[0].cache_key.headers[1]: expected a header name");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_key:
      headers:
        - Range
        - range
)",
                      8, "remap[0].cache_key.headers[1]: header 'range' is listed twice");
}

}  // namespace
}  // namespace rangecache::config
