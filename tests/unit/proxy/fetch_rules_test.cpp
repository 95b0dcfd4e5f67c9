// Background-fetch rules (include/rangecache/fetch/rules.hpp): the glob, each condition on
// its own, conditions together, and first-match-wins evaluation (as ATS's background_fetch).
#include "rangecache/fetch/rules.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

using namespace rangecache;
using fetch::allowed;
using fetch::candidate;
using fetch::glob_match;
using fetch::rule_matches;

namespace {

config::size_condition size_cond(std::string_view text) {
  auto c = config::size_condition::parse(text);
  EXPECT_TRUE(c) << text;
  return c.value_or(config::size_condition{});
}

util::cidr net(std::string_view text) {
  auto c = util::cidr::parse(text);
  EXPECT_TRUE(c) << text;
  return c.value_or(util::cidr{});
}

config::bgf_rule include(config::bgf_match m) {
  return {true, std::move(m), 0};
}
config::bgf_rule exclude(config::bgf_match m) {
  return {false, std::move(m), 0};
}

config::bgf_match by_type(std::string glob) {
  config::bgf_match m;
  m.content_type = std::move(glob);
  return m;
}

config::bgf_match by_agent(std::string glob) {
  config::bgf_match m;
  m.user_agent = std::move(glob);
  return m;
}

// A typical candidate: a 64 KiB range of a 10 MiB video, from 10.1.2.3, by VLC.
candidate video() {
  candidate c;
  c.url = "http://origin.test:8000/videos/a.mp4";
  c.content_type = "video/mp4";
  c.content_length = 10u << 20;
  c.range_length = 64u << 10;
  c.user_agent = "VLC/3.0.18 LibVLC/3.0.18";
  c.client_ip = "10.1.2.3";
  return c;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// glob_match

TEST(FetchGlob, LiteralsAndCase) {
  EXPECT_TRUE(glob_match("video/mp4", "video/mp4"));
  EXPECT_TRUE(glob_match("video/mp4", "VIDEO/MP4"));
  EXPECT_TRUE(glob_match("Video/MP4", "video/mp4"));
  EXPECT_FALSE(glob_match("video/mp4", "video/mp"));
  EXPECT_FALSE(glob_match("video/mp", "video/mp4"));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "x"));
  EXPECT_FALSE(glob_match("x", ""));
}

TEST(FetchGlob, Star) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything at all"));
  EXPECT_TRUE(glob_match("**", "x"));
  EXPECT_TRUE(glob_match("video/*", "video/mp4"));
  EXPECT_TRUE(glob_match("video/*", "video/"));
  EXPECT_FALSE(glob_match("video/*", "video"));
  EXPECT_FALSE(glob_match("video/*", "audio/mp4"));
  EXPECT_FALSE(glob_match("video/*", "xvideo/mp4"));
  EXPECT_TRUE(glob_match("*VLC*", "VLC/3.0"));
  EXPECT_TRUE(glob_match("*VLC*", "Mozilla/5.0 (vlc)"));
  EXPECT_TRUE(glob_match("*VLC*", "VLC"));
  EXPECT_FALSE(glob_match("*VLC*", "VL C"));
  EXPECT_TRUE(glob_match("*.mp4", "a.mp4"));
  EXPECT_FALSE(glob_match("*.mp4", "a.mp4.txt"));
  EXPECT_TRUE(glob_match("a*b", "ab"));
  EXPECT_TRUE(glob_match("a*b", "aXbYb"));
  EXPECT_FALSE(glob_match("a*b", "aXbY"));
  EXPECT_TRUE(glob_match("*a*b*c", "xaybzc"));
  EXPECT_FALSE(glob_match("*a*b*c", "xaybz"));
}

TEST(FetchGlob, QuestionMark) {
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_FALSE(glob_match("a?c", "abbc"));
  EXPECT_TRUE(glob_match("?", "x"));
  EXPECT_FALSE(glob_match("?", ""));
  EXPECT_TRUE(glob_match("*?", "x"));
  EXPECT_FALSE(glob_match("*?", ""));
  EXPECT_TRUE(glob_match("video/??4", "video/mp4"));
}

TEST(FetchGlob, PathologicalPatternsStayFast) {
  // Exponential in a naive backtracking matcher; must stay linear-ish here.
  const std::string text(20000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a*a*a*", text));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

// ---------------------------------------------------------------------------------------
// One condition at a time

TEST(FetchRuleMatches, ContentTypeIgnoresParameters) {
  auto c = video();
  EXPECT_TRUE(rule_matches(by_type("video/*"), c));
  EXPECT_TRUE(rule_matches(by_type("video/mp4"), c));
  EXPECT_FALSE(rule_matches(by_type("text/*"), c));
  c.content_type = "text/plain; charset=utf-8";
  EXPECT_TRUE(rule_matches(by_type("text/*"), c));
  EXPECT_TRUE(rule_matches(by_type("text/plain"), c));
  c.content_type = "text/plain ;charset=utf-8";
  EXPECT_TRUE(rule_matches(by_type("text/plain"), c));
  c.content_type = "TEXT/HTML";
  EXPECT_TRUE(rule_matches(by_type("text/*"), c));
}

TEST(FetchRuleMatches, ContentTypeAbsent) {
  auto c = video();
  c.content_type = "";
  EXPECT_FALSE(rule_matches(by_type("video/*"), c));
  EXPECT_FALSE(rule_matches(by_type("*/*"), c));
}

TEST(FetchRuleMatches, ContentLengthIsTheCompleteObjectsLength) {
  config::bgf_match m;
  m.content_length = size_cond(">2GiB");
  auto c = video();
  c.content_length = (2ull << 30) + 1;
  c.range_length = 100;
  EXPECT_TRUE(rule_matches(m, c));
  c.content_length = 2ull << 30;  // strict
  EXPECT_FALSE(rule_matches(m, c));
  m.content_length = size_cond(">=2GiB");
  EXPECT_TRUE(rule_matches(m, c));
  m.content_length = size_cond("<=2GiB");
  EXPECT_TRUE(rule_matches(m, c));
  m.content_length = size_cond("<2GiB");
  EXPECT_FALSE(rule_matches(m, c));
  // The range's own length plays no part.
  c.content_length = 100;
  c.range_length = 3ull << 30;
  EXPECT_TRUE(rule_matches(m, c));
}

TEST(FetchRuleMatches, UnknownTotalNeverMatchesAContentLengthCondition) {
  auto c = video();
  c.content_length.reset();  // Content-Range: bytes 0-99/*
  for (auto text : {"<1", ">=0", ">0", "<=16EiB"}) {
    auto cond = config::size_condition::parse(text);
    if (!cond) continue;  // a unit the parser does not know: nothing to check
    config::bgf_match m;
    m.content_length = *cond;
    EXPECT_FALSE(rule_matches(m, c)) << text;
  }
}

TEST(FetchRuleMatches, RangeLength) {
  config::bgf_match m;
  m.range_length = size_cond("<64KiB");
  auto c = video();
  c.range_length = (64u << 10) - 1;
  EXPECT_TRUE(rule_matches(m, c));
  c.range_length = 64u << 10;
  EXPECT_FALSE(rule_matches(m, c));
  m.range_length = size_cond("<=64KiB");
  EXPECT_TRUE(rule_matches(m, c));
  // The complete object's length plays no part.
  c.content_length = 1;
  c.range_length = 1u << 30;
  EXPECT_FALSE(rule_matches(m, c));
}

TEST(FetchRuleMatches, UserAgentGlob) {
  auto c = video();
  EXPECT_TRUE(rule_matches(by_agent("*VLC*"), c));
  EXPECT_TRUE(rule_matches(by_agent("*vlc*"), c));
  EXPECT_TRUE(rule_matches(by_agent("VLC/*"), c));
  EXPECT_FALSE(rule_matches(by_agent("curl/*"), c));
  EXPECT_FALSE(rule_matches(by_agent("VLC"), c));  // a glob, not a substring
  c.user_agent = "curl/7.88.1";
  EXPECT_TRUE(rule_matches(by_agent("curl/*"), c));
  EXPECT_FALSE(rule_matches(by_agent("*VLC*"), c));
}

TEST(FetchRuleMatches, ClientIpAnyOfTheNetworks) {
  config::bgf_match m;
  m.client_ip = {net("10.0.0.0/8"), net("fd00::/8"), net("192.0.2.7")};
  auto c = video();
  for (auto ip : {"10.1.2.3", "10.255.255.255", "fd12::1", "192.0.2.7", "::ffff:10.9.9.9"}) {
    c.client_ip = ip;
    EXPECT_TRUE(rule_matches(m, c)) << ip;
  }
  for (auto ip : {"11.0.0.1", "192.0.2.8", "fe80::1", "::1", "127.0.0.1", "", "not an ip"}) {
    c.client_ip = ip;
    EXPECT_FALSE(rule_matches(m, c)) << ip;
  }
}

TEST(FetchRuleMatches, UrlPrefixOfThePathOrTheWholeUrl) {
  config::bgf_match m;
  m.url_prefix = "/videos/";
  auto c = video();
  EXPECT_TRUE(rule_matches(m, c));
  c.url = "http://origin.test:8000/other/videos/a.mp4";
  EXPECT_FALSE(rule_matches(m, c));
  c.url = "http://origin.test:8000/videos";
  EXPECT_FALSE(rule_matches(m, c));
  m.url_prefix = "http://origin.test:8000/videos/";
  c.url = "http://origin.test:8000/videos/a.mp4?x=1";
  EXPECT_TRUE(rule_matches(m, c));
  c.url = "http://other.test:8000/videos/a.mp4";
  EXPECT_FALSE(rule_matches(m, c));
  // The query belongs to the URL.
  m.url_prefix = "/a.mp4?token=";
  c.url = "http://origin.test:8000/a.mp4?token=abc";
  EXPECT_TRUE(rule_matches(m, c));
  c.url = "http://origin.test:8000/a.mp4";
  EXPECT_FALSE(rule_matches(m, c));
}

TEST(FetchRuleMatches, UrlRegexIsSearched) {
  config::bgf_match m;
  m.url_regex = "\\.mp4$";
  auto c = video();
  EXPECT_TRUE(rule_matches(m, c));
  c.url = "http://origin.test:8000/videos/a.mp4?x=1";
  EXPECT_FALSE(rule_matches(m, c));
  m.url_regex = "[?&]nofetch=1";
  EXPECT_FALSE(rule_matches(m, c));
  c.url = "http://origin.test:8000/a.bin?x=1&nofetch=1";
  EXPECT_TRUE(rule_matches(m, c));
  m.url_regex = "^http://origin\\.test(:[0-9]+)?/a\\.";
  EXPECT_TRUE(rule_matches(m, c));
  m.url_regex = "^/a\\.";  // the URL starts with the scheme, not the path
  EXPECT_FALSE(rule_matches(m, c));
}

TEST(FetchRuleMatches, EveryConditionMustHold) {
  config::bgf_match m;
  m.content_type = "video/*";
  m.content_length = size_cond(">=1MiB");
  m.range_length = size_cond("<1MiB");
  m.user_agent = "*VLC*";
  m.client_ip = {net("10.0.0.0/8")};
  m.url_prefix = "/videos/";
  m.url_regex = "\\.mp4$";
  const auto base = video();
  EXPECT_TRUE(rule_matches(m, base));
  auto c = base;
  c.content_type = "audio/mp4";
  EXPECT_FALSE(rule_matches(m, c)) << "content_type";
  c = base;
  c.content_length = 1000;
  EXPECT_FALSE(rule_matches(m, c)) << "content_length";
  c = base;
  c.range_length = 2u << 20;
  EXPECT_FALSE(rule_matches(m, c)) << "range_length";
  c = base;
  c.user_agent = "curl/8";
  EXPECT_FALSE(rule_matches(m, c)) << "user_agent";
  c = base;
  c.client_ip = "192.168.1.1";
  EXPECT_FALSE(rule_matches(m, c)) << "client_ip";
  c = base;
  c.url = "http://origin.test:8000/audio/a.mp4";
  EXPECT_FALSE(rule_matches(m, c)) << "url";
  c = base;
  c.url = "http://origin.test:8000/videos/a.mkv";
  EXPECT_FALSE(rule_matches(m, c)) << "url_regex";
}

// ---------------------------------------------------------------------------------------
// First match wins; no match allows

TEST(FetchAllowed, NoRulesAllow) {
  EXPECT_TRUE(allowed({}, video()));
}

TEST(FetchAllowed, NoMatchAllowsEvenWithOnlyIncludeRules) {
  std::vector<config::bgf_rule> rules{include(by_agent("*VLC*"))};
  auto c = video();
  c.user_agent = "curl/8";
  EXPECT_TRUE(allowed(rules, c));
  rules = {exclude(by_type("text/*"))};
  EXPECT_TRUE(allowed(rules, c));
}

TEST(FetchAllowed, ExcludeMatches) {
  std::vector<config::bgf_rule> rules{exclude(by_type("video/*"))};
  EXPECT_FALSE(allowed(rules, video()));
}

TEST(FetchAllowed, IncludeBeforeABroaderExcludeIsAnAllowList) {
  // As ATS's "include User-Agent ABCDEF" then "exclude User-Agent *": only those agents.
  std::vector<config::bgf_rule> rules{include(by_agent("*VLC*")), exclude(by_agent("*"))};
  auto c = video();
  EXPECT_TRUE(allowed(rules, c));
  c.user_agent = "curl/8";
  EXPECT_FALSE(allowed(rules, c));
}

TEST(FetchAllowed, AnIncludeAfterABroaderExcludeIsNeverReached) {
  std::vector<config::bgf_rule> rules{exclude(by_agent("*")), include(by_agent("*VLC*"))};
  EXPECT_FALSE(allowed(rules, video()));
}

TEST(FetchAllowed, FirstMatchingRuleDecidesWhateverFollows) {
  config::bgf_match big;
  big.content_length = size_cond(">1GiB");
  std::vector<config::bgf_rule> rules{exclude(by_type("text/*")), exclude(big),
                                      include(by_type("video/*")), exclude(by_agent("*"))};
  auto c = video();
  EXPECT_TRUE(allowed(rules, c));  // third rule
  c.content_length = 2ull << 30;
  EXPECT_FALSE(allowed(rules, c));  // second rule
  c.content_length = 1000;
  c.content_type = "text/plain";
  EXPECT_FALSE(allowed(rules, c));  // first rule
  c.content_type = "application/octet-stream";
  EXPECT_FALSE(allowed(rules, c));  // last rule
}

TEST(FetchAllowed, RulesFromTheConfigFile) {
  // The YAML spelling, through the real loader, gives the same decisions.
  auto cfg = config::load_string(R"(listen: 127.0.0.1:8080
background_fetch:
  rules:
    - include: { user_agent: "*VLC*", client_ip: ["10.0.0.0/8"] }
    - exclude: { content_type: "text/*" }
    - exclude: { content_length: ">2GiB" }
    - exclude: { url: /private/ }
    - exclude: { url_regex: "[?&]nofetch=1" }
    - exclude: { range_length: "<1KiB" }
remap:
  - from: http://a/
    to: http://127.0.0.1:8000/
    background_fetch: true
)",
                                 "rules.yaml");
  const auto& rules = cfg.background_fetch.rules;
  ASSERT_EQ(rules.size(), 6u);
  auto c = video();
  EXPECT_TRUE(allowed(rules, c));
  c.content_length = 3ull << 30;
  EXPECT_TRUE(allowed(rules, c)) << "the include comes first";
  c.user_agent = "curl/8";
  EXPECT_FALSE(allowed(rules, c)) << "content_length";
  c.content_length = 1000;
  EXPECT_TRUE(allowed(rules, c));
  c.content_type = "text/html";
  EXPECT_FALSE(allowed(rules, c)) << "content_type";
  c.content_type = "video/mp4";
  c.url = "http://127.0.0.1:8000/private/a.mp4";
  EXPECT_FALSE(allowed(rules, c)) << "url";
  c.url = "http://127.0.0.1:8000/a.mp4?nofetch=1";
  EXPECT_FALSE(allowed(rules, c)) << "url_regex";
  c.url = "http://127.0.0.1:8000/a.mp4";
  c.range_length = 1023;
  EXPECT_FALSE(allowed(rules, c)) << "range_length";
  c.range_length = 1024;
  EXPECT_TRUE(allowed(rules, c));
  c.client_ip = "10.0.0.1";
  c.user_agent = "VLC";
  c.range_length = 1;
  EXPECT_TRUE(allowed(rules, c)) << "the include comes first";
}
