#include "rangecache/cache/record_meta.hpp"

#include <algorithm>

#include "rangecache/util/http_text.hpp"

namespace rangecache::cache {
namespace {

constexpr std::uint32_t flag_no_cache = 1u << 0;
constexpr std::uint32_t flag_must_revalidate = 1u << 1;
constexpr std::uint32_t flag_heuristic = 1u << 2;
constexpr std::uint32_t age_shift = 8;
constexpr std::int64_t age_max = (std::int64_t{1} << 24) - 1;

}  // namespace

std::uint32_t pack_freshness_flags(const freshness_info& fresh) noexcept {
  std::uint32_t flags = 0;
  if (fresh.no_cache) flags |= flag_no_cache;
  if (fresh.must_revalidate) flags |= flag_must_revalidate;
  if (fresh.heuristic) flags |= flag_heuristic;
  flags |= static_cast<std::uint32_t>(std::clamp<std::int64_t>(fresh.initial_age, 0, age_max))
           << age_shift;
  return flags;
}

freshness_info freshness_of(const object_meta& meta) noexcept {
  freshness_info f;
  f.lifetime = meta.freshness_lifetime.count();
  f.initial_age = meta.flags >> age_shift;
  f.response_time = meta.stored_at.time_since_epoch().count();
  f.heuristic = meta.flags & flag_heuristic;
  f.no_cache = meta.flags & flag_no_cache;
  f.must_revalidate = meta.flags & flag_must_revalidate;
  return f;
}

std::int64_t age_of(const object_meta& meta, std::int64_t now) noexcept {
  auto f = freshness_of(meta);
  return std::max<std::int64_t>(0, current_age(f.initial_age, f.response_time, now));
}

const std::string* find_header(const object_meta& meta, std::string_view name) noexcept {
  for (const auto& h : meta.headers)
    if (util::iequals(h.name, name)) return &h.value;
  return nullptr;
}

}  // namespace rangecache::cache
