// Whole files that load: the full schema, the minimum, the defaults, the shipped file.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config_test_util.hpp"
#include "temp_dir.hpp"

namespace rangecache::config {
namespace {

using namespace std::chrono_literals;
using testing::contains;
using testing::load;

constexpr std::string_view full = R"(
listen: [ "0.0.0.0:8080", "[::]:8081" ]
workers: 3
cache:
  path: /tmp/rc-cache
  max_size: 10GiB
  sync: full
background_fetch:
  max_concurrent: 8
  queue_size: 100
  retry_backoff: 2m
  consolidate: true
  log: /var/log/rangecache/bg_fetch.log
  rules:
    - { exclude: { content_type: "text/*" } }
    - { exclude: { content_length: ">2GiB" } }
    - { include: { user_agent: "*VLC*", client_ip: ["10.0.0.0/8"], url: "/videos/", url_regex: "\\.mp4$", range_length: "<=1MiB" } }
remap:
  - from: http://Videos.Example.com/
    to:   http://127.0.0.1:8000/
    preserve_host: true
    cache_range_requests: { consider_ims: true, verify_cacheability: true }
    background_fetch: true
    cache_key: { headers: [ "Range", "Accept-Encoding" ] }
  - from: http://dl.example.com:8080/files/
    to: http://origin.internal:9000/store
    cache_range_requests:
      ps_cachekey: true
      ims_header: X-My-Ims
      consider_ident: true
      ident_header: X-My-Ident
      no_modify_cachekey: true
      cache_complete_responses: true
    background_fetch: { rules: [ { exclude: { client_ip: "192.168.0.0/16" } } ] }
    cache_key: { headers: [ range ] }
  - from: http://*/
    to: http://[::1]:8000/
log: { access: /var/log/rangecache/access.log, error: "", level: debug }
admin: { listen: "127.0.0.1:9090", purge_allow: [ "127.0.0.1/32" ] }
server: { header_limit: 32KiB, header_timeout: 5s, idle_timeout: 2m, send_timeout: 90s, drain_timeout: 0s, max_connections: 500 }
upstream: { connect_timeout: 500ms, read_timeout: 1m, idle_timeout: 15s, max_idle_per_origin: 0 }
trusted: [ "10.0.0.0/8", "fd00::/8" ]
)";

TEST(ConfigLoad, FullFileListenWorkersCache) {
  const auto cfg = load(full);
  EXPECT_EQ(cfg.source, "test.yaml");

  ASSERT_EQ(cfg.listen.size(), 2u);
  EXPECT_EQ(cfg.listen[0].address, "0.0.0.0");
  EXPECT_EQ(cfg.listen[0].port, 8080);
  EXPECT_EQ(cfg.listen[0].text, "0.0.0.0:8080");
  EXPECT_EQ(cfg.listen[1].address, "::");
  EXPECT_EQ(cfg.listen[1].port, 8081);
  EXPECT_EQ(cfg.workers, 3u);

  EXPECT_EQ(cfg.cache.path, "/tmp/rc-cache");
  EXPECT_EQ(cfg.cache.max_size, 10ull << 30);
  EXPECT_EQ(cfg.cache.sync, sync_mode::full);
}

TEST(ConfigLoad, FullFileBackgroundFetch) {
  const auto cfg = load(full);
  const auto& bgf = cfg.background_fetch;
  EXPECT_EQ(bgf.max_concurrent, 8u);
  EXPECT_EQ(bgf.queue_size, 100u);
  EXPECT_EQ(bgf.retry_backoff, 120s);
  EXPECT_TRUE(bgf.consolidate);
  EXPECT_EQ(bgf.log, "/var/log/rangecache/bg_fetch.log");
  ASSERT_EQ(bgf.rules.size(), 3u);
  EXPECT_FALSE(bgf.rules[0].include);
  EXPECT_EQ(bgf.rules[0].match.content_type, "text/*");
  EXPECT_EQ(bgf.rules[0].line, 14);
  EXPECT_FALSE(bgf.rules[1].include);
  ASSERT_TRUE(bgf.rules[1].match.content_length);
  EXPECT_EQ(bgf.rules[1].match.content_length->cmp, size_condition::op::gt);
  EXPECT_EQ(bgf.rules[1].match.content_length->bytes, 2ull << 30);
  const auto& inc = bgf.rules[2];
  EXPECT_TRUE(inc.include);
  EXPECT_EQ(inc.match.user_agent, "*VLC*");
  ASSERT_EQ(inc.match.client_ip.size(), 1u);
  EXPECT_TRUE(inc.match.client_ip[0].contains("10.1.1.1"));
  EXPECT_EQ(inc.match.url_prefix, "/videos/");
  EXPECT_EQ(inc.match.url_regex, "\\.mp4$");
  ASSERT_TRUE(inc.match.range_length);
  EXPECT_EQ(inc.match.range_length->cmp, size_condition::op::le);
  EXPECT_EQ(inc.match.range_length->bytes, 1u << 20);
  EXPECT_FALSE(inc.match.content_type);
}

TEST(ConfigLoad, FullFileFirstRemapRule) {
  const auto cfg = load(full);
  ASSERT_EQ(cfg.remap.size(), 3u);
  const auto& r0 = cfg.remap[0];
  EXPECT_EQ(r0.from_scheme, "http");
  EXPECT_EQ(r0.from_host, "videos.example.com");
  EXPECT_FALSE(r0.from_port);
  EXPECT_EQ(r0.from_path, "/");
  EXPECT_EQ(r0.from_text, "http://Videos.Example.com/");
  EXPECT_EQ(r0.to_host, "127.0.0.1");
  EXPECT_EQ(r0.to_port, 8000);
  EXPECT_EQ(r0.to_path, "/");
  EXPECT_EQ(r0.to_text, "http://127.0.0.1:8000/");
  EXPECT_TRUE(r0.preserve_host);
  EXPECT_TRUE(r0.cache_range_requests.enabled);
  EXPECT_TRUE(r0.cache_range_requests.consider_ims);
  EXPECT_TRUE(r0.cache_range_requests.verify_cacheability);
  EXPECT_FALSE(r0.cache_range_requests.ps_cachekey);
  EXPECT_TRUE(r0.background_fetch);
  EXPECT_FALSE(r0.background_fetch_rules);
  EXPECT_EQ(r0.cache_key_headers, (std::vector<std::string>{"Range", "Accept-Encoding"}));
  EXPECT_EQ(r0.line, 18);
}

TEST(ConfigLoad, FullFileOtherRemapRules) {
  const auto cfg = load(full);
  ASSERT_EQ(cfg.remap.size(), 3u);
  const auto& r1 = cfg.remap[1];
  EXPECT_EQ(r1.from_host, "dl.example.com");
  EXPECT_EQ(r1.from_port, 8080);
  EXPECT_EQ(r1.from_path, "/files/");
  EXPECT_EQ(r1.to_host, "origin.internal");
  EXPECT_EQ(r1.to_port, 9000);
  EXPECT_EQ(r1.to_path, "/store");
  EXPECT_FALSE(r1.preserve_host);
  const auto& crr = r1.cache_range_requests;
  EXPECT_TRUE(crr.enabled);
  EXPECT_TRUE(crr.ps_cachekey);
  EXPECT_TRUE(crr.consider_ims);  // implied by ims_header, as in ATS
  EXPECT_EQ(crr.ims_header, "X-My-Ims");
  EXPECT_TRUE(crr.consider_ident);
  EXPECT_EQ(crr.ident_header, "X-My-Ident");
  EXPECT_TRUE(crr.no_modify_cachekey);
  EXPECT_FALSE(crr.verify_cacheability);
  EXPECT_TRUE(crr.cache_complete_responses);
  EXPECT_TRUE(r1.background_fetch);
  ASSERT_TRUE(r1.background_fetch_rules);
  ASSERT_EQ(r1.background_fetch_rules->size(), 1u);
  EXPECT_FALSE((*r1.background_fetch_rules)[0].include);
  EXPECT_TRUE((*r1.background_fetch_rules)[0].match.client_ip[0].contains("192.168.1.1"));
  EXPECT_EQ(r1.cache_key_headers, (std::vector<std::string>{"range"}));

  const auto& r2 = cfg.remap[2];
  EXPECT_EQ(r2.from_host, "*");
  EXPECT_EQ(r2.to_host, "::1");
  EXPECT_EQ(r2.to_port, 8000);
  EXPECT_FALSE(r2.cache_range_requests.enabled);
  EXPECT_FALSE(r2.background_fetch);
}

TEST(ConfigLoad, FullFileLogAdminServerUpstreamTrusted) {
  const auto cfg = load(full);
  EXPECT_EQ(cfg.log.access, "/var/log/rangecache/access.log");
  EXPECT_EQ(cfg.log.error, "");
  EXPECT_EQ(cfg.log.level, "debug");
  ASSERT_TRUE(cfg.admin.listen);
  EXPECT_EQ(cfg.admin.listen->address, "127.0.0.1");
  EXPECT_EQ(cfg.admin.listen->port, 9090);
  ASSERT_EQ(cfg.admin.purge_allow.size(), 1u);
  EXPECT_EQ(cfg.admin.purge_allow[0].text, "127.0.0.1/32");

  EXPECT_EQ(cfg.server.header_limit, 32u * 1024);
  EXPECT_EQ(cfg.server.header_timeout, 5s);
  EXPECT_EQ(cfg.server.idle_timeout, 120s);
  EXPECT_EQ(cfg.server.send_timeout, 90s);
  EXPECT_EQ(cfg.server.drain_timeout, 0s);
  EXPECT_EQ(cfg.server.max_connections, 500u);
  EXPECT_EQ(cfg.upstream.connect_timeout, 500ms);
  EXPECT_EQ(cfg.upstream.read_timeout, 60s);
  EXPECT_EQ(cfg.upstream.idle_timeout, 15s);
  EXPECT_EQ(cfg.upstream.max_idle_per_origin, 0u);

  ASSERT_EQ(cfg.trusted.size(), 2u);
  EXPECT_TRUE(cfg.trusted[0].contains("10.2.3.4"));
  EXPECT_TRUE(cfg.trusted[1].contains("fd12::1"));
  EXPECT_FALSE(cfg.trusted[0].contains("127.0.0.1"));
}

constexpr std::string_view minimal = R"(
listen: 127.0.0.1:8080
remap:
  - { from: "http://a/", to: "http://origin.internal" }
)";

TEST(ConfigLoad, MinimalFile) {
  const auto cfg = load(minimal);
  ASSERT_EQ(cfg.listen.size(), 1u);
  EXPECT_EQ(cfg.listen[0].port, 8080);
  ASSERT_EQ(cfg.remap.size(), 1u);
  EXPECT_EQ(cfg.remap[0].to_path, "/");
  EXPECT_EQ(cfg.remap[0].line, 3);
}

TEST(ConfigLoad, SyncInterval) {
  const struct {
    std::string_view text;
    std::chrono::milliseconds want;
  } rows[] = {{"500ms", std::chrono::milliseconds(500)},
              {"5s", std::chrono::seconds(5)},
              {"0s", std::chrono::milliseconds(0)}};
  for (const auto& r : rows) {
    const auto cfg = load(std::string(minimal) +
                          "cache: { sync: none, sync_interval: " + std::string(r.text) + " }\n");
    EXPECT_EQ(cfg.cache.sync_interval, r.want) << r.text;
  }
}

TEST(ConfigLoad, ZeroCopy) {
  EXPECT_EQ(load(minimal).cache.zero_copy, zero_copy_mode::automatic);
  const struct {
    std::string_view text;
    zero_copy_mode want;
  } rows[] = {{"auto", zero_copy_mode::automatic},
              {"on", zero_copy_mode::on},
              {"off", zero_copy_mode::off}};
  for (const auto& r : rows) {
    const auto cfg =
        load(std::string(minimal) + "cache: { zero_copy: " + std::string(r.text) + " }\n");
    EXPECT_EQ(cfg.cache.zero_copy, r.want) << r.text;
  }
}

TEST(ConfigLoad, EveryDefault) {
  const auto cfg = load(minimal);
  EXPECT_EQ(cfg.workers, 0u);
  EXPECT_EQ(cfg.cache.path, "/var/cache/rangecache");
  EXPECT_EQ(cfg.cache.max_size, 1ull << 30);
  EXPECT_EQ(cfg.cache.sync, sync_mode::meta);
  EXPECT_EQ(cfg.cache.sync_interval, std::chrono::seconds(1));

  EXPECT_EQ(cfg.background_fetch.max_concurrent, 4u);
  EXPECT_EQ(cfg.background_fetch.queue_size, 256u);
  EXPECT_EQ(cfg.background_fetch.retry_backoff, 30s);
  EXPECT_FALSE(cfg.background_fetch.consolidate);
  EXPECT_EQ(cfg.background_fetch.log, "");
  EXPECT_TRUE(cfg.background_fetch.rules.empty());

  const auto& rule = cfg.remap[0];
  EXPECT_FALSE(rule.from_port);
  EXPECT_EQ(rule.to_port, 80);
  EXPECT_FALSE(rule.preserve_host);
  const crr_options off;
  const auto& crr = rule.cache_range_requests;
  EXPECT_FALSE(crr.enabled);
  EXPECT_EQ(crr.ps_cachekey, off.ps_cachekey);
  EXPECT_EQ(crr.consider_ims, off.consider_ims);
  EXPECT_EQ(crr.ims_header, "X-Crr-Ims");
  EXPECT_EQ(crr.consider_ident, off.consider_ident);
  EXPECT_EQ(crr.ident_header, "X-Crr-Ident");
  EXPECT_FALSE(crr.no_modify_cachekey);
  EXPECT_FALSE(crr.verify_cacheability);
  EXPECT_FALSE(crr.cache_complete_responses);
  EXPECT_FALSE(rule.background_fetch);
  EXPECT_FALSE(rule.background_fetch_rules);
  EXPECT_TRUE(rule.cache_key_headers.empty());

  EXPECT_EQ(cfg.server.header_limit, 128u * 1024);
  EXPECT_EQ(cfg.server.header_timeout, 10s);
  EXPECT_EQ(cfg.server.idle_timeout, 60s);
  EXPECT_EQ(cfg.server.send_timeout, 60s);
  EXPECT_EQ(cfg.server.drain_timeout, 30s);
  EXPECT_EQ(cfg.server.max_connections, 10'000u);
  EXPECT_EQ(cfg.upstream.connect_timeout, 5s);
  EXPECT_EQ(cfg.upstream.read_timeout, 30s);
  EXPECT_EQ(cfg.upstream.idle_timeout, 30s);
  EXPECT_EQ(cfg.upstream.max_idle_per_origin, 32u);

  EXPECT_EQ(cfg.log.access, "");
  EXPECT_EQ(cfg.log.error, "");
  EXPECT_EQ(cfg.log.level, "info");
  EXPECT_FALSE(cfg.admin.listen);
  EXPECT_TRUE(cfg.admin.purge_allow.empty());

  // Absent `trusted` means this machine only.
  ASSERT_EQ(cfg.trusted.size(), 2u);
  EXPECT_EQ(cfg.trusted[0].text, "127.0.0.0/8");
  EXPECT_EQ(cfg.trusted[1].text, "::1/128");
  EXPECT_TRUE(cfg.trusted[0].contains("127.1.2.3"));
  EXPECT_TRUE(cfg.trusted[0].contains("::ffff:127.0.0.1"));
  EXPECT_TRUE(cfg.trusted[1].contains("::1"));
  EXPECT_FALSE(cfg.trusted[0].contains("10.0.0.1"));
}

TEST(ConfigLoad, EmptyTrustedListTrustsNobody) {
  const auto cfg = load(testing::with_base("trusted: []\n"));
  EXPECT_TRUE(cfg.trusted.empty());
}

TEST(ConfigLoad, SingleStringsForLists) {
  const auto cfg = load(testing::with_base(R"(
admin: { listen: "[::1]:9090", purge_allow: "::1" }
trusted: 10.0.0.0/8
)"));
  ASSERT_EQ(cfg.admin.purge_allow.size(), 1u);
  EXPECT_TRUE(cfg.admin.purge_allow[0].contains("::1"));
  ASSERT_EQ(cfg.trusted.size(), 1u);
  EXPECT_EQ(cfg.admin.listen->address, "::1");
}

TEST(ConfigLoad, WorkersAutoAndNumber) {
  EXPECT_EQ(load(testing::with_base("workers: auto\n")).workers, 0u);
  EXPECT_EQ(load(testing::with_base("workers: 1\n")).workers, 1u);
  EXPECT_EQ(load(testing::with_base("workers: 256\n")).workers, 256u);
}

TEST(ConfigLoad, SyncModes) {
  EXPECT_EQ(load(testing::with_base("cache: { sync: none }\n")).cache.sync, sync_mode::none);
  EXPECT_EQ(load(testing::with_base("cache: { sync: meta }\n")).cache.sync, sync_mode::meta);
  EXPECT_EQ(load(testing::with_base("cache: { sync: full }\n")).cache.sync, sync_mode::full);
}

TEST(ConfigLoad, CacheBackends) {
  EXPECT_EQ(load(testing::with_base("")).cache.backend, cache_backend::lmdb);
  EXPECT_EQ(load(testing::with_base("cache: { backend: lmdb }\n")).cache.backend,
            cache_backend::lmdb);
  EXPECT_EQ(load(testing::with_base("cache: { backend: memory }\n")).cache.backend,
            cache_backend::memory);
}

TEST(ConfigLoad, HeuristicFreshness) {
  const auto defaults = load(testing::with_base(""));
  EXPECT_DOUBLE_EQ(defaults.cache.heuristic_fraction, 0.1);
  EXPECT_EQ(defaults.cache.heuristic_max, 86400s);
  EXPECT_EQ(defaults.cache.max_variants, 8u);
  const auto cfg =
      load(testing::with_base("cache: { heuristic_fraction: 0.25, heuristic_max: 2d }\n"));
  EXPECT_DOUBLE_EQ(cfg.cache.heuristic_fraction, 0.25);
  EXPECT_EQ(cfg.cache.heuristic_max, 172800s);
  // 0 turns heuristic freshness off; 1 is the whole time since Last-Modified.
  const auto off = load(testing::with_base("cache: { heuristic_fraction: 0, heuristic_max: 0 }\n"));
  EXPECT_EQ(off.cache.heuristic_fraction, 0.0);
  EXPECT_EQ(off.cache.heuristic_max, 0s);
  EXPECT_EQ(load(testing::with_base("cache: { heuristic_fraction: 1 }\n")).cache.heuristic_fraction,
            1.0);
  EXPECT_EQ(load(testing::with_base("cache: { heuristic_max: 3600 }\n")).cache.heuristic_max,
            3600s);
}

TEST(ConfigLoad, SizesAndDurationsInSettings) {
  const auto cfg = load(testing::with_base(R"(
cache: { max_size: 1MiB }
server: { header_limit: 1024, header_timeout: 1500ms, idle_timeout: 1h, send_timeout: 45 }
)"));
  EXPECT_EQ(cfg.cache.max_size, 1u << 20);
  EXPECT_EQ(cfg.server.header_limit, 1024u);
  EXPECT_EQ(cfg.server.header_timeout, 1500ms);
  EXPECT_EQ(cfg.server.idle_timeout, 3600s);
  EXPECT_EQ(cfg.server.send_timeout, 45s);
}

TEST(ConfigLoad, LogLevelShortFormsAreNormalised) {
  EXPECT_EQ(load(testing::with_base("log: { level: warn }\n")).log.level, "warning");
  EXPECT_EQ(load(testing::with_base("log: { level: err }\n")).log.level, "error");
  EXPECT_EQ(load(testing::with_base("log: { level: off }\n")).log.level, "off");
  EXPECT_EQ(load(testing::with_base("log: { access: stdout, error: }\n")).log.access, "stdout");
}

TEST(ConfigLoad, AccessLogFormats) {
  EXPECT_EQ(load(testing::with_base("log: { access: stdout }\n")).log.access_format,
            access_log_format::line);
  EXPECT_EQ(load(testing::with_base("log: { access_format: line }\n")).log.access_format,
            access_log_format::line);
  EXPECT_EQ(load(testing::with_base("log: { access_format: json }\n")).log.access_format,
            access_log_format::json);
  EXPECT_EQ(load(testing::with_base("log: { access_format: combined }\n")).log.access_format,
            access_log_format::combined);
}

TEST(ConfigLoad, BooleanSpellings) {
  for (auto yes : {"true", "True", "yes", "on"}) {
    const auto cfg =
        load(testing::with_base(std::string("background_fetch: { consolidate: ") + yes + " }\n"));
    EXPECT_TRUE(cfg.background_fetch.consolidate) << yes;
  }
  const auto cfg = load(testing::with_base("background_fetch: { consolidate: off }\n"));
  EXPECT_FALSE(cfg.background_fetch.consolidate);
}

std::filesystem::path source_dir() {
  // Not derived from __FILE__: ccache with base_dir set makes that a path relative to the
  // build directory, and the test then looks in the wrong place.
  return RC_SOURCE_DIR;
}

TEST(ConfigLoad, ShippedDefaultFile) {
  const auto path = source_dir() / "config" / "rangecache.yaml";
  const auto cfg = load_file(path.string());
  EXPECT_EQ(cfg.source, path.string());
  ASSERT_EQ(cfg.listen.size(), 2u);
  EXPECT_EQ(cfg.listen[0].address, "127.0.0.1");
  EXPECT_EQ(cfg.listen[0].port, 8080);
  EXPECT_EQ(cfg.listen[1].address, "::1");
  EXPECT_EQ(cfg.listen[1].port, 8080);
  EXPECT_EQ(cfg.workers, 0u);
  EXPECT_EQ(cfg.cache.path, "/var/cache/rangecache");
  EXPECT_EQ(cfg.cache.max_size, 1ull << 30);
  EXPECT_EQ(cfg.cache.sync, sync_mode::meta);
  ASSERT_EQ(cfg.remap.size(), 1u);
  const auto& rule = cfg.remap[0];
  EXPECT_EQ(rule.from_host, "*");  // so that curl http://127.0.0.1:8080/... matches
  EXPECT_FALSE(rule.from_port);
  EXPECT_EQ(rule.from_path, "/");
  EXPECT_EQ(rule.to_host, "127.0.0.1");
  EXPECT_EQ(rule.to_port, 8000);
  EXPECT_TRUE(rule.cache_range_requests.enabled);
  EXPECT_FALSE(rule.cache_range_requests.no_modify_cachekey);
  EXPECT_TRUE(rule.background_fetch);
  EXPECT_EQ(cfg.log.access, "stdout");
  EXPECT_EQ(cfg.log.level, "info");
  ASSERT_TRUE(cfg.admin.listen);
  EXPECT_EQ(cfg.admin.listen->port, 9090);
  ASSERT_EQ(cfg.admin.purge_allow.size(), 2u);
  EXPECT_TRUE(cfg.admin.purge_allow[0].contains("127.0.0.1"));
  EXPECT_TRUE(cfg.admin.purge_allow[1].contains("::1"));
}

// A file in a fresh temporary directory, removed with it.
class ConfigFile : public ::testing::Test {
 protected:
  std::string write(const std::string& name, std::string_view text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  rc_test::temp_dir dir_{"rc-config-test"};
};

TEST_F(ConfigFile, LoadsAFile) {
  const auto path = write("rc.yaml", testing::doc(minimal));
  const auto cfg = load_file(path);
  EXPECT_EQ(cfg.source, path);
  EXPECT_EQ(cfg.remap.size(), 1u);
}

TEST_F(ConfigFile, ErrorNamesTheFile) {
  const auto path = write("rc.yaml", testing::with_base("cache: { max_size: 10 parsecs }\n"));
  try {
    load_file(path);
    FAIL() << "no error";
  } catch (const config_error& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 20);
    EXPECT_EQ(std::string(e.what()), path +
                                         ":3:20: cache.max_size: expected a size like 10GiB, "
                                         "512MiB or 65536, got '10 parsecs'");
  }
}

TEST_F(ConfigFile, MissingFile) {
  const auto path = (dir_ / "nope.yaml").string();
  try {
    load_file(path);
    FAIL() << "no error";
  } catch (const config_error& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 0);
    EXPECT_EQ(e.column(), 0);
    EXPECT_EQ(std::string(e.what()),
              path + ": cannot open the config file: No such file or directory");
  }
}

TEST_F(ConfigFile, DirectoryIsNotAFile) {
  try {
    load_file(dir_.path().string());
    FAIL() << "no error";
  } catch (const config_error& e) {
    EXPECT_EQ(e.line(), 0);
    EXPECT_TRUE(contains(e.what(), "config file")) << e.what();
  }
}

TEST(ConfigError, Formatting) {
  EXPECT_STREQ(config_error("a.yaml", 12, 13, "cache.max_size: bad").what(),
               "a.yaml:12:13: cache.max_size: bad");
  EXPECT_STREQ(config_error("a.yaml", 0, 0, "cannot open").what(), "a.yaml: cannot open");
  EXPECT_STREQ(config_error("a.yaml", 4, 0, "x").what(), "a.yaml:4: x");
}

}  // namespace
}  // namespace rangecache::config
