// remap[].cache_control_field: the targeted cache-control fields (RFC 9213) a rule obeys
// instead of Cache-Control, checked at load with file:line errors.
#include "config_test_util.hpp"

namespace rangecache::config {
namespace {

using testing::load;
using strings = std::vector<std::string>;

TEST(CacheControlField, DefaultsToCdnCacheControl) {
  const auto cfg = load(R"(
listen: 127.0.0.1:8080
remap:
  - { from: "http://a/", to: "http://b/" }
)");
  EXPECT_EQ(cfg.remap[0].cache_control_fields, strings{"CDN-Cache-Control"});
}

TEST(CacheControlField, OneNameAListOrNone) {
  const auto cfg = load(R"(
listen: 127.0.0.1:8080
remap:
  - { from: "http://a/", to: "http://b/", cache_control_field: Surrogate-Control }
  - from: http://c/
    to: http://b/
    cache_control_field: [Surrogate-Control, CDN-Cache-Control]
  - { from: "http://d/", to: "http://b/", cache_control_field: [] }
)");
  EXPECT_EQ(cfg.remap[0].cache_control_fields, strings{"Surrogate-Control"});
  EXPECT_EQ(cfg.remap[1].cache_control_fields, (strings{"Surrogate-Control", "CDN-Cache-Control"}));
  EXPECT_TRUE(cfg.remap[2].cache_control_fields.empty());
}

TEST(CacheControlField, BadValuesNameTheirLine) {
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_control_field: "CDN Cache Control"
)",
                      5, "remap[0].cache_control_field: expected a header name like CDN-Cache");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_control_field:
      - CDN-Cache-Control
      - cache-control
)",
                      7, "remap[0].cache_control_field[1]: 'cache-control' cannot be a targeted");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_control_field: [Expires]
)",
                      5, "'Expires' cannot be a targeted field");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_control_field: [CDN-Cache-Control, cdn-cache-control]
)",
                      5, "header 'cdn-cache-control' is listed twice");
  EXPECT_CONFIG_ERROR(R"(
listen: 127.0.0.1:8080
remap:
  - from: http://a/
    to: http://b/
    cache_control_field: { name: CDN-Cache-Control }
)",
                      5, "expected a header name like CDN-Cache-Control, or a list of them");
}

}  // namespace
}  // namespace rangecache::config
