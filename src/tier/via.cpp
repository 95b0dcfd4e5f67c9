#include "rangecache/tier/via.hpp"

#include <algorithm>

#include "rangecache/util/http_text.hpp"

namespace rangecache::tier {
namespace {

// The second word of a Via entry: "1.1 node-a (comment)" → "node-a".
std::string_view received_by(std::string_view entry) {
  const auto space = entry.find_first_of(" \t");
  if (space == std::string_view::npos) return {};
  auto rest = util::trim_ows(entry.substr(space));
  return rest.substr(0, rest.find_first_of(" \t"));
}

}  // namespace

bool via_names_any(std::string_view via, std::span<const std::string_view> names) {
  bool found = false;
  util::for_each_list_element(via, [&](std::string_view entry) {
    const auto by = received_by(entry);
    if (by.empty()) return;
    if (std::any_of(names.begin(), names.end(),
                    [&](std::string_view n) { return util::iequals(n, by); }))
      found = true;
  });
  return found;
}

}  // namespace rangecache::tier
