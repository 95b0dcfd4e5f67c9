// The control headers (X-Crr-Ims, X-Crr-Ident, X-Skip-Crr, X-Rangecache-Fetch and a rule's own
// ims_header / ident_header names) are honoured only from `trusted` addresses; from anyone
// else they never reach the origin, whatever the method and whichever path the request takes.
#include <gtest/gtest.h>

#include <algorithm>

#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

const header_list control_headers{
    {"X-Crr-Ims", "Mon, 01 Jan 2024 00:00:00 GMT"},
    {"X-Crr-Ident", "Etag \"v1\""},
    {"X-Skip-Crr", "1"},
    {"X-Rangecache-Fetch", "1"},
    {"X-My-Ims", "Mon, 01 Jan 2024 00:00:00 GMT"},
    {"X-My-Ident", "Etag \"v1\""},
};

struct method_case {
  std::string method;
  std::string body;  // a GET with a body takes the pass-through path
};
const std::vector<method_case> methods{
    {"GET", ""}, {"HEAD", ""}, {"POST", "post"}, {"PUT", "put"}, {"OPTIONS", ""}, {"GET", "x"},
};

// Each test starts a daemon trusting other addresses.
class ControlHeaders : public daemon_per_test<ControlHeaders> {
 protected:
  // A daemon whose rule renames both control headers, trusting only `trusted`.
  static std::unique_ptr<proxy_daemon> start_trusting(const std::string& trusted) {
    return start("    cache_range_requests: { ims_header: X-My-Ims, ident_header: X-My-Ident }\n",
                 "trusted: [\"" + trusted + "\"]\n");
  }
};

// The lower-case names of the fields the origin received (its X-Echo-Names answer header).
std::vector<std::string> seen_by_origin(const proxy_daemon& d, const method_case& m, int n) {
  const std::string target = "/__echo_headers?m=" + m.method + "&n=" + std::to_string(n);
  auto r = request(d.port(), m.method, target, control_headers, m.body);
  EXPECT_EQ(r.status, 200) << m.method << " " << r;
  std::vector<std::string> names;
  const std::string header = r.header("X-Echo-Names").value_or("");
  std::string_view all = header;
  while (!all.empty()) {
    auto comma = all.find(',');
    names.emplace_back(all.substr(0, comma));
    if (comma == std::string_view::npos) break;
    all.remove_prefix(comma + 1);
  }
  EXPECT_FALSE(names.empty()) << m.method << ": no X-Echo-Names: " << r;
  return names;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), lower(name)) != names.end();
}

}  // namespace

TEST_F(ControlHeaders, FromAnUntrustedClientTheyNeverReachTheOrigin) {
  auto d = start_trusting("192.0.2.0/24");  // loopback is not trusted here
  int n = 0;
  for (const auto& m : methods) {
    auto names = seen_by_origin(*d, m, n++);
    for (const auto& [name, value] : control_headers)
      EXPECT_FALSE(contains(names, name)) << name << " reached the origin on " << m.method
                                          << (m.body.empty() ? "" : " with a body");
  }
}

TEST_F(ControlHeaders, FromATrustedClientTheyStillPass) {
  auto d = start_trusting("127.0.0.0/8");
  int n = 0;
  for (const auto& m : methods) {
    auto names = seen_by_origin(*d, m, n++);
    for (const auto& [name, value] : control_headers)
      EXPECT_TRUE(contains(names, name))
          << name << " was removed on " << m.method << (m.body.empty() ? "" : " with a body");
  }
}
