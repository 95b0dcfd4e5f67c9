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

void use_variant(cache_request& cr, std::string variant) {
  cr.variant = std::move(variant);
  if (cr.variant.empty()) {
    cr.full_key = cr.base_full_key;
    cr.range_key = cr.base_range_key;
    return;
  }
  cr.full_key = range::variant_key(cr.base_full_key, cr.variant);
  // Under no_modify_cachekey the range's key is the complete one, and stays so.
  cr.range_key = cr.base_range_key.empty() ? std::string{}
                 : cr.base_range_key == cr.base_full_key
                     ? cr.full_key
                     : range::variant_key(cr.base_range_key, cr.variant);
}

}  // namespace rangecache::plan
