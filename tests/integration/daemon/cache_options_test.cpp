// Every cache_range_requests option (one per option of the ATS plugin) on and off, under
// its YAML name: one daemon per configuration, one shared origin.
#include <gtest/gtest.h>

#include <sstream>

#include "cache_checks.hpp"
#include "daemon.hpp"

using namespace rc_test;

namespace {

using strings = std::vector<std::string>;
constexpr const char* last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";

class CacheOptions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = new origin(); }
  static void TearDownTestSuite() {
    delete origin_;
    origin_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(origin_, nullptr); }

  // A daemon whose single rule has `rule_extra` (and the top-level `extra`).
  static std::unique_ptr<proxy_daemon> start(const std::string& rule_extra,
                                             const std::string& extra = {}) {
    daemon_options o;
    o.origin_port = origin_->port();
    o.rule_extra = rule_extra;
    o.extra = extra;
    return std::make_unique<proxy_daemon>(o);
  }
  static response range_get(const proxy_daemon& d, const std::string& target,
                            const std::string& range, header_list more = {}) {
    more.emplace_back("Range", range);
    return get(d.port(), target, more);
  }
  // Stores bytes=0-99 of `target` as a range object.
  static void prime(const proxy_daemon& d, const std::string& target, const std::string& path,
                    std::uint64_t size) {
    auto r = range_get(d, target, "bytes=0-99");
    ASSERT_TRUE(is_partial(r, path, 0, 99, size));
    ASSERT_EQ(x_cache(r), "MISS");
  }

  static origin* origin_;
};
origin* CacheOptions::origin_ = nullptr;

std::vector<int> origin_statuses(const origin& o, const std::string& target) {
  std::vector<int> out;
  std::istringstream in(o.log());
  std::string method, t, range;
  int status = 0;
  long long bytes = 0;
  while (in >> method >> t >> range >> status >> bytes)
    if (t == target) out.push_back(status);
  return out;
}

// The 1-based line of the generated config that contains `needle`.
int config_line(const daemon_options& o, std::string_view needle) {
  std::istringstream in(daemon_config(o, "/tmp/x"));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos) return n;
  return -1;
}

}  // namespace

TEST_F(CacheOptions, RangeCachingOffStoresNoRangeObjects) {
  for (const char* rule : {"", "    cache_range_requests: false\n"}) {
    auto d = start(rule);
    const auto path = unique_gen(50000);
    for (int i = 0; i < 2; ++i) {
      auto r = range_get(*d, path, "bytes=0-99");
      EXPECT_TRUE(is_partial(r, path, 0, 99, 50000)) << rule;
      EXPECT_EQ(x_cache(r), "PASS") << rule;
    }
    EXPECT_EQ(origin_->count(path), 2) << rule;
    // The complete object still serves every range.
    EXPECT_EQ(x_cache(get(d->port(), path)), "MISS");
    auto hit = range_get(*d, path, "bytes=0-99");
    EXPECT_TRUE(is_partial(hit, path, 0, 99, 50000)) << rule;
    EXPECT_EQ(x_cache(hit), "HIT_FULL") << rule;
    EXPECT_EQ(origin_->count(path), 3) << rule;
  }
}

TEST_F(CacheOptions, TrueAndEmptyMapBothMeanOnWithDefaults) {
  for (const char* rule : {"    cache_range_requests: true\n", "    cache_range_requests: {}\n",
                           "    cache_range_requests: { ps_cachekey: true }\n",
                           "    cache_range_requests: { ps_cachekey: false }\n",
                           "    cache_range_requests: { verify_cacheability: true }\n",
                           "    cache_range_requests: { verify_cacheability: false }\n"}) {
    auto d = start(rule);
    const auto path = unique_gen(50000);
    prime(*d, path, path, 50000);
    auto hit = range_get(*d, path, "bytes=0-99");
    EXPECT_TRUE(is_partial(hit, path, 0, 99, 50000)) << rule;
    EXPECT_EQ(x_cache(hit), "HIT") << rule;
    auto other = range_get(*d, path, "bytes=-10");
    EXPECT_TRUE(is_partial(other, path, 49990, 49999, 50000)) << rule;
    EXPECT_EQ(x_cache(other), "MISS") << rule;
    EXPECT_EQ(origin_->count(path), 2) << rule;
    EXPECT_EQ(origin_->ranges(path), (strings{"bytes=0-99", "bytes=-10"})) << rule;
  }
}

// verify_cacheability keeps every cacheability rule; an uncacheable answer is the origin's
// 206, not stored.
TEST_F(CacheOptions, VerifyCacheabilityStoresNothingUncacheable) {
  auto d = start("    cache_range_requests: { verify_cacheability: true }\n");
  for (const char* cc : {"no-store", "private"}) {
    const auto path = unique_gen(50000);
    const auto target = path + "?cc=" + cc;
    for (int i = 0; i < 2; ++i) {
      auto r = range_get(*d, target, "bytes=0-99");
      EXPECT_TRUE(is_partial(r, path, 0, 99, 50000)) << cc;
      EXPECT_EQ(x_cache(r), "PASS") << cc;
    }
    EXPECT_EQ(origin_->count(target), 2) << cc;
  }
}

// X-Crr-Ims from a trusted client, newer than the stored Date, makes a fresh range object
// stale; older leaves it fresh.
TEST_F(CacheOptions, ConsiderImsOlderAndNewer) {
  auto d = start("    cache_range_requests: { consider_ims: true }\n");
  const auto path = unique_gen(50000);
  prime(*d, path, path, 50000);
  const auto now = std::time(nullptr);

  for (const auto& ims : {http_date(now - 3600), std::string("not a date"), std::string("")}) {
    auto r = range_get(*d, path, "bytes=0-99", {{"X-Crr-Ims", ims}});
    EXPECT_TRUE(is_partial(r, path, 0, 99, 50000)) << ims;
    EXPECT_EQ(x_cache(r), "HIT") << ims;
  }
  EXPECT_EQ(origin_->count(path), 1);

  auto newer = range_get(*d, path, "bytes=0-99", {{"X-Crr-Ims", http_date(now + 100)}});
  EXPECT_TRUE(is_partial(newer, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(newer), "REVALIDATED");
  EXPECT_EQ(origin_->count(path), 2);
  // Revalidated with the stored validators and the range: the origin said 304.
  EXPECT_EQ(origin_statuses(*origin_, path), (std::vector<int>{206, 304}));
  EXPECT_EQ(origin_->ranges(path), (strings{"bytes=0-99", "bytes=0-99"}));
  auto hit = range_get(*d, path, "bytes=0-99");
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(origin_->count(path), 2);

  // When honoured it is passed on, so that parent tiers revalidate too.
  const auto stamp = http_date(now + 100);
  auto echo =
      get(d->port(), "/__echo_headers?ims=1", {{"X-Crr-Ims", stamp}, {"Range", "bytes=0-5"}});
  EXPECT_EQ(echoed_header(echo, "X-Crr-Ims"), stamp) << echo;
}

TEST_F(CacheOptions, ConsiderImsOffIgnoresTheHeader) {
  auto d = start("    cache_range_requests: {}\n");
  const auto path = unique_gen(50000);
  prime(*d, path, path, 50000);
  auto r = range_get(*d, path, "bytes=0-99", {{"X-Crr-Ims", http_date(std::time(nullptr) + 100)}});
  EXPECT_TRUE(is_partial(r, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(r), "HIT");
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(CacheOptions, ImsHeaderNamesTheHeaderAndTurnsTheFeatureOn) {
  auto d = start("    cache_range_requests: { ims_header: X-Origin-Ims }\n");
  const auto path = unique_gen(50000);
  prime(*d, path, path, 50000);
  const auto newer = http_date(std::time(nullptr) + 100);
  auto ignored = range_get(*d, path, "bytes=0-99", {{"X-Crr-Ims", newer}});
  EXPECT_EQ(x_cache(ignored), "HIT");
  auto honoured = range_get(*d, path, "bytes=0-99", {{"X-Origin-Ims", newer}});
  EXPECT_TRUE(is_partial(honoured, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(honoured), "REVALIDATED");
  EXPECT_EQ(origin_->count(path), 2);
}

TEST_F(CacheOptions, ConsiderImsFromAnUntrustedClientIsIgnoredAndNotForwarded) {
  auto d =
      start("    cache_range_requests: { consider_ims: true }\n", "trusted: [\"10.0.0.0/8\"]\n");
  const auto path = unique_gen(50000);
  prime(*d, path, path, 50000);
  const auto newer = http_date(std::time(nullptr) + 100);
  auto r = range_get(*d, path, "bytes=0-99", {{"X-Crr-Ims", newer}});
  EXPECT_TRUE(is_partial(r, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(r), "HIT");
  EXPECT_EQ(origin_->count(path), 1);
  // On a miss it does not reach the origin either (the echo is no-store: always a miss).
  auto echo =
      get(d->port(), "/__echo_headers?ims=2", {{"X-Crr-Ims", newer}, {"Range", "bytes=0-5"}});
  ASSERT_EQ(echo.status, 200) << echo;
  EXPECT_FALSE(echoed_header(echo, "X-Crr-Ims")) << echo.body;
  auto plain = get(d->port(), "/__echo_headers?ims=3", {{"X-Crr-Ims", newer}});
  EXPECT_FALSE(echoed_header(plain, "X-Crr-Ims")) << plain.body;
}

// X-Crr-Ident from a trusted client: `Etag <etag>`, `Last-Modified <date>` or `Stale`.
TEST_F(CacheOptions, ConsiderIdentOnAFreshObject) {
  auto d = start("    cache_range_requests: { consider_ident: true }\n");
  const auto path = unique_gen(50000);
  const auto etag = expected_etag(path, 50000);
  prime(*d, path, path, 50000);

  // Exact ETag: stays fresh. A bare tag or anything else: ignored, and no crash (a bare tag
  // crashes ATS).
  for (const auto& v : {"Etag " + etag, std::string("Etag"), std::string("Last-Modified"),
                        std::string("Etag "), std::string("whatever"), std::string("stale")}) {
    auto r = range_get(*d, path, "bytes=0-99", {{"X-Crr-Ident", v}});
    EXPECT_TRUE(is_partial(r, path, 0, 99, 50000)) << v;
    EXPECT_EQ(x_cache(r), "HIT") << v;
  }
  EXPECT_EQ(origin_->count(path), 1);
  EXPECT_TRUE(d->proc().running());

  // Another ETag, the right date while the object has an ETag (the ETag takes precedence:
  // only `Etag ...` can match such an object), the older ATS "Etag: ..." format, and Stale:
  // all make it stale.
  int count = 1;
  for (const auto& v :
       {std::string("Etag \"something-else\""), std::string("Last-Modified ") + last_modified,
        "Etag: " + etag, std::string("Stale")}) {
    auto r = range_get(*d, path, "bytes=0-99", {{"X-Crr-Ident", v}});
    EXPECT_TRUE(is_partial(r, path, 0, 99, 50000)) << v;
    EXPECT_EQ(x_cache(r), "REVALIDATED") << v;
    EXPECT_EQ(origin_->count(path), ++count) << v;
  }
  EXPECT_EQ(x_cache(range_get(*d, path, "bytes=0-99")), "HIT");
  EXPECT_EQ(origin_->count(path), count);
}

TEST_F(CacheOptions, ConsiderIdentOffOrUntrustedIgnoresTheHeader) {
  for (const auto& [rule, extra] :
       {std::pair<std::string, std::string>{"    cache_range_requests: {}\n", ""},
        std::pair<std::string, std::string>{"    cache_range_requests: { consider_ident: true }\n",
                                            "trusted: [\"10.0.0.0/8\"]\n"}}) {
    auto d = start(rule, extra);
    const auto path = unique_gen(50000);
    prime(*d, path, path, 50000);
    auto r = range_get(*d, path, "bytes=0-99", {{"X-Crr-Ident", "Stale"}});
    EXPECT_TRUE(is_partial(r, path, 0, 99, 50000)) << rule << extra;
    EXPECT_EQ(x_cache(r), "HIT") << rule << extra;
    EXPECT_EQ(origin_->count(path), 1) << rule << extra;
    if (!extra.empty()) {
      auto echo = get(d->port(), "/__echo_headers?ident=1", {{"X-Crr-Ident", "Stale"}});
      EXPECT_FALSE(echoed_header(echo, "X-Crr-Ident")) << echo.body;
    }
  }
}

TEST_F(CacheOptions, IdentHeaderNamesTheHeaderAndTurnsTheFeatureOn) {
  auto d = start("    cache_range_requests: { ident_header: X-My-Ident }\n");
  const auto path = unique_gen(50000);
  prime(*d, path, path, 50000);
  EXPECT_EQ(x_cache(range_get(*d, path, "bytes=0-99", {{"X-Crr-Ident", "Stale"}})), "HIT");
  auto r = range_get(*d, path, "bytes=0-99", {{"X-My-Ident", "Stale"}});
  EXPECT_TRUE(is_partial(r, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(r), "REVALIDATED");
  EXPECT_EQ(origin_->count(path), 2);
}

// no_modify_cachekey without the Range header in the rule's cache key would store every
// range under the bare URL. Start-up refuses it, naming file:line.
TEST_F(CacheOptions, NoModifyCachekeyWithoutRangeInTheKeyIsRefused) {
  for (const char* cache_key : {"", "    cache_key: { headers: [Accept-Encoding] }\n"}) {
    daemon_options o;
    o.origin_port = origin_->port();
    o.rule_extra =
        std::string("    cache_range_requests: { no_modify_cachekey: true }\n") + cache_key;
    auto result = run_daemon_to_exit(o);
    ASSERT_TRUE(result.exited) << "the daemon started with " << o.rule_extra;
    EXPECT_NE(result.exit_code, 0) << result.err;
    const auto where =
        "rangecache.yaml:" + std::to_string(config_line(o, "no_modify_cachekey")) + ":";
    EXPECT_NE(result.err.find(where), std::string::npos) << "expected " << where << " in:\n"
                                                         << result.err;
    EXPECT_NE(result.err.find("Range"), std::string::npos) << result.err;
  }
}

TEST_F(CacheOptions, NoModifyCachekeyWithRangeInTheKeyCachesEachRange) {
  auto d = start(
      "    cache_range_requests: { no_modify_cachekey: true }\n"
      "    cache_key: { headers: [Range] }\n");
  const auto path = unique_gen(50000);
  prime(*d, path, path, 50000);
  auto hit = range_get(*d, path, "bytes=0-99");
  EXPECT_TRUE(is_partial(hit, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(hit), "HIT");
  auto other = range_get(*d, path, "bytes=100-199");
  EXPECT_TRUE(is_partial(other, path, 100, 199, 50000));
  EXPECT_EQ(x_cache(other), "MISS");
  EXPECT_EQ(x_cache(range_get(*d, path, "bytes=100-199")), "HIT");
  EXPECT_EQ(origin_->count(path), 2);
  // No poisoning: the plain URL is still the whole object.
  auto whole = get(d->port(), path);
  EXPECT_TRUE(is_whole(whole, path, 50000));
  EXPECT_EQ(x_cache(whole), "MISS");
  auto whole_hit = get(d->port(), path);
  EXPECT_TRUE(is_whole(whole_hit, path, 50000));
  EXPECT_EQ(x_cache(whole_hit), "HIT_FULL");
  auto still = range_get(*d, path, "bytes=0-99");
  EXPECT_TRUE(is_partial(still, path, 0, 99, 50000));
  EXPECT_EQ(origin_->count(path), 3);
}

// With the range in the key (the default), an origin 200 to a range request is the complete
// object whether cache_complete_responses is on or off.
TEST_F(CacheOptions, CacheCompleteResponsesWithTheDefaultKey) {
  for (const char* rule : {"    cache_range_requests: { cache_complete_responses: false }\n",
                           "    cache_range_requests: { cache_complete_responses: true }\n"}) {
    auto d = start(rule);
    const auto path = unique_gen(50000);
    const auto target = path + "?ignore_range=1";
    auto miss = range_get(*d, target, "bytes=100-199");
    EXPECT_TRUE(is_partial(miss, path, 100, 199, 50000)) << rule;
    EXPECT_EQ(x_cache(miss), "MISS") << rule;
    auto hit = range_get(*d, target, "bytes=300-399");
    EXPECT_TRUE(is_partial(hit, path, 300, 399, 50000)) << rule;
    EXPECT_TRUE(from_complete_object(hit)) << rule;
    EXPECT_EQ(origin_->count(target), 1) << rule;
  }
}

// An origin 200 to a range request under no_modify_cachekey: only cache_complete_responses
// stores it, under the range's key; the same range then never reaches the origin again.
TEST_F(CacheOptions, CacheCompleteResponsesWithNoModifyCachekey) {
  const std::string key = "    cache_key: { headers: [Range] }\n";
  {
    auto d = start("    cache_range_requests: { no_modify_cachekey: true }\n" + key);
    const auto path = unique_gen(50000);
    const auto target = path + "?ignore_range=1";
    for (int i = 0; i < 2; ++i) {
      auto r = range_get(*d, target, "bytes=100-199");
      EXPECT_TRUE(r.status == 200 ? is_whole(r, path, 50000) : is_partial(r, path, 100, 199, 50000))
          << i;
      EXPECT_NE(x_cache(r), "HIT") << i;
    }
    EXPECT_EQ(origin_->count(target), 2);
  }
  {
    auto d = start(
        "    cache_range_requests: { no_modify_cachekey: true, cache_complete_responses: true }\n" +
        key);
    const auto path = unique_gen(50000);
    const auto target = path + "?ignore_range=1";
    auto miss = range_get(*d, target, "bytes=100-199");
    EXPECT_TRUE(is_partial(miss, path, 100, 199, 50000));
    EXPECT_EQ(x_cache(miss), "MISS");
    auto hit = range_get(*d, target, "bytes=100-199");
    EXPECT_TRUE(is_partial(hit, path, 100, 199, 50000));
    EXPECT_EQ(origin_->count(target), 1) << "the stored 200 was not used: " << x_cache(hit);
    // The plain URL is not answered from a range's copy.
    const auto before = origin_->count(target);
    auto whole = get(d->port(), target);
    EXPECT_TRUE(is_whole(whole, path, 50000));
    EXPECT_EQ(origin_->count(target), before + 1);
  }
}

TEST_F(CacheOptions, UnknownOptionIsRefused) {
  daemon_options o;
  o.origin_port = origin_->port();
  o.rule_extra = "    cache_range_requests: { consider_imz: true }\n";
  auto result = run_daemon_to_exit(o);
  ASSERT_TRUE(result.exited);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(
      result.err.find("rangecache.yaml:" + std::to_string(config_line(o, "consider_imz")) + ":"),
      std::string::npos)
      << result.err;
}

// preserve_host sends the client's Host to the origin, which may answer each host with its
// own content: the Host is then part of the cache key, so one host's object never answers
// for another.
TEST(PreserveHost, EachHostHasItsOwnObjects) {
  origin o;
  daemon_options opts;
  opts.origin_port = o.port();
  opts.rule_extra = "    preserve_host: true\n    cache_range_requests: {}\n";
  proxy_daemon d(opts);
  const auto name = unique_gen(20000);
  const auto path = name + "?host_etag=1";
  // The origin sees the host in lower case: "A.Test" is "a.test", one object for both.
  for (const char* host : {"a.test", "b.test", "A.Test", "b.test:8080"}) {
    std::string version = host;
    for (auto& c : version) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int round = 0; round < 2; ++round) {
      auto whole = get(d.port(), path, {{"Host", host}});
      EXPECT_TRUE(is_whole(whole, name, 20000, version)) << host << " " << whole;
      auto part = get(d.port(), path, {{"Host", host}, {"Range", "bytes=100-199"}});
      EXPECT_TRUE(is_partial(part, name, 100, 199, 20000, version)) << host << " " << part;
    }
  }
}
