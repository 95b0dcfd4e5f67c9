#include "rangecache/plan/cache_request.hpp"

#include "rangecache/range/cache_key.hpp"

namespace rangecache::plan {

std::string cache_url_for(const config::remap_rule& rule, std::string_view target) {
  std::string host =
      rule.to_host.find(':') != std::string::npos ? "[" + rule.to_host + "]" : rule.to_host;
  return range::cache_url(
      {"http", host, rule.to_port == 80 ? std::nullopt : std::optional<std::uint16_t>(rule.to_port),
       target});
}

}  // namespace rangecache::plan
