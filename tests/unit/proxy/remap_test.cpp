#include "rangecache/proxy/remap.hpp"

#include <gtest/gtest.h>

using namespace rangecache;
using proxy::match_rule;
using proxy::parse_authority;
using proxy::rewrite_target;

namespace {

config::remap_rule rule(std::string host, std::optional<std::uint16_t> port, std::string path,
                        std::string to_path, std::string to_host = "127.0.0.1",
                        std::uint16_t to_port = 8000) {
  config::remap_rule r;
  r.from_host = std::move(host);
  r.from_port = port;
  r.from_path = std::move(path);
  r.to_host = std::move(to_host);
  r.to_port = to_port;
  r.to_path = std::move(to_path);
  return r;
}

}  // namespace

TEST(Authority, OriginFormUsesHost) {
  auto a = parse_authority("/a/b?x=1", "Videos.Example.com:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "videos.example.com");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->path_and_query, "/a/b?x=1");
}

TEST(Authority, AbsoluteFormWinsOverHost) {
  auto a = parse_authority("http://Origin.test/x?q", "other");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "origin.test");
  EXPECT_FALSE(a->port);
  EXPECT_EQ(a->path_and_query, "/x?q");
}

TEST(Authority, Ipv6Host) {
  auto a = parse_authority("/", "[::1]:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 8080);
}

TEST(Authority, Malformed) {
  EXPECT_FALSE(parse_authority("/", ""));
  EXPECT_FALSE(parse_authority("/", "a b"));
  EXPECT_FALSE(parse_authority("/", "host:99999"));
  EXPECT_FALSE(parse_authority("/", "host:0"));
  EXPECT_FALSE(parse_authority("/", ":80"));  // RFC 3986 allows "host:" (empty port)
  EXPECT_FALSE(parse_authority("/", "[::1"));
  EXPECT_FALSE(parse_authority("*", "host"));
  EXPECT_FALSE(parse_authority("relative", "host"));
  EXPECT_FALSE(parse_authority("http://host", "host"));
}

TEST(Remap, LongestPrefixWins) {
  std::vector<config::remap_rule> rules{rule("v.test", std::nullopt, "/", "/all/"),
                                        rule("v.test", std::nullopt, "/videos/", "/v/"),
                                        rule("v.test", std::nullopt, "/videos/hd/", "/hd/")};
  auto a = parse_authority("/videos/hd/x.mp4", "v.test");
  ASSERT_TRUE(a);
  auto* r = match_rule(rules, *a);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->to_path, "/hd/");
  EXPECT_EQ(rewrite_target(*r, a->path_and_query), "/hd/x.mp4");

  a = parse_authority("/videos/sd.mp4?t=1", "v.test");
  r = match_rule(rules, *a);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(rewrite_target(*r, a->path_and_query), "/v/sd.mp4?t=1");

  a = parse_authority("/other", "v.test");
  r = match_rule(rules, *a);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(rewrite_target(*r, a->path_and_query), "/all/other");
}

TEST(Remap, NoRuleMeansNoMatch) {
  std::vector<config::remap_rule> rules{rule("v.test", std::nullopt, "/videos/", "/")};
  EXPECT_EQ(match_rule(rules, *parse_authority("/videos/a", "evil.test")), nullptr);
  EXPECT_EQ(match_rule(rules, *parse_authority("/other/a", "v.test")), nullptr);
  // Query strings never help a path match.
  EXPECT_EQ(match_rule(rules, *parse_authority("/x?/videos/", "v.test")), nullptr);
}

TEST(Remap, PortMustMatchWhenGiven) {
  std::vector<config::remap_rule> rules{rule("v.test", 8080, "/", "/")};
  EXPECT_NE(match_rule(rules, *parse_authority("/", "v.test:8080")), nullptr);
  EXPECT_EQ(match_rule(rules, *parse_authority("/", "v.test:9090")), nullptr);
  EXPECT_EQ(match_rule(rules, *parse_authority("/", "v.test")), nullptr);
}

TEST(Remap, WildcardHostLosesToNamedHost) {
  std::vector<config::remap_rule> rules{rule("*", std::nullopt, "/", "/any/"),
                                        rule("v.test", std::nullopt, "/", "/named/")};
  EXPECT_EQ(match_rule(rules, *parse_authority("/", "v.test"))->to_path, "/named/");
  EXPECT_EQ(match_rule(rules, *parse_authority("/", "w.test"))->to_path, "/any/");
}

TEST(Remap, OriginHostHeader) {
  EXPECT_EQ(proxy::origin_host_header(rule("a", {}, "/", "/", "10.0.0.1", 80)), "10.0.0.1");
  EXPECT_EQ(proxy::origin_host_header(rule("a", {}, "/", "/", "10.0.0.1", 8000)), "10.0.0.1:8000");
  EXPECT_EQ(proxy::origin_host_header(rule("a", {}, "/", "/", "::1", 8000)), "[::1]:8000");
}

namespace rangecache::proxy {
namespace {

struct dot_case {
  const char* in;
  const char* out;  // nullptr: already normal
};

class NormalizePath : public ::testing::TestWithParam<dot_case> {};

TEST_P(NormalizePath, RemovesDotSegments) {
  auto got = normalize_path(GetParam().in);
  if (!GetParam().out) {
    EXPECT_FALSE(got.has_value()) << *got;
  } else {
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, GetParam().out);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, NormalizePath,
    ::testing::Values(dot_case{"/", nullptr}, dot_case{"/a/b", nullptr}, dot_case{"/a/b/", nullptr},
                      dot_case{"/a..b/c.d", nullptr}, dot_case{"/a/%2e%2ex", nullptr},
                      dot_case{"/a?x=/../y", nullptr}, dot_case{"/...", nullptr},
                      dot_case{"/a/./b", "/a/b"}, dot_case{"/a/../b", "/b"},
                      dot_case{"/a/b/..", "/a/"}, dot_case{"/a/b/.", "/a/b/"}, dot_case{"/..", "/"},
                      dot_case{"/../../x", "/x"}, dot_case{"/a/%2e%2e/b", "/b"},
                      dot_case{"/a/%2E%2e/b", "/b"}, dot_case{"/a/%2e/b", "/a/b"},
                      dot_case{"/a/.%2e/b", "/b"}, dot_case{"/v/../admin?x=1", "/admin?x=1"},
                      dot_case{"/a/./", "/a/"}, dot_case{"/a//../b", "/a/b"}));

TEST(AuthorityHost, KeepsThePortAndBracketsV6) {
  request_authority a;
  a.host = "a.test";
  EXPECT_EQ(authority_host_header(a), "a.test");
  a.port = 8080;
  EXPECT_EQ(authority_host_header(a), "a.test:8080");
  a.host = "::1";
  EXPECT_EQ(authority_host_header(a), "[::1]:8080");
}

}  // namespace
}  // namespace rangecache::proxy
