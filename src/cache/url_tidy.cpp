#include "rangecache/cache/url_tidy.hpp"

#include <algorithm>
#include <map>

namespace rangecache::cache {

std::vector<std::string> variants_to_drop(std::span<const variant_stamp> objects, std::size_t keep,
                                          std::string_view protect) {
  std::map<std::string_view, std::chrono::sys_seconds> newest;
  for (const auto& o : objects) {
    if (o.variant.empty()) continue;
    auto [it, added] = newest.try_emplace(o.variant, o.stored_at);
    if (!added) it->second = std::max(it->second, o.stored_at);
  }
  std::vector<std::pair<std::chrono::sys_seconds, std::string_view>> order;
  for (const auto& [variant, at] : newest)
    if (variant != protect) order.emplace_back(at, variant);
  // Newest first; the protected variant takes one of the places kept when it is there.
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  const std::size_t protected_kept = newest.count(protect) ? 1 : 0;
  const std::size_t room = keep > protected_kept ? keep - protected_kept : 0;
  std::vector<std::string> out;
  for (std::size_t i = room; i < order.size(); ++i) out.emplace_back(order[i].second);
  return out;
}

url_tidy redundant_ranges(std::string_view variant, std::string_view keep_etag) {
  url_tidy t;
  t.what = url_tidy::kind::ranges;
  t.variant = variant;
  t.keep_etag = keep_etag;
  return t;
}

url_tidy variants_beyond(std::size_t keep, std::string_view just_stored) {
  url_tidy t;
  t.what = url_tidy::kind::variants;
  t.variant = just_stored;
  t.keep_variants = keep;
  return t;
}

tidy_filter::tidy_filter(const url_tidy& tidy, std::span<const variant_stamp> objects)
    : tidy_(tidy) {
  if (tidy.what == url_tidy::kind::variants)
    dropped_ = variants_to_drop(objects, tidy.keep_variants, tidy.variant);
}

bool tidy_filter::picks(const object_meta& meta) const {
  if (tidy_.what == url_tidy::kind::variants)
    return !meta.variant.empty() &&
           std::find(dropped_.begin(), dropped_.end(), meta.variant) != dropped_.end();
  return meta.range && meta.variant == tidy_.variant &&
         (tidy_.keep_etag.empty() || meta.etag != tidy_.keep_etag);
}

}  // namespace rangecache::cache
