// cache_range_requests options whose effect shows only on a stale object; the proxy's
// clock is moved forward to make it stale.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "pipeline.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

constexpr const char* last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";  // the origin's

class PipelineCacheOptions : public pipeline_suite<PipelineCacheOptions> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: { consider_ident: true }\n";
    return o;
  }

 protected:
  // Stores bytes=0-99 of `target` as a range object.
  static void prime(const std::string& target, const std::string& path, std::uint64_t size) {
    auto r = range_get(target, "bytes=0-99");
    ASSERT_TRUE(is_partial(r, path, 0, 99, size));
    ASSERT_EQ(x_cache(r), "MISS");
  }
};

}  // namespace

// X-Crr-Ident from a trusted client: `Etag <etag>`, `Last-Modified <date>` or `Stale`.
TEST_F(PipelineCacheOptions, ConsiderIdentOnAStaleObject) {
  const auto path = unique_gen(50000);
  const auto target = path + "?cc=max-age=1";
  const auto etag = expected_etag(path, 50000);
  const auto lm_path = unique_gen(50000);
  const auto lm_target = lm_path + "?cc=max-age=1&no_etag=1";
  prime(target, path, 50000);
  prime(lm_target, lm_path, 50000);
  advance(2s);

  // Stale + the exact identifier = fresh, served without the origin.
  auto r = range_get(target, "bytes=0-99", {{"X-Crr-Ident", "Etag " + etag}});
  EXPECT_TRUE(is_partial(r, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(r), "HIT");
  EXPECT_EQ(origin_->count(target), 1);
  // Without an ETag, Last-Modified is the identifier.
  auto lm = range_get(lm_target, "bytes=0-99",
                      {{"X-Crr-Ident", std::string("Last-Modified ") + last_modified}});
  EXPECT_TRUE(is_partial(lm, lm_path, 0, 99, 50000));
  EXPECT_EQ(x_cache(lm), "HIT");
  EXPECT_EQ(origin_->count(lm_target), 1);

  // Stale stays stale with a mismatch, a bare tag or Stale. (max-age=0 keeps it stale
  // after each revalidation's 304 has made it fresh for another second.)
  for (const char* v : {"Etag \"other\"", "Etag", "Stale"}) {
    auto s =
        range_get(lm_target, "bytes=0-99", {{"X-Crr-Ident", v}, {"Cache-Control", "max-age=0"}});
    EXPECT_EQ(x_cache(s), "REVALIDATED") << v;
  }
  auto stale = range_get(target, "bytes=0-99", {{"X-Crr-Ident", "Stale"}});
  EXPECT_TRUE(is_partial(stale, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(stale), "REVALIDATED");
  EXPECT_EQ(origin_->count(target), 2);
}
