// The Grafana dashboard in config/grafana queries only metrics a live daemon serves: every
// metric name in its PromQL is scraped from /metrics after a little load.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "files.hpp"
#include "json.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class MetricsDashboard : public daemon_suite<MetricsDashboard> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }
};

// Every string under the keys that hold PromQL (targets' expr, the variables' queries).
void collect_queries(const json_value& v, std::vector<std::string>& out) {
  if (v.is_array()) {
    for (const auto& item : v.as_array()) collect_queries(item, out);
    return;
  }
  if (!v.is_object()) return;
  for (const auto& [key, value] : v.as_object()) {
    if ((key == "expr" || key == "definition") && value.is_string())
      out.push_back(value.as_string());
    collect_queries(value, out);
  }
}

std::set<std::string> metric_names(const std::vector<std::string>& queries) {
  static const std::regex name(R"(rangecache_[a-z0-9_]+)");
  std::set<std::string> names;
  for (const auto& q : queries)
    for (std::sregex_iterator it(q.begin(), q.end(), name), end; it != end; ++it)
      names.insert(it->str());
  return names;
}

// The metric name of every sample line (no HELP or TYPE: those exist with no sample).
std::set<std::string> served_names(const std::string& page) {
  std::set<std::string> names;
  std::istringstream in(page);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return names;
}

}  // namespace

TEST_F(MetricsDashboard, EveryMetricTheDashboardQueriesIsServed) {
  const auto text =
      read_file(std::filesystem::path(RC_SOURCE_DIR) / "config/grafana/rangecache-dashboard.json");
  ASSERT_TRUE(text) << "config/grafana/rangecache-dashboard.json";
  const auto dashboard = json_value::parse(*text);
  ASSERT_TRUE(dashboard) << "the dashboard is not valid JSON";
  std::vector<std::string> queries;
  collect_queries(*dashboard, queries);
  const auto wanted = metric_names(queries);
  ASSERT_GE(wanted.size(), 20u) << "the dashboard's queries were not found";

  // A miss, a hit and a request no rule takes: every histogram has a sample then.
  const auto path = unique_gen(100000);
  ASSERT_EQ(range_get(path, "bytes=0-99").status, 206);
  ASSERT_EQ(range_get(path, "bytes=0-99").status, 206);
  std::set<std::string> served;
  ASSERT_TRUE(wait_until(
      [&] {
        served = served_names(get(daemon_->admin_port(), "/metrics").body);
        return served.contains("rangecache_ttfb_seconds_bucket") &&
               served.contains("rangecache_origin_response_seconds_bucket");
      },
      5s));
  for (const auto& name : wanted)
    EXPECT_TRUE(served.contains(name)) << name << " is not in /metrics";
}
