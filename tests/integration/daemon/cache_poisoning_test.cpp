// Poisoning guards: an origin answer that does not prove it is the range asked for (its
// Content-Range must parse and name that range, and the body must have exactly that many
// bytes), or that is cut short, reaches the client if sane and is never stored.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

using strings = std::vector<std::string>;

class CachePoisoning : public daemon_suite<CachePoisoning> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }
};

}  // namespace

TEST_F(CachePoisoning, LyingContentRangeIsPassedOnButNotStored) {
  const auto path = unique_gen(100000);
  const auto target = path + "?lie=1";
  struct lie_case {
    const char* range;
    const char* told;             // the origin's Content-Range, shifted by one
    std::uint64_t first, length;  // the bytes it really sent
  };
  for (const auto& c : {lie_case{"bytes=100-199", "bytes 101-200/100000", 100, 100},
                        lie_case{"bytes=-100", "bytes 99899-99998/100000", 99900, 100},
                        lie_case{"bytes=0-", "bytes 0-99999/100001", 0, 100000}}) {
    for (int i = 0; i < 2; ++i) {
      auto r = range_get(target, c.range);
      EXPECT_EQ(r.status, 206) << c.range << r;
      EXPECT_TRUE(r.complete) << c.range;
      EXPECT_EQ(r.header("Content-Range"), c.told) << c.range;
      EXPECT_TRUE(is_content(r.body, path, c.first, c.length)) << c.range;
      EXPECT_NE(x_cache(r), "HIT") << c.range;
    }
  }
  EXPECT_EQ(origin_->count(target), 6);
}

TEST_F(CachePoisoning, MissingContentRangeIsPassedOnButNotStored) {
  const auto path = unique_gen(100000);
  const auto target = path + "?no_cr=1";
  for (int i = 0; i < 2; ++i) {
    auto r = range_get(target, "bytes=100-199");
    EXPECT_EQ(r.status, 206) << r;
    EXPECT_FALSE(r.has_header("Content-Range")) << r;
    EXPECT_TRUE(is_content(r.body, path, 100, 100));
    EXPECT_NE(x_cache(r), "HIT");
  }
  EXPECT_EQ(origin_->count(target), 2);
}

TEST_F(CachePoisoning, ContentRangeForAnotherRangeOrLengthIsNotStored) {
  const auto path = unique_gen(100000);
  struct bad_case {
    std::string query;  // a Content-Range of the origin's choosing, URL-encoded
    const char* range;
  };
  const std::vector<bad_case> cases{
      // Claims more bytes than the body has.
      {"?no_cr=1&hdr=Content-Range:bytes%200-199/100000", "bytes=0-99"},
      // The right first byte, another total: the asked range clamps differently.
      {"?no_cr=1&hdr=Content-Range:bytes%2099900-99999/99950", "bytes=99900-"},
      // Another object's total with the same span.
      {"?no_cr=1&hdr=Content-Range:bytes%200-99/50", "bytes=0-99"},
      // Not a byte range at all.
      {"?no_cr=1&hdr=Content-Range:items%200-99/100000", "bytes=0-99"},
      // A suffix cannot be checked without the total.
      {"?no_cr=1&hdr=Content-Range:bytes%2099900-99999/*", "bytes=-100"},
      // Two Content-Range fields.
      {"?hdr=Content-Range:bytes%200-99/100000", "bytes=0-99"},
  };
  for (const auto& c : cases) {
    const auto target = path + c.query;
    for (int i = 0; i < 2; ++i) {
      auto r = range_get(target, c.range);
      EXPECT_EQ(r.status, 206) << c.query << r;
      EXPECT_NE(x_cache(r), "HIT") << c.query;
    }
    EXPECT_EQ(origin_->count(target), 2) << c.query;
  }
}

// The other side: a Content-Range that proves the range is stored verbatim, even with an
// unknown total, and served as stored.
TEST_F(CachePoisoning, ProvenContentRangeWithUnknownTotalIsStoredVerbatim) {
  const auto path = unique_gen(100000);
  const auto target = path + "?no_cr=1&hdr=Content-Range:bytes%200-99/*";
  auto miss = range_get(target, "bytes=0-99");
  EXPECT_EQ(miss.status, 206) << miss;
  EXPECT_EQ(miss.header("Content-Range"), "bytes 0-99/*");
  EXPECT_EQ(x_cache(miss), "MISS");
  auto hit = range_get(target, "bytes=0-99");
  EXPECT_EQ(hit.status, 206) << hit;
  EXPECT_EQ(hit.header("Content-Range"), "bytes 0-99/*");
  EXPECT_EQ(hit.header_values("Content-Range").size(), 1u);
  EXPECT_TRUE(is_content(hit.body, path, 0, 100));
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(origin_->count(target), 1);
}

TEST_F(CachePoisoning, OriginResetMidBodyCutsTheClientAndStoresNothing) {
  const auto path = unique_gen(200000);
  struct cut_case {
    std::string query;
    const char* range;  // empty: a plain GET
  };
  for (const auto& c :
       {cut_case{"?short=50", "bytes=0-999"}, cut_case{"?short=70000", "bytes=0-99999"},
        cut_case{"?short=100000", ""}, cut_case{"?short=100000&fin=1", ""},
        cut_case{"?short=500&fin=1", "bytes=1000-1999"}}) {
    const auto target = path + c.query;
    for (int i = 0; i < 2; ++i) {
      connection conn("127.0.0.1", daemon_->port());
      header_list h;
      if (*c.range) h.emplace_back("Range", c.range);
      ASSERT_TRUE(conn.send_request("GET", target, h));
      auto r = conn.read_response();
      // Cut before anything was sent: a clean 502. Otherwise the connection is cut. Never a
      // short body that looks whole.
      if (r.status == 502) {
        EXPECT_TRUE(r.complete) << c.query << " " << r;
      } else {
        EXPECT_FALSE(r.complete) << c.query << " " << r;
      }
    }
    // The next request reaches the origin again: nothing was stored.
    EXPECT_EQ(origin_->count(target), 2) << c.query;
  }
  // And the object itself is still clean.
  auto clean = range_get(path, "bytes=0-999");
  EXPECT_TRUE(is_partial(clean, path, 0, 999, 200000));
  EXPECT_EQ(x_cache(clean), "MISS");
}

// Error answers are not stored; they reach the client whole, body included.
TEST_F(CachePoisoning, ErrorAnswersAreNotStored) {
  const auto path = unique_gen(10000);
  for (int status : {404, 416, 500, 503}) {
    const auto target = path + "?status=" + std::to_string(status);
    const auto text = "status " + std::to_string(status) + "\n";  // the origin's body
    for (int i = 0; i < 2; ++i) {
      auto r = range_get(target, "bytes=0-99", {}, 2s);
      EXPECT_EQ(r.status, status) << r;
      EXPECT_TRUE(r.complete) << r;
      EXPECT_EQ(r.body, text) << status;
      auto w = get(daemon_->port(), target, {}, 2s);
      EXPECT_EQ(w.status, status) << w;
      EXPECT_TRUE(w.complete) << w;
      EXPECT_EQ(w.body, text) << status;
    }
    EXPECT_EQ(origin_->count(target), 4) << status;
  }
  const std::string missing = "/no/such/file";
  for (int i = 0; i < 2; ++i) EXPECT_EQ(range_get(missing, "bytes=0-5").status, 404);
  EXPECT_EQ(origin_->count(missing), 2);
}

// A 200 is the whole object whatever it says: a stray Content-Range on it is not replayed
// next to the one the cache computes.
TEST_F(CachePoisoning, StrayContentRangeOnA200IsNotReplayed) {
  const auto path = unique_gen(10000);
  const auto target = path + "?ignore_range=1&hdr=Content-Range:bytes%200-0/1";
  auto first = range_get(target, "bytes=10-19");
  EXPECT_TRUE(is_partial(first, path, 10, 19, 10000));
  EXPECT_EQ(first.header_values("Content-Range").size(), 1u) << first;
  auto hit = range_get(target, "bytes=20-29");
  EXPECT_TRUE(is_partial(hit, path, 20, 29, 10000));
  EXPECT_EQ(hit.header_values("Content-Range").size(), 1u) << hit;
  EXPECT_TRUE(from_complete_object(hit));
  auto whole = get(daemon_->port(), target);
  EXPECT_TRUE(is_whole(whole, path, 10000));
  EXPECT_FALSE(whole.has_header("Content-Range")) << whole;
  EXPECT_TRUE(from_complete_object(whole));
  EXPECT_EQ(origin_->count(target), 1);
}

// A range object is never mistaken for the complete object, nor for another range.
TEST_F(CachePoisoning, RangeObjectsNeverAnswerOtherRequests) {
  const auto path = unique_gen(100000);
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-99")), "MISS");
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-99")), "HIT");
  auto whole = get(daemon_->port(), path);
  EXPECT_TRUE(is_whole(whole, path, 100000));
  EXPECT_EQ(x_cache(whole), "MISS");
  // Now the complete object is stored; a second range object does not shadow it.
  auto full_hit = get(daemon_->port(), path);
  EXPECT_TRUE(is_whole(full_hit, path, 100000));
  EXPECT_EQ(x_cache(full_hit), "HIT_FULL");
  auto head_whole = head(daemon_->port(), path);
  EXPECT_EQ(head_whole.status, 200);
  EXPECT_EQ(head_whole.header("Content-Length"), "100000");
  EXPECT_EQ(origin_->count(path), 2);
}

namespace {

class CachePoisoningUntrusted : public daemon_suite<CachePoisoningUntrusted> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: { consider_ims: true, consider_ident: true }\n";
    o.extra = "trusted: [\"10.0.0.0/8\"]\n";  // loopback is not trusted here
    return o;
  }
};

}  // namespace

// A client outside the trusted list cannot switch range caching off or steer freshness; its
// control headers are removed before anything else sees them.
TEST_F(CachePoisoningUntrusted, ControlHeadersFromUntrustedClientsAreStripped) {
  const header_list controls{{"X-Skip-Crr", "1"},
                             {"X-Crr-Ims", http_date(std::time(nullptr) + 3600)},
                             {"X-Crr-Ident", "Stale"}};
  auto echo = get(daemon_->port(), "/__echo_headers?untrusted=1", controls);
  ASSERT_EQ(echo.status, 200) << echo;
  EXPECT_FALSE(echoed_header(echo, "X-Skip-Crr")) << echo.body;
  EXPECT_FALSE(echoed_header(echo, "X-Crr-Ims")) << echo.body;
  EXPECT_FALSE(echoed_header(echo, "X-Crr-Ident")) << echo.body;

  const auto path = unique_gen(10000);
  header_list h = controls;
  h.emplace_back("Range", "bytes=0-99");
  auto miss = get(daemon_->port(), path, h);
  EXPECT_TRUE(is_partial(miss, path, 0, 99, 10000));
  EXPECT_EQ(x_cache(miss), "MISS");
  auto hit = get(daemon_->port(), path, h);
  EXPECT_TRUE(is_partial(hit, path, 0, 99, 10000));
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(origin_->count(path), 1);
}
