// Settings a SIGHUP cannot apply: named so that the reload can say a restart is needed.
#include <gtest/gtest.h>

#include <functional>

#include "rangecache/config/config.hpp"

namespace rangecache::config {
namespace {

config base() {
  config c;
  c.listen = {{"127.0.0.1", 8080, "127.0.0.1:8080"}};
  c.workers = 2;
  c.cache.path = "/var/cache/rangecache";
  c.cache.max_size = 1 << 30;
  c.admin.listen = listen_endpoint{"127.0.0.1", 9090, "127.0.0.1:9090"};
  return c;
}

TEST(Reload, EachRestartOnlySettingIsNamed) {
  struct change {
    std::function<void(config&)> apply;
    std::vector<std::string> named;
  };
  const std::vector<change> cases{
      {[](config&) {}, {}},
      {[](config& c) { c.workers = 3; }, {"workers"}},
      {[](config& c) {
         c.listen[0] = {"127.0.0.1", 8081, "127.0.0.1:8081"};
       },
       {"listen"}},
      {[](config& c) {
         c.listen.push_back({"::1", 8080, "[::1]:8080"});
       },
       {"listen"}},
      {[](config& c) { c.cache.path = "/srv/cache"; }, {"cache.path"}},
      {[](config& c) { c.cache.max_size = 2ull << 30; }, {"cache.max_size"}},
      {[](config& c) { c.cache.sync = sync_mode::full; }, {"cache.sync"}},
      {[](config& c) { c.cache.backend = cache_backend::memory; }, {"cache.backend"}},
      {[](config& c) { c.admin.listen.reset(); }, {"admin.listen"}},
      {[](config& c) { c.admin.listen->port = 9091; }, {"admin.listen"}},
      // Applied by a reload: not named.
      {[](config& c) { c.upstream.read_timeout = std::chrono::seconds(5); }, {}},
      {[](config& c) { c.listen[0].text = "127.0.0.1:08080"; }, {}},  // same address
      {[](config& c) {
         c.workers = 4;
         c.cache.path = "/srv/cache";
         c.cache.max_size = 1;
         c.listen.clear();
       },
       {"listen", "workers", "cache.path", "cache.max_size"}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    config next = base();
    cases[i].apply(next);
    EXPECT_EQ(restart_only_changes(base(), next), cases[i].named) << "case " << i;
  }
}

}  // namespace
}  // namespace rangecache::config
