#include "rangecache/plan/vary.hpp"

#include <algorithm>

#include "rangecache/cache/object.hpp"
#include "rangecache/range/cache_key.hpp"
#include "rangecache/util/http_text.hpp"

namespace rangecache::plan {
namespace {

bool case_insensitive_tokens(std::string_view name) {
  for (std::string_view n : {"accept", "accept-charset", "accept-encoding", "accept-language"})
    if (util::iequals(name, n)) return true;
  return false;
}

}  // namespace

vary_spec parse_vary(std::span<const std::string_view> values, std::span<const std::string> keyed) {
  vary_spec out;
  for (auto value : values) {
    util::for_each_list_element(value, [&](std::string_view name) {
      if (name == "*") out.star = true;
      if (util::iequals(name, "host")) return;
      for (const auto& k : keyed)
        if (util::iequals(k, name)) return;
      out.names.push_back(util::lowered(name));
    });
  }
  std::sort(out.names.begin(), out.names.end());
  out.names.erase(std::unique(out.names.begin(), out.names.end()), out.names.end());
  if (out.star) out.names.clear();
  return out;
}

std::string normalized_value(std::string_view name, std::span<const std::string_view> lines) {
  std::string out;
  for (auto line : lines) {
    util::for_each_list_element(line, [&](std::string_view member) {
      if (!out.empty()) out.push_back(',');
      out.append(member);
    });
  }
  return case_insensitive_tokens(name) ? util::lowered(out) : out;
}

std::optional<std::string> select_variant(std::span<const std::string> names,
                                          const field_lines& lines) {
  std::vector<std::string> values;
  std::vector<range::key_header> fields;
  values.reserve(names.size());
  fields.reserve(names.size());
  std::vector<std::string_view> found;
  for (const auto& name : names) {
    found.clear();
    lines(name, found);
    values.push_back(normalized_value(name, found));
    fields.push_back(
        {name, found.empty() ? std::nullopt : std::optional<std::string_view>(values.back())});
  }
  auto id = range::variant_id(fields);
  if (id.size() > cache::max_variant_size) return std::nullopt;
  return id;
}

std::optional<answer_key> key_for_answer(std::string_view base_key,
                                         std::span<const std::string_view> vary,
                                         std::span<const std::string> keyed,
                                         const field_lines& lines) {
  const auto spec = parse_vary(vary, keyed);
  if (spec.star) return std::nullopt;
  if (spec.names.empty()) return answer_key{std::string(base_key), {}};
  auto variant = select_variant(spec.names, lines);
  if (!variant) return std::nullopt;
  auto key = range::variant_key(base_key, *variant);
  return answer_key{std::move(key), std::move(*variant)};
}

field_lines lines_of_pairs(const std::vector<std::pair<std::string, std::string>>& fields) {
  return [&fields](std::string_view name, std::vector<std::string_view>& out) {
    for (const auto& [n, v] : fields)
      if (util::iequals(n, name)) out.push_back(v);
  };
}

std::string join_names(std::span<const std::string> names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out.append(", ");
    out.append(n);
  }
  return out;
}

}  // namespace rangecache::plan
