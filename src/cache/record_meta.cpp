#include "rangecache/cache/record_meta.hpp"

#include <algorithm>

#include "rangecache/cache/targeted_field.hpp"
#include "rangecache/util/http_text.hpp"

namespace rangecache::cache {
namespace {

constexpr std::uint32_t flag_no_cache = 1u << 0;
constexpr std::uint32_t flag_must_revalidate = 1u << 1;
constexpr std::uint32_t flag_heuristic = 1u << 2;
constexpr std::uint32_t flag_vary_index = 1u << 3;
constexpr std::uint32_t flag_block_index = 1u << 4;
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

object_meta vary_index_meta(std::string_view vary_names, std::chrono::sys_seconds now) {
  object_meta m;
  m.status = 200;
  m.headers.push_back({"Vary", std::string(vary_names)});
  m.stored_at = now;
  m.date = now;
  // No lifetime and no-cache: anything that took it for a response would have to ask first.
  m.flags = flag_vary_index | flag_no_cache;
  return m;
}

bool is_vary_index(const object_meta& meta) noexcept {
  return meta.flags & flag_vary_index;
}

object_meta block_index_meta(object_meta head, std::uint64_t total) {
  head.content_length = 0;
  head.range = content_range{0, total == 0 ? 0 : total - 1, total};
  head.flags |= flag_block_index;
  return head;
}

bool is_block_index(const object_meta& meta) noexcept {
  return (meta.flags & flag_block_index) && meta.range;
}

object_meta object_of_block_index(const object_meta& index) {
  object_meta m = index;
  m.flags &= ~flag_block_index;
  m.content_length = index.range ? index.range->total : 0;
  m.range.reset();
  m.status = 200;
  return m;
}

std::int64_t stored_lifetime(const freshness_info& fresh) noexcept {
  const std::int64_t beyond = std::max<std::int64_t>(0, fresh.initial_age - age_max);
  return std::max<std::int64_t>(0, fresh.lifetime - beyond);
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

cache_control stored_directives(const object_meta& meta, std::span<const std::string> targeted) {
  for (const auto& name : targeted) {
    auto value = joined_header(meta, name);
    if (!value) continue;
    if (auto text = targeted_cache_control(*value)) return parse_cache_control(*text);
  }
  return parse_cache_control(joined_header(meta, "Cache-Control").value_or(""));
}

freshness_info freshness_with_windows(const object_meta& meta,
                                      std::span<const std::string> targeted) {
  freshness_info f = freshness_of(meta);
  const cache_control cc = stored_directives(meta, targeted);
  f.stale_while_revalidate = cc.stale_while_revalidate;
  f.stale_if_error = cc.stale_if_error;
  return f;
}

freshness_info freshness_at(const object_meta& meta, std::int64_t now,
                            std::span<const std::string> targeted) {
  freshness_info f = freshness_of(meta);
  if (current_age(f.initial_age, f.response_time, now) < f.lifetime) return f;
  return freshness_with_windows(meta, targeted);
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

const object_meta& without_fields(const object_meta& meta, std::span<const std::string> names,
                                  object_meta& scratch) {
  auto named = [&](const header_field& h) {
    for (const auto& n : names)
      if (util::iequals(h.name, n)) return true;
    return false;
  };
  if (std::none_of(meta.headers.begin(), meta.headers.end(), named)) return meta;
  scratch = meta;
  std::erase_if(scratch.headers, named);
  return scratch;
}

std::optional<std::string> joined_header(const object_meta& meta, std::string_view name) {
  std::optional<std::string> out;
  for (const auto& h : meta.headers) {
    if (!util::iequals(h.name, name)) continue;
    if (out) {
      *out += ", ";
      *out += h.value;
    } else {
      out = h.value;
    }
  }
  return out;
}

}  // namespace rangecache::cache
