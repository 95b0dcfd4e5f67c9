#include "rangecache/plan/field_rules.hpp"

#include <array>

#include "rangecache/util/http_text.hpp"

namespace rangecache::plan {
namespace {

template <std::size_t N>
bool named(const std::array<std::string_view, N>& names, std::string_view name) noexcept {
  for (auto n : names)
    if (util::iequals(n, name)) return true;
  return false;
}

// Proxy-Authenticate, Proxy-Authorization and Proxy-Authentication-Info are for this hop only
// (RFC 9110 §11.7, RFC 9111 §3.1).
constexpr std::array<std::string_view, 10> hop_by_hop = {"connection",
                                                         "keep-alive",
                                                         "proxy-connection",
                                                         "te",
                                                         "trailer",
                                                         "upgrade",
                                                         "transfer-encoding",
                                                         "proxy-authenticate",
                                                         "proxy-authorization",
                                                         "proxy-authentication-info"};

// Rebuilt by every answer, so never kept. (Via is kept: an answer from the cache carries the
// origin's Via with this cache's entry after it.)
constexpr std::array<std::string_view, 4> rebuilt = {"content-length", "age", "x-cache",
                                                     "set-cookie2"};

// Kept, but written by each answer itself rather than repeated.
constexpr std::array<std::string_view, 7> answer_owned = {
    "content-length", "content-range", "age", "via", "connection", "transfer-encoding", "x-cache"};

}  // namespace

bool is_hop_by_hop(std::string_view name) noexcept {
  return named(hop_by_hop, name);
}

bool stored_from_origin(std::string_view name) noexcept {
  return !is_hop_by_hop(name) && !named(rebuilt, name);
}

bool replayed_from_store(std::string_view name) noexcept {
  return !named(answer_owned, name) && !is_hop_by_hop(name);
}

bool updated_by_304(std::string_view name) noexcept {
  return stored_from_origin(name) && !util::iequals(name, "content-range");
}

}  // namespace rangecache::plan
