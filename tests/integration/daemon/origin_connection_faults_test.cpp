// Origins close pooled keep-alive connections whenever they like: after a short idle time
// (Node.js does after 5 s), or with a reset right after an answer. Neither may cost a client
// a 502, and no request the origin may have processed is ever sent to it twice unless doing
// so is harmless (an idempotent method).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "content.hpp"
#include "daemon.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

struct sent_request {
  std::string method, target;
  int status = 0;
  bool body_ok = true;
};

// Request i of the mix: GET, HEAD, PUT and POST, each to a target of its own, so that
// every one of them goes to the origin and can be counted there.
sent_request send_one(std::uint16_t port, int i) {
  sent_request s;
  const std::string n = std::to_string(i);
  switch (i % 5) {
    case 0:
      s.method = "POST";
      s.target = "/echo/post-" + n;
      break;
    case 1:
      s.method = "PUT";
      s.target = "/echo/put-" + n;
      break;
    case 2:
      s.method = "HEAD";
      s.target = "/gen/2000/head-" + n + ".bin";
      break;
    default:
      s.method = "GET";
      s.target = "/gen/3000/get-" + n + ".bin";
  }
  const std::string body = s.method == "POST" || s.method == "PUT" ? "body of " + n : "";
  auto r = request(port, s.method, s.target, {}, body);
  s.status = r.status;
  if (s.method == "GET") s.body_ok = r.body == expected_bytes(s.target, 0, 3000);
  return s;
}

// 1,000 requests from four clients at once.
std::vector<sent_request> run_mix(std::uint16_t port) {
  std::vector<sent_request> all(1000);
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&all, port, c] {
      for (int i = c; i < 1000; i += 4) all[i] = send_one(port, i);
    });
  for (auto& t : clients) t.join();
  return all;
}

void expect_no_spurious_failure(const std::vector<sent_request>& all, const origin& org) {
  int failed = 0, posts_repeated = 0;
  for (const auto& s : all) {
    if (s.status != 200 || !s.body_ok) {
      if (++failed <= 5) ADD_FAILURE() << s.method << " " << s.target << ": " << s.status;
      continue;
    }
    const auto seen = org.count(s.target);
    // A POST is never replayed; an idempotent request at most once.
    if (s.method == "POST" && seen != 1 && ++posts_repeated <= 5) {
      ADD_FAILURE() << "the origin saw POST " << s.target << " " << seen << " times";
    }
    if (s.method != "POST") {
      EXPECT_LE(seen, 2) << s.method << " " << s.target;
    }
  }
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(posts_repeated, 0);
}

// The mix through a daemon in front of an origin started with `origin_args`, which must
// have carried out its fault `fault` at least `at_least` times meanwhile.
void run_against(std::vector<std::string> origin_args, const char* fault, std::int64_t at_least) {
  origin_options oo;
  oo.extra_args = std::move(origin_args);
  origin org(oo);
  daemon_options o;
  o.origin_port = org.port();
  o.workers = 2;
  proxy_daemon d(o);
  auto all = run_mix(d.port());
  expect_no_spurious_failure(all, org);
  EXPECT_GE(org.events(fault), at_least) << fault;
  EXPECT_GT(metric(d.admin_port(), "rangecache_upstream_reused_total").value_or(0), 0);
  std::cout << "retried on a fresh connection: "
            << metric(d.admin_port(), "rangecache_upstream_retried_total").value_or(-1) << "\n";
}

}  // namespace

// The origin closes a connection idle for 50 ms (an idle limit short enough that the mix
// crosses it over and over without waiting), while rangecache keeps pooled ones longer.
TEST(OriginConnectionFaults, AnOriginClosingIdleConnectionsCostsNoRequest) {
  run_against({"--idle-timeout", "0.05"}, "idle_closed", 1);
}

// Every fourth answer on a keep-alive connection is followed by a reset.
TEST(OriginConnectionFaults, AnOriginResettingConnectionsAfterAnswersCostsNoRequest) {
  run_against({"--reset-every", "4"}, "reset_after", 100);
}
