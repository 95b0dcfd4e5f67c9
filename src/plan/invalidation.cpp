#include "rangecache/plan/invalidation.hpp"

#include <array>

#include "rangecache/util/http_text.hpp"

namespace rangecache::plan {
namespace {

// "host:80" and "host" are one authority for http.
std::string_view without_default_port(std::string_view authority) {
  if (authority.ends_with(":80")) authority.remove_suffix(3);
  return authority;
}

bool same_authority(std::string_view a, std::string_view b) {
  return util::iequals(without_default_port(a), without_default_port(b));
}

std::string_view without_fragment(std::string_view s) {
  return s.substr(0, s.find('#'));
}

}  // namespace

bool invalidates(std::string_view method, unsigned status) {
  static constexpr std::array<std::string_view, 4> safe = {"GET", "HEAD", "OPTIONS", "TRACE"};
  for (auto m : safe)
    if (m == method) return false;
  return status < 400;
}

std::optional<std::string> same_origin_target(std::string_view reference,
                                              std::string_view request_path,
                                              std::span<const std::string_view> same_origin) {
  reference = without_fragment(util::trim_ows(reference));
  if (reference.empty() || reference.starts_with("//")) return std::nullopt;
  if (reference.starts_with('/')) return std::string(reference);
  constexpr std::string_view http = "http://";
  if (reference.size() > http.size() && util::iequals(reference.substr(0, http.size()), http)) {
    auto rest = reference.substr(http.size());
    const auto path_at = rest.find_first_of("/?");
    const auto authority = rest.substr(0, path_at);
    for (auto allowed : same_origin) {
      if (!same_authority(authority, allowed)) continue;
      if (path_at == std::string_view::npos) return std::string("/");
      auto path = rest.substr(path_at);
      return path.starts_with('?') ? "/" + std::string(path) : std::string(path);
    }
    return std::nullopt;
  }
  // Another scheme ("https:", "mailto:") names another origin or none.
  const auto colon = reference.find(':');
  if (colon != std::string_view::npos && colon < reference.find_first_of("/?")) return std::nullopt;
  // A relative path: resolved against the request's own path, up to its last '/'.
  const auto dir = request_path.substr(0, request_path.find('?'));
  return std::string(dir.substr(0, dir.rfind('/') + 1)) + std::string(reference);
}

}  // namespace rangecache::plan
