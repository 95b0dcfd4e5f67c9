#include <algorithm>
#include <optional>

#include "rangecache/ctl/ctl.hpp"

namespace rangecache::ctl {
namespace {

struct sample {
  std::string_view name;  // with its labels
  std::string_view value;
};

// "name{labels} value [timestamp]": the value starts after the last space outside the
// labels (a label value may hold spaces).
std::optional<sample> split_sample(std::string_view line) {
  const auto close = line.rfind('}');
  const auto from = close == std::string_view::npos ? 0 : close;
  const auto space = line.find(' ', from);
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  auto value = line.substr(space + 1);
  value = value.substr(0, value.find(' '));  // without a timestamp
  return sample{line.substr(0, space), value};
}

bool wanted(std::string_view name, const std::vector<std::string>& names) {
  if (names.empty()) return true;
  const auto bare = name.substr(0, name.find('{'));
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return bare.find(n) != std::string_view::npos; });
}

}  // namespace

std::string stats_table(std::string_view metrics, const std::vector<std::string>& names,
                        std::size_t& matched) {
  std::vector<sample> rows;
  std::size_t width = 0;
  while (!metrics.empty()) {
    const auto eol = metrics.find('\n');
    const auto line = metrics.substr(0, eol);
    metrics.remove_prefix(eol == std::string_view::npos ? metrics.size() : eol + 1);
    if (line.empty() || line.front() == '#') continue;
    const auto s = split_sample(line);
    if (!s || !wanted(s->name, names)) continue;
    rows.push_back(*s);
    width = std::max(width, s->name.size());
  }
  matched = rows.size();
  std::string out;
  for (const auto& r : rows) {
    out.append(r.name).append(width - r.name.size() + 2, ' ').append(r.value).push_back('\n');
  }
  return out;
}

}  // namespace rangecache::ctl
