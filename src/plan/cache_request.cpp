#include "rangecache/plan/cache_request.hpp"

#include "rangecache/range/cache_key.hpp"

namespace rangecache::plan {

std::string cache_url_for(const config::remap_rule& rule, std::string_view target) {
  std::string out;
  cache_url_for(rule, target, out);
  return out;
}

void cache_url_for(const config::remap_rule& rule, std::string_view target, std::string& out) {
  const bool v6 = rule.to_host.find(':') != std::string::npos;
  std::string bracketed;
  if (v6) bracketed = "[" + rule.to_host + "]";
  range::cache_url(
      {"http", v6 ? std::string_view(bracketed) : std::string_view(rule.to_host),
       rule.to_port == 80 ? std::nullopt : std::optional<std::uint16_t>(rule.to_port), target},
      out);
}

void recycle(cache_request& cr) {
  cache_request fresh;
  // Each string's buffer moves to the fresh request, emptied; everything else starts anew.
  for (std::string cache_request::*s :
       {&cache_request::target, &cache_request::url, &cache_request::full_key,
        &cache_request::range_key, &cache_request::base_full_key, &cache_request::base_range_key,
        &cache_request::variant, &cache_request::vary_names, &cache_request::crr_ident}) {
    (fresh.*s).swap(cr.*s);
    (fresh.*s).clear();
  }
  cr = std::move(fresh);
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
