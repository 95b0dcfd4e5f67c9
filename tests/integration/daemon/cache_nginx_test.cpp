// The core cache cases against a real web server: Debian's nginx serving static files
// (skipped when /usr/sbin/nginx is not installed). The files hold the test origin's
// generated content, so expected_bytes checks every byte; nginx's access log counts the
// requests that reached it.
#include <gtest/gtest.h>

#include <filesystem>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "files.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

using strings = std::vector<std::string>;
constexpr std::uint64_t one_mib = 1u << 20;
constexpr std::uint64_t big = 64u << 20;

class CacheNginx : public nginx_suite<CacheNginx> {
 public:
  static void write_files(nginx_origin& nginx) {
    nginx.write_generated("1m.bin", one_mib);
    nginx.write_generated("64m.bin", big);
  }
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    o.max_size = "1GiB";  // 64m.bin is well under a quarter of it
    return o;
  }

 protected:
  // A copy of 1m.bin under a name of this test's own.
  static std::string fresh_copy(std::uint64_t size = one_mib) {
    auto path = unique_gen(size, ".bin");
    // nginx serves <www>/<name>; the content is that of the path it is served under.
    auto name = path.substr(1);
    std::filesystem::create_directories(nginx_->www() / std::filesystem::path(name).parent_path());
    for (auto p = nginx_->www() / std::filesystem::path(name).parent_path(); p != nginx_->www();
         p = p.parent_path())
      std::filesystem::permissions(p, std::filesystem::perms(0755));
    nginx_->write_generated(name, size);
    return path;
  }

  // nginx logs a request once its answer is out, which can be after the client has it:
  // waits (bounded) for `n` lines of `path`.
  static bool logged(const std::string& path, std::int64_t n) {
    return wait_until([&] { return nginx_->count(path) >= n; }, 5s);
  }

  static response range_get(const std::string& target, const std::string& range,
                            header_list more = {}) {
    more.emplace_back("Range", range);
    return get(daemon_->port(), target, more, 30s);
  }
};

}  // namespace

TEST_F(CacheNginx, MissThenHit) {
  const std::string path = "/1m.bin";
  auto miss = range_get(path, "bytes=1000-1999");
  EXPECT_TRUE(is_partial(miss, path, 1000, 1999, one_mib));
  EXPECT_EQ(x_cache(miss), "MISS");
  auto hit = range_get(path, "bytes=1000-1999");
  EXPECT_TRUE(is_partial(hit, path, 1000, 1999, one_mib));
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_TRUE(hit.has_header("Age"));
  EXPECT_EQ(hit.header("ETag"), miss.header("ETag"));
  EXPECT_EQ(hit.header("Cache-Control"), "max-age=3600");
  EXPECT_TRUE(logged(path, 1));
  EXPECT_EQ(nginx_->ranges(path), strings{"bytes=1000-1999"});
}

TEST_F(CacheNginx, SuffixOpenAndPastTheEndRanges) {
  const auto path = fresh_copy();
  struct c {
    const char* range;
    std::uint64_t first, last;
  };
  const c cases[] = {{"bytes=-500", one_mib - 500, one_mib - 1},
                     {"bytes=1000000-", 1000000, one_mib - 1},
                     {"bytes=1048000-2000000", 1048000, one_mib - 1},
                     {"bytes=-2000000", 0, one_mib - 1},
                     {"bytes=0-099", 0, 99}};
  for (int round = 0; round < 2; ++round) {
    for (const auto& k : cases) {
      auto r = range_get(path, k.range);
      EXPECT_TRUE(is_partial(r, path, k.first, k.last, one_mib)) << k.range;
      EXPECT_EQ(x_cache(r), round == 0 ? "MISS" : "HIT") << k.range;
    }
  }
  EXPECT_TRUE(logged(path, 5));
  EXPECT_EQ(nginx_->count(path), 5);
  EXPECT_EQ(nginx_->ranges(path), (strings{"bytes=-500", "bytes=1000000-", "bytes=1048000-2000000",
                                           "bytes=-2000000", "bytes=0-99"}));
}

// nginx's 416 carries a small HTML body: whatever the client gets must be framed right, and
// the keep-alive connection must stay usable after it.
TEST_F(CacheNginx, UnsatisfiableIs416AndNotStored) {
  const auto path = fresh_copy();
  connection c("127.0.0.1", daemon_->port(), 3s);
  c.set_read_budget(5s);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(c.send_request("GET", path, {{"Range", "bytes=2000000-"}}));
    auto r = c.read_response();
    EXPECT_TRUE(is_unsatisfiable(r, one_mib)) << i;
    EXPECT_EQ(r.header("Content-Length").value_or("<none>"), std::to_string(r.body.size())) << r;
    if (!r.complete) return;
  }
  ASSERT_TRUE(c.send_request("GET", path, {{"Range", "bytes=0-9"}}));
  EXPECT_TRUE(is_partial(c.read_response(), path, 0, 9, one_mib));
  EXPECT_EQ(nginx_->count(path), 3);
}

TEST_F(CacheNginx, MultiRangeIsForwardedBeforeTheCompleteObject) {
  const auto path = fresh_copy();
  const std::vector<asked_range> asked{{0, 99}, {500000, 500999}, {100, 0, true}};
  for (int i = 0; i < 2; ++i) {
    auto r = range_get(path, "bytes=0-99,500000-500999,-100");
    EXPECT_TRUE(is_multi(r, path, one_mib, asked)) << i;
    EXPECT_NE(x_cache(r), "HIT");
  }
  EXPECT_EQ(nginx_->count(path), 2);
}

TEST_F(CacheNginx, CompleteObjectServesEveryRange) {
  const std::string path = "/64m.bin";
  auto whole = get_hashed(daemon_->port(), path, {}, 60s);
  ASSERT_EQ(whole.status, 200) << whole;
  EXPECT_EQ(whole.body_size, big);
  EXPECT_EQ(whole.body_sha256, expected_sha256(path, 0, big));
  EXPECT_EQ(x_cache(whole), "MISS");
  EXPECT_EQ(nginx_->count(path), 1);

  struct c {
    const char* range;
    std::uint64_t first, last;
  };
  const c cases[] = {{"bytes=0-0", 0, 0},
                     {"bytes=33554431-33554432", 33554431, 33554432},
                     {"bytes=10000000-12000000", 10000000, 12000000},
                     {"bytes=-100", big - 100, big - 1},
                     {"bytes=67108000-", 67108000, big - 1},
                     {"bytes=67108000-99999999", 67108000, big - 1}};
  for (const auto& k : cases) {
    auto r = range_get(path, k.range);
    EXPECT_TRUE(is_partial(r, path, k.first, k.last, big)) << k.range;
    EXPECT_EQ(x_cache(r), "HIT_FULL") << k.range;
  }
  auto multi = range_get(path, "bytes=0-99,40000000-40065535,-10");
  EXPECT_TRUE(is_multi(multi, path, big, {{0, 99}, {40000000, 40065535}, {10, 0, true}}));
  EXPECT_TRUE(is_unsatisfiable(range_get(path, "bytes=67108864-"), big));
  auto head_r = head(daemon_->port(), path, {{"Range", "bytes=5-9"}});
  EXPECT_EQ(head_r.status, 206);
  EXPECT_EQ(head_r.header("Content-Range"), "bytes 5-9/67108864");
  auto etag = whole.header("ETag").value_or("");
  auto if_range = range_get(path, "bytes=5-9", {{"If-Range", etag}});
  EXPECT_TRUE(is_partial(if_range, path, 5, 9, big));
  auto inm = get(daemon_->port(), path, {{"If-None-Match", etag}});
  EXPECT_EQ(inm.status, 304) << inm;
  auto again = get_hashed(daemon_->port(), path, {}, 60s);
  EXPECT_EQ(again.body_sha256, whole.body_sha256);
  EXPECT_EQ(x_cache(again), "HIT_FULL");
  EXPECT_EQ(nginx_->count(path), 1);
}

// nginx answers conditionals itself: a forced revalidation gets its 304.
TEST_F(CacheNginx, RevalidationGetsNginxs304) {
  const auto path = fresh_copy();
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-99")), "MISS");
  auto reval = range_get(path, "bytes=0-99", {{"Cache-Control", "no-cache"}});
  EXPECT_TRUE(is_partial(reval, path, 0, 99, one_mib));
  EXPECT_EQ(x_cache(reval), "REVALIDATED");
  EXPECT_EQ(nginx_->count(path), 2);
  EXPECT_EQ(x_cache(range_get(path, "bytes=0-99")), "HIT");
  EXPECT_EQ(nginx_->count(path), 2);
}

// When the complete object's validator changes, range objects of the old version are never
// served again.
TEST_F(CacheNginx, NewVersionShadowsOldRangeObjects) {
  const auto path = fresh_copy();
  const auto name = path.substr(1);
  auto old_range = range_get(path, "bytes=0-99");
  ASSERT_TRUE(is_partial(old_range, path, 0, 99, one_mib));
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-99")), "HIT");

  // A new version on disk: other content, other size, other mtime, so another ETag. The
  // mtime is moved on by hand: waiting a second for it would only slow the test down.
  const auto file = nginx_->www() / name;
  const auto old_mtime = std::filesystem::last_write_time(file);
  nginx_->write_generated(name, one_mib + 1, "v2");
  std::filesystem::last_write_time(file, old_mtime + 2s);
  auto whole = get(daemon_->port(), path, {{"Cache-Control", "no-cache"}}, 30s);
  ASSERT_TRUE(is_whole(whole, path, one_mib + 1, "v2"));
  EXPECT_NE(whole.header("ETag"), old_range.header("ETag"));

  auto r = range_get(path, "bytes=0-99");
  EXPECT_TRUE(is_partial(r, path, 0, 99, one_mib + 1, "v2"));
  EXPECT_EQ(x_cache(r), "HIT_FULL");
}
