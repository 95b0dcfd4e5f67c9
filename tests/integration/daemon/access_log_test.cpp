// The access log of a running daemon in each log.access_format: a miss and then a hit of
// the same range, read back from the file, and a SIGHUP that changes the format.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <sstream>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class AccessLog : public daemon_per_test<AccessLog> {
 protected:
  std::unique_ptr<proxy_daemon> start_with(const std::string& format) {
    daemon_options o = defaults();
    o.rule_extra = "    cache_range_requests: {}\n";
    o.access_format = format;
    return std::make_unique<proxy_daemon>(o);
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The log once it has at least `n` lines (it is flushed about once a second).
std::vector<std::string> wait_lines(const proxy_daemon& d, std::size_t n) {
  std::vector<std::string> lines;
  wait_until(
      [&] {
        lines = lines_of(d.access_log());
        return lines.size() >= n;
      },
      10s);
  return lines;
}

const header_list client_fields = {{"Range", "bytes=0-99"},
                                   {"User-Agent", "rc-test \"quoted\" \xc3\xa9"},
                                   {"Referer", "http://ref.example/page"}};

// A range miss and then a hit of the same range; the path asked.
std::string miss_then_hit(const proxy_daemon& d) {
  const auto path = unique_gen(5000);
  auto miss = get(d.port(), path, client_fields);
  EXPECT_EQ(miss.status, 206) << miss;
  EXPECT_EQ(x_cache(miss), "MISS");
  auto hit = get(d.port(), path, client_fields);
  EXPECT_EQ(hit.status, 206) << hit;
  EXPECT_EQ(x_cache(hit), "HIT");
  return path;
}

// The miss writes its line once its exchange is over, which under a slow build can be after
// the client's next request (the hit) was answered and logged: the two in request order.
std::vector<std::string> miss_first(std::vector<std::string> lines) {
  if (lines.size() >= 2 && lines[0].find("MISS") == std::string::npos &&
      lines[1].find("MISS") != std::string::npos)
    std::swap(lines[0], lines[1]);
  return lines;
}

std::string host_of(const proxy_daemon& d) {
  return "127.0.0.1:" + std::to_string(d.port());
}

}  // namespace

TEST_F(AccessLog, LineIsTheDefaultAndUnchanged) {
  auto d = start_with("");
  const auto path = miss_then_hit(*d);
  const auto lines = miss_first(wait_lines(*d, 2));
  ASSERT_EQ(lines.size(), 2u) << d->access_log();
  const std::string url = "http://" + host_of(*d) + path;
  const std::string time = R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00)";
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(time + " 127.0.0.1 GET " + url +
                                                    R"( 206 100 \d+\.\d{3} MISS 206 origin)")))
      << lines[0];
  EXPECT_TRUE(std::regex_match(
      lines[1], std::regex(time + " 127.0.0.1 GET " + url + R"( 206 100 \d+\.\d{3} HIT - -)")))
      << lines[1];
}

TEST_F(AccessLog, JsonLinesParseAndCarryRangecacheFields) {
  auto d = start_with("json");
  const auto path = miss_then_hit(*d);
  const auto lines = miss_first(wait_lines(*d, 2));
  ASSERT_EQ(lines.size(), 2u) << d->access_log();
  const char* labels[] = {"MISS", "HIT"};
  for (int i = 0; i < 2; ++i) {
    auto j = json_value::parse(lines[i]);
    ASSERT_TRUE(j && j->is_object()) << lines[i];
    const auto& v = *j;
    EXPECT_TRUE(std::regex_match(v["time"].as_string(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
        << lines[i];
    EXPECT_EQ(v["client"].as_string(), "127.0.0.1");
    EXPECT_EQ(v["method"].as_string(), "GET");
    EXPECT_EQ(v["url"].as_string(), "http://" + host_of(*d) + path);
    EXPECT_EQ(v["protocol"].as_string(), "HTTP/1.1");
    EXPECT_EQ(v["status"].as_int(), 206);
    EXPECT_EQ(v["bytes"].as_int(), 100);
    EXPECT_EQ(v["cache"].as_string(), labels[i]);
    EXPECT_EQ(v["range"].as_string(), "bytes=0-99");
    EXPECT_EQ(v["referer"].as_string(), "http://ref.example/page");
    EXPECT_EQ(v["user_agent"].as_string(), "rc-test \"quoted\" \xc3\xa9");
    ASSERT_TRUE(v["ttfb_ms"].is_number()) << lines[i];
    EXPECT_LE(v["ttfb_ms"].as_double(), v["duration_ms"].as_double()) << lines[i];
  }
  auto miss = json_value::parse(lines[0]);
  auto hit = json_value::parse(lines[1]);
  EXPECT_EQ((*miss)["origin_bytes"].as_int(), 100) << lines[0];
  EXPECT_EQ((*miss)["upstream_status"].as_int(), 206) << lines[0];
  EXPECT_EQ((*miss)["upstream"].as_string(), "origin") << lines[0];
  EXPECT_EQ((*hit)["origin_bytes"].as_int(), 0) << lines[1];
  EXPECT_TRUE((*hit)["upstream_status"].is_null()) << lines[1];
  EXPECT_TRUE((*hit)["upstream"].is_null()) << lines[1];
  // An invalid Range is ignored (the whole object is the answer), but logged as asked.
  EXPECT_EQ(get(d->port(), path, {{"Range", "bytes=9-1"}}).status, 200);
  const auto three = wait_lines(*d, 3);
  ASSERT_EQ(three.size(), 3u) << d->access_log();
  auto ignored = json_value::parse(three[2]);
  ASSERT_TRUE(ignored) << three[2];
  EXPECT_EQ((*ignored)["range"].as_string(), "bytes=9-1") << three[2];
  EXPECT_EQ((*ignored)["status"].as_int(), 200) << three[2];
}

TEST_F(AccessLog, CombinedIsApacheCombinedThenRangecacheFields) {
  auto d = start_with("combined");
  const auto path = miss_then_hit(*d);
  const auto lines = miss_first(wait_lines(*d, 2));
  ASSERT_EQ(lines.size(), 2u) << d->access_log();
  const std::string head = R"(127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] )"
                           R"("GET )" +
                           path +
                           R"( HTTP/1\.1" 206 100 "http://ref\.example/page" )"
                           R"("rc-test \\"quoted\\" \\xc3\\xa9" )";
  const std::string host = R"(host="127\.0\.0\.1:)" + std::to_string(d->port()) + "\"";
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex(head + "cache=MISS " + host +
                           R"( range="bytes=0-99" origin_bytes=100 ttfb_ms=\d+\.\d{3} )"
                           R"(upstream_status=206 upstream=origin duration_ms=\d+\.\d{3})")))
      << lines[0];
  EXPECT_TRUE(std::regex_match(
      lines[1], std::regex(head + "cache=HIT " + host +
                           R"( range="bytes=0-99" origin_bytes=0 ttfb_ms=\d+\.\d{3} )"
                           R"(upstream_status=- upstream=- duration_ms=\d+\.\d{3})")))
      << lines[1];
}

TEST_F(AccessLog, SighupSwitchesTheFormat) {
  daemon_options o = defaults();
  auto d = std::make_unique<proxy_daemon>(o);
  EXPECT_EQ(get(d->port(), "/1k.bin").status, 200);
  ASSERT_EQ(wait_lines(*d, 1).size(), 1u);
  o.access_format = "json";
  write_file(d->config_path(), daemon_config(o, d->dir()));
  ASSERT_TRUE(d->proc().signal(SIGHUP));
  ASSERT_TRUE(
      wait_until([&] { return d->proc().stderr_text().find("reloaded") != std::string::npos; }, 5s))
      << d->proc().stderr_text();
  EXPECT_EQ(get(d->port(), "/1k.bin").status, 200);
  const auto lines = miss_first(wait_lines(*d, 2));
  ASSERT_EQ(lines.size(), 2u) << d->access_log();
  EXPECT_FALSE(json_value::parse(lines[0])) << lines[0];
  auto j = json_value::parse(lines[1]);
  ASSERT_TRUE(j) << lines[1];
  EXPECT_EQ((*j)["url"].as_string(), "http://" + host_of(*d) + "/1k.bin");
}
