// Files that must not load, and where the error points. `with_base` puts a valid listen
// and remap on lines 1-2, so the text under test starts on line 3.
#include "config_test_util.hpp"

namespace rangecache::config {
namespace {

using testing::contains;
using testing::error_of;
using testing::with_base;

TEST(ConfigErrors, ExampleMessageFromTheBrief) {
  const auto e = error_of(with_base(R"(
cache:
  path: /tmp/x
  max_size: 10 parsecs
)"));
  EXPECT_STREQ(e.what(),
               "test.yaml:5:13: cache.max_size: expected a size like 10GiB, 512MiB or 65536, "
               "got '10 parsecs'");
  EXPECT_EQ(e.file(), "test.yaml");
}

TEST(ConfigErrors, AccessFormatNamesTheChoices) {
  const auto e = error_of(with_base("log:\n  access_format: apache\n"));
  EXPECT_STREQ(e.what(),
               "test.yaml:4:18: log.access_format: expected line, json or combined, "
               "got 'apache'");
}

TEST(ConfigErrors, YamlSyntax) {
  EXPECT_CONFIG_ERROR(with_base(R"(
cache:
  path: [unclosed
)"),
                      5, "YAML syntax error");
  EXPECT_CONFIG_ERROR(with_base(R"(
cache:
  path: /x
 max_size: 1GiB
)"),
                      5, "YAML syntax error");
  EXPECT_CONFIG_ERROR("listen: [ \"127.0.0.1:8080\" }\n", 1, "YAML syntax error");
}

TEST(ConfigErrors, EmptyOrWrongRoot) {
  EXPECT_CONFIG_ERROR("", 0, "no settings");
  EXPECT_CONFIG_ERROR("# only a comment\n", 0, "no settings");
  EXPECT_CONFIG_ERROR("- a\n- b\n", 1, "expected a map of keys, got a list");
  EXPECT_CONFIG_ERROR("just text\n", 1, "expected a map of keys, got 'just text'");
}

TEST(ConfigErrors, UnknownKeyAtTopLevel) {
  EXPECT_CONFIG_ERROR_AT(with_base("listen_on: 1\n"), 3, 1, "listen_on: unknown key");
  const auto e = error_of(with_base("caches: {}\n"));
  EXPECT_TRUE(contains(e.what(), "expected one of: listen, workers, cache")) << e.what();
}

TEST(ConfigErrors, UnknownKeyNested) {
  EXPECT_CONFIG_ERROR_AT(with_base(R"(
cache:
  path: /x
  maxsize: 1GiB
)"),
                         5, 3, "cache.maxsize: unknown key");
  EXPECT_CONFIG_ERROR(with_base(R"(
server: { header_limit: 16KiB, keepalive: 5s }
)"),
                      3, "server.keepalive: unknown key");
  EXPECT_CONFIG_ERROR(with_base(R"(
upstream:
  pool: 3
)"),
                      4, "upstream.pool: unknown key");
  EXPECT_CONFIG_ERROR(with_base("log: { file: x }\n"), 3, "log.file: unknown key");
  EXPECT_CONFIG_ERROR(with_base("admin: { allow: x }\n"), 3, "admin.allow: unknown key");
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  rules:
    - exclude:
        content_type: text/*
        size: ">1GiB"
)"),
                      7, "background_fetch.rules[0].exclude.size: unknown key");
}

TEST(ConfigErrors, UnknownKeyInRemapRule) {
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
  - from: http://c/
    to: http://d/
    preserve-host: true
)",
                      7, "remap[1].preserve-host: unknown key");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_range_requests:
      consider_ims: true
      consider_imz: true
)",
                      7, "remap[0].cache_range_requests.consider_imz: unknown key");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    background_fetch: { rule: [] }
)",
                      5, "remap[0].background_fetch.rule: unknown key");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_key: { header: [Range] }
)",
                      5, "remap[0].cache_key.header: unknown key");
}

TEST(ConfigErrors, RepeatedKey) {
  EXPECT_CONFIG_ERROR(with_base(R"(
cache:
  max_size: 1GiB
  max_size: 2GiB
)"),
                      5, "cache.max_size: key given twice");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_CONFIG_ERROR(with_base("cache: /var/cache\n"), 3,
                      "cache: expected a map of keys, got '/var/cache'");
  EXPECT_CONFIG_ERROR(with_base("cache: [a, b]\n"), 3, "cache: expected a map of keys, got a list");
  EXPECT_CONFIG_ERROR(with_base("cache: { path: [a] }\n"), 3,
                      "cache.path: expected a string, got a list");
  EXPECT_CONFIG_ERROR(with_base("cache: { path: }\n"), 3,
                      "cache.path: expected a string, got nothing");
  EXPECT_CONFIG_ERROR(with_base("cache: { path: \"\" }\n"), 3, "cache.path: expected a directory");
  // An empty value is reported at its key, not at the next line yaml-cpp would point to.
  EXPECT_CONFIG_ERROR_AT(with_base(R"(
cache:
  path:
  max_size: 1GiB
)"),
                         4, 3, "cache.path: expected a string, got nothing");
  EXPECT_CONFIG_ERROR_AT(R"(
listen: 127.0.0.1:8080
remap:

log: {}
)",
                         2, 1, "remap: expected a list, got nothing");
  EXPECT_CONFIG_ERROR(with_base("? [a, b]\n: 1\n"), 3, "keys must be plain names");
  EXPECT_CONFIG_ERROR(with_base("background_fetch: { consolidate: maybe }\n"), 3,
                      "background_fetch.consolidate: expected true or false, got 'maybe'");
  EXPECT_CONFIG_ERROR(with_base("background_fetch: { consolidate: {} }\n"), 3,
                      "expected true or false, got a map");
  EXPECT_CONFIG_ERROR(with_base("server: { max_connections: many }\n"), 3,
                      "server.max_connections: expected a whole number from 1 to 1000000, got "
                      "'many'");
  EXPECT_CONFIG_ERROR(with_base("log: { level: loud }\n"), 3,
                      "log.level: expected trace, debug, info, warning, error, critical or off");
  EXPECT_CONFIG_ERROR(with_base("log: { access: [a] }\n"), 3, "log.access: expected a string");
  EXPECT_CONFIG_ERROR(with_base("cache: { sync: always }\n"), 3,
                      "cache.sync: expected none, meta or full, got 'always'");
  EXPECT_CONFIG_ERROR(with_base("cache: { sync_interval: often }\n"), 3,
                      "cache.sync_interval: expected a duration like 30s, 500ms, 5m or 1h");
  EXPECT_CONFIG_ERROR(with_base("cache: { zero_copy: yes }\n"), 3,
                      "cache.zero_copy: expected auto, on or off, got 'yes'");
  EXPECT_CONFIG_ERROR(with_base("cache: { backend: disk }\n"), 3,
                      "cache.backend: expected lmdb or memory, got 'disk'");
  EXPECT_CONFIG_ERROR(with_base("remap_extra: 1\n"), 3, "unknown key");
}

TEST(ConfigErrors, HeuristicFreshnessValues) {
  for (const char* bad : {"1.5", "-0.1", "10%", "1e-1", "", "0x1", ".", "a"}) {
    SCOPED_TRACE(bad);
    EXPECT_CONFIG_ERROR(with_base(std::string("cache: { heuristic_fraction: \"") + bad + "\" }\n"),
                        3, "cache.heuristic_fraction: expected a fraction from 0 to 1 like 0.1");
  }
  EXPECT_CONFIG_ERROR_AT(with_base("cache:\n  max_variants: 0\n"), 4, 17,
                         "cache.max_variants: expected");
  EXPECT_CONFIG_ERROR_AT(with_base("cache:\n  heuristic_max: soon\n"), 4, 18,
                         "cache.heuristic_max: expected a duration like 30s");
  EXPECT_CONFIG_ERROR(with_base("cache: { heuristic_max: 1500ms }\n"), 3,
                      "cache.heuristic_max: expected a duration in whole seconds");
}

TEST(ConfigErrors, RemapMustBeAList) {
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap: { from: http://a/, to: http://b/ }
)",
                      2, "remap: expected a list, got a map");
}

TEST(ConfigErrors, Sizes) {
  EXPECT_CONFIG_ERROR_AT(with_base("cache: { max_size: 1.5GiB }\n"), 3, 20,
                         "cache.max_size: expected a size");
  EXPECT_CONFIG_ERROR(with_base("cache: { max_size: -1 }\n"), 3, "cache.max_size: expected a size");
  EXPECT_CONFIG_ERROR(with_base("cache: { max_size: 99999999999999999999 }\n"), 3,
                      "cache.max_size: expected a size");
  EXPECT_CONFIG_ERROR(with_base("cache: { max_size: 16777216TiB }\n"), 3,
                      "cache.max_size: expected a size");
  EXPECT_CONFIG_ERROR(with_base("cache: { max_size: 1023KiB }\n"), 3,
                      "cache.max_size: expected at least 1MiB, got '1023KiB'");
  EXPECT_CONFIG_ERROR(with_base("server: { header_limit: 512 }\n"), 3,
                      "server.header_limit: expected a size from 1KiB to 1MiB");
  EXPECT_CONFIG_ERROR(with_base("server: { header_limit: 2MiB }\n"), 3,
                      "server.header_limit: expected a size from 1KiB to 1MiB");
}

TEST(ConfigErrors, Durations) {
  EXPECT_CONFIG_ERROR_AT(with_base(R"(
server:
  header_timeout: 10 seconds
)"),
                         4, 19, "server.header_timeout: expected a duration like 30s");
  EXPECT_CONFIG_ERROR(with_base("server: { idle_timeout: 0s }\n"), 3,
                      "server.idle_timeout: expected a duration above zero");
  EXPECT_CONFIG_ERROR(with_base("upstream: { connect_timeout: 0 }\n"), 3,
                      "upstream.connect_timeout: expected a duration above zero");
  EXPECT_CONFIG_ERROR(with_base("upstream: { read_timeout: -5s }\n"), 3,
                      "upstream.read_timeout: expected a duration");
  EXPECT_CONFIG_ERROR(with_base("upstream: { idle_timeout: 9999999999999999h }\n"), 3,
                      "upstream.idle_timeout: expected a duration");
  EXPECT_CONFIG_ERROR(with_base("background_fetch: { retry_backoff: soon }\n"), 3,
                      "background_fetch.retry_backoff: expected a duration");
}

TEST(ConfigErrors, Workers) {
  EXPECT_CONFIG_ERROR_AT(with_base("workers: 0\n"), 3, 10,
                         "workers: expected a whole number from 1 to 256, got '0'");
  EXPECT_CONFIG_ERROR(with_base("workers: 257\n"), 3, "workers: expected a whole number");
  EXPECT_CONFIG_ERROR(with_base("workers: -1\n"), 3, "workers: expected a whole number");
  EXPECT_CONFIG_ERROR(with_base("workers: Auto\n"), 3, "workers: expected a whole number");
  EXPECT_CONFIG_ERROR(with_base("workers: [1]\n"), 3, "workers: expected auto or");
}

TEST(ConfigErrors, BackgroundFetchNumbers) {
  EXPECT_CONFIG_ERROR(with_base(R"(
background_fetch:
  max_concurrent: 0
)"),
                      4, "background_fetch.max_concurrent: expected a whole number from 1 to 1024");
  EXPECT_CONFIG_ERROR(with_base("background_fetch: { queue_size: 0 }\n"), 3,
                      "background_fetch.queue_size: expected a whole number from 1");
}

TEST(ConfigErrors, Cidrs) {
  EXPECT_CONFIG_ERROR_AT(with_base(R"(
trusted:
  - 127.0.0.1/32
  - 10.0.0.0/33
)"),
                         5, 5, "trusted[1]: expected an address or network like 10.0.0.0/8");
  EXPECT_CONFIG_ERROR(with_base("trusted: localhost\n"), 3, "trusted: expected an address");
  EXPECT_CONFIG_ERROR(with_base("trusted: { a: 1 }\n"), 3,
                      "trusted: expected a network or a list of networks, got a map");
  EXPECT_CONFIG_ERROR(with_base("admin: { purge_allow: [ \"::1/129\" ] }\n"), 3,
                      "admin.purge_allow[0]: expected an address");
  EXPECT_CONFIG_ERROR(with_base("admin: { purge_allow: [ \"10.0.0.1/8\" ] }\n"), 3,
                      "admin.purge_allow[0]: host bits are set in '10.0.0.1/8' (did you mean "
                      "10.0.0.0/8?)");
  EXPECT_CONFIG_ERROR(with_base("trusted: \"2001:db8::1/32\"\n"), 3, "did you mean 2001:db8::/32?");
}

TEST(ConfigErrors, AdminListen) {
  EXPECT_CONFIG_ERROR(with_base("admin: { listen: 9090 }\n"), 3,
                      "admin.listen: expected an IP address and a port");
  EXPECT_CONFIG_ERROR(with_base("admin: { listen: \"127.0.0.1:8080\" }\n"), 3,
                      "admin.listen: '127.0.0.1:8080' overlaps listen entry '127.0.0.1:8080' "
                      "(line 1)");
  EXPECT_CONFIG_ERROR(with_base("admin: { listen: \"0.0.0.0:8080\" }\n"), 3, "overlaps");
  EXPECT_CONFIG_ERROR(with_base("admin: { listen: \"[::]:8080\" }\n"), 3, "overlaps");
  EXPECT_NO_THROW(testing::load(with_base("admin: { listen: \"127.0.0.1:8081\" }\n")));
  EXPECT_NO_THROW(testing::load(with_base("admin: { listen: \"[::1]:8080\" }\n")));
}

}  // namespace
}  // namespace rangecache::config
