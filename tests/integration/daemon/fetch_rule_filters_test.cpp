// Background-fetch rules against the real daemon, each rule type including and excluding as
// configured: content_type, content_length, range_length, user_agent, client_ip, url
// prefix, url_regex; first match wins; a remap rule's own rules replace the global ones;
// background_fetch: false turns it off for a rule.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class FetchRules : public daemon_suite<FetchRules> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.max_size = "1GiB";
    const std::string to = "    to: http://127.0.0.1:" + std::to_string(origin_->port()) + "/\n";
    o.rule_extra =
        "    cache_range_requests: {}\n"
        "    background_fetch: true\n"
        // Its own rules: only video is excluded, text is fine here.
        "  - from: http://*/own/\n" +
        to +
        "    cache_range_requests: {}\n"
        "    background_fetch:\n"
        "      rules:\n"
        "        - exclude: { content_type: \"video/*\" }\n"
        "  - from: http://*/off/\n" +
        to +
        "    cache_range_requests: {}\n"
        "    background_fetch: false\n"
        "  - from: http://*/absent/\n" +
        to + "    cache_range_requests: {}\n";
    o.extra =
        "background_fetch:\n"
        "  log: " +
        fetch_log().string() +
        "\n"
        "  rules:\n"
        "    - include: { user_agent: \"*AlwaysFetch*\" }\n"
        "    - exclude: { content_type: \"text/*\" }\n"
        "    - exclude: { content_length: \">4MiB\" }\n"
        "    - exclude: { range_length: \"<1KiB\" }\n"
        "    - exclude: { user_agent: \"NoFetch*\" }\n"
        "    - exclude: { client_ip: [\"192.0.2.0/24\", \"::1/128\"] }\n"
        "    - exclude: { url: /gen/777777/ }\n"
        "    - exclude: { url_regex: \"[?&]nofetch=1\" }\n"
        "    - include: { content_type: \"application/*\", range_length: \"<2KiB\" }\n"
        "    - exclude: { range_length: \"<3KiB\" }\n";
    return o;
  }

 protected:
  struct probe {
    std::string client_target;              // what the client asks for (with a remap prefix)
    std::string origin_target;              // what the origin sees
    std::string range = "bytes=1024-5119";  // 4 KiB
    header_list headers;
    std::string host = "127.0.0.1";  // or "::1"
  };

  static response send(const probe& p) {
    header_list h = p.headers;
    h.emplace_back("Range", p.range);
    if (p.host == "127.0.0.1") return get(daemon_->port(), p.client_target, h, 30s);
    connection c(p.host, daemon_->port_v6(), 30s);
    if (!c.send_request("GET", p.client_target, h)) return {};
    return c.read_response();
  }

  // Sends every probe; then one fetch that must happen (a control); then checks which
  // probes were fetched. With max_concurrent 4 and a FIFO queue, a fetch offered before
  // the control's has started by the time the control's has ended.
  static void check(const std::vector<std::pair<probe, bool>>& cases) {
    for (const auto& [p, fetch] : cases) {
      auto r = send(p);
      EXPECT_EQ(r.status, 206) << p.client_target << "\n" << r;
    }
    const auto control = unique_gen(30000, ".control");
    ASSERT_EQ(get(daemon_->port(), control, {{"Range", "bytes=0-4095"}}).status, 206);
    ASSERT_TRUE(wait_fetch_end(fetch_log(), control, 20s))
        << read_file(fetch_log()).value_or("<no fetch log>");
    for (const auto& [p, fetch] : cases) {
      if (fetch) {
        auto end = wait_fetch_end(fetch_log(), p.origin_target, 20s);
        ASSERT_TRUE(end) << p.client_target << " (" << p.range << ") was not fetched";
        EXPECT_EQ(end->result, "ok") << end->raw;
        EXPECT_EQ(full_gets(*origin_, p.origin_target), 1) << p.client_target;
      }
    }
    std::this_thread::sleep_for(100ms);
    for (const auto& [p, fetch] : cases) {
      if (fetch) continue;
      auto lines = fetch_log_for(fetch_log(), p.origin_target);
      EXPECT_TRUE(lines.empty()) << p.client_target << " (" << p.range
                                 << ") was fetched: " << lines[0].raw;
      EXPECT_EQ(full_gets(*origin_, p.origin_target), 0) << p.client_target;
    }
  }

  static probe at(const std::string& target) { return via(target, target); }
  // A request through a remap prefix: the origin sees `origin_target`.
  static probe via(const std::string& client_target, const std::string& origin_target) {
    probe p;
    p.client_target = client_target;
    p.origin_target = origin_target;
    return p;
  }
};

}  // namespace

TEST_F(FetchRules, ContentType) {
  // .txt is text/plain, .mp4 video/mp4, .bin application/octet-stream (test_origin.py).
  check({{at(unique_gen(20000, ".txt")), false},
         {at(unique_gen(20000, ".mp4")), true},
         {at(unique_gen(20000, ".bin")), true}});
}

TEST_F(FetchRules, ContentLengthIsTheCompleteObjectsSizeStrictly) {
  // exclude content_length ">4MiB": exactly 4 MiB is fetched, one byte more is not.
  check({{at(unique_gen(4u << 20)), true}, {at(unique_gen((4u << 20) + 1)), false}});
}

TEST_F(FetchRules, RangeLength) {
  // exclude range_length "<1KiB": the 206's own length.
  auto short_range = at(unique_gen(50000));
  short_range.range = "bytes=0-1022";
  auto kib = at(unique_gen(50000));
  kib.range = "bytes=0-1023";
  auto tail = at(unique_gen(50000));
  tail.range = "bytes=-1000";
  check({{short_range, false}, {kib, true}, {tail, false}});
}

TEST_F(FetchRules, UserAgent) {
  auto no = at(unique_gen(20000));
  no.headers = {{"User-Agent", "NoFetch/2.1"}};
  auto other = at(unique_gen(20000));
  other.headers = {{"User-Agent", "Player NoFetch/2.1"}};  // the glob is anchored
  auto none = at(unique_gen(20000));
  check({{no, false}, {other, true}, {none, true}});
}

TEST_F(FetchRules, ClientIp) {
  // exclude client_ip ["192.0.2.0/24", "::1/128"]: the IPv6 loopback listener is excluded,
  // the IPv4 one is not.
  auto v6 = at(unique_gen(20000));
  v6.host = "::1";
  auto v4 = at(unique_gen(20000));
  check({{v6, false}, {v4, true}});
}

TEST_F(FetchRules, UrlPrefix) {
  check({{at("/gen/777777/" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".bin"),
          false},
         {at(unique_gen(777776)), true}});
}

TEST_F(FetchRules, UrlRegexSeesTheQuery) {
  check({{at(unique_gen(20000) + "?nofetch=1"), false},
         {at(unique_gen(20000) + "?a=b&nofetch=1"), false},
         {at(unique_gen(20000) + "?nofetch=0"), true},
         {at(unique_gen(20000) + "?a=b"), true}});
}

TEST_F(FetchRules, FirstMatchWins) {
  // The leading include beats every exclude after it.
  auto text = at(unique_gen(20000, ".txt"));
  text.headers = {{"User-Agent", "AlwaysFetch/1"}};
  auto big = at(unique_gen(5u << 20));
  big.headers = {{"User-Agent", "NoFetch AlwaysFetch"}};
  auto v6 = at(unique_gen(20000) + "?nofetch=1");
  v6.host = "::1";
  v6.headers = {{"User-Agent", "x AlwaysFetch y"}};
  // Late rules: include application/* under 2 KiB, then exclude anything under 3 KiB.
  auto small_app = at(unique_gen(20000, ".bin"));
  small_app.range = "bytes=0-1999";
  auto small_video = at(unique_gen(20000, ".mp4"));
  small_video.range = "bytes=0-1999";
  auto mid_app = at(unique_gen(20000, ".bin"));
  mid_app.range = "bytes=0-2999";
  check({{text, true},
         {big, true},
         {v6, true},
         {small_app, true},
         {small_video, false},
         {mid_app, false}});
}

TEST_F(FetchRules, ARemapRulesOwnRulesReplaceTheGlobalOnes) {
  // /own/: only video is excluded; text (excluded globally) is fetched, and so is a short
  // range (also excluded globally).
  auto text = unique_gen(20000, ".txt");
  auto video = unique_gen(20000, ".mp4");
  auto tiny = unique_gen(20000, ".bin");
  auto short_range = via("/own" + tiny, tiny);
  short_range.range = "bytes=0-99";
  check(
      {{via("/own" + text, text), true}, {via("/own" + video, video), false}, {short_range, true}});
}

TEST_F(FetchRules, BackgroundFetchOffOrAbsentForARule) {
  auto off = unique_gen(20000);
  auto absent = unique_gen(20000);
  check({{via("/off" + off, off), false}, {via("/absent" + absent, absent), false}});
  // Both still cache the range itself.
  auto r = get(daemon_->port(), "/off" + off, {{"Range", "bytes=1024-5119"}});
  EXPECT_TRUE(is_partial(r, off, 1024, 5119, 20000));
  EXPECT_EQ(x_cache(r), "HIT");
}

TEST_F(FetchRules, ExcludedOffersAreCounted) {
  const auto before = metric(daemon_->admin_port(), "rangecache_fetch_excluded_total");
  if (!before) GTEST_SKIP() << "no fetch_excluded_total metric on /metrics";
  check({{at(unique_gen(20000, ".txt")), false}});
  const auto after = metric(daemon_->admin_port(), "rangecache_fetch_excluded_total");
  ASSERT_TRUE(after);
  EXPECT_EQ(*after - *before, 1);
}
