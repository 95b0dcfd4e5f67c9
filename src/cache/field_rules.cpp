#include "rangecache/cache/field_rules.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "rangecache/util/http_text.hpp"

namespace rangecache::cache {
namespace {

// A set of field names, asked about every stored field of every answer from the cache: most
// names are ruled out by their length alone (a bit per length), before any comparison.
template <std::size_t N>
struct name_set {
  constexpr name_set(std::array<std::string_view, N> n) : names(n) {
    for (auto name : names) lengths |= std::uint64_t{1} << name.size();
  }
  bool has(std::string_view name) const noexcept {
    if (name.size() >= 64 || ((lengths >> name.size()) & 1) == 0) return false;
    for (auto n : names)
      if (util::iequals(n, name)) return true;
    return false;
  }
  std::array<std::string_view, N> names;
  std::uint64_t lengths = 0;  // every name is shorter than 64
};

// Proxy-Authenticate, Proxy-Authorization and Proxy-Authentication-Info are for this hop only
// (RFC 9110 §11.7, RFC 9111 §3.1).
constexpr name_set<10> hop_by_hop{{"connection", "keep-alive", "proxy-connection", "te", "trailer",
                                   "upgrade", "transfer-encoding", "proxy-authenticate",
                                   "proxy-authorization", "proxy-authentication-info"}};

// Rebuilt by every answer, so never kept. (Via is kept: an answer from the cache carries the
// origin's Via with this cache's entry after it.)
constexpr name_set<4> rebuilt{{"content-length", "age", "x-cache", "set-cookie2"}};

// Kept, but written by each answer itself rather than repeated.
constexpr name_set<7> answer_owned{{"content-length", "content-range", "age", "via", "connection",
                                    "transfer-encoding", "x-cache"}};

}  // namespace

bool is_hop_by_hop(std::string_view name) noexcept {
  return hop_by_hop.has(name);
}

bool stored_from_origin(std::string_view name) noexcept {
  return !is_hop_by_hop(name) && !rebuilt.has(name);
}

bool replayed_from_store(std::string_view name) noexcept {
  return !answer_owned.has(name) && !is_hop_by_hop(name);
}

bool updated_by_304(std::string_view name) noexcept {
  return stored_from_origin(name) && !util::iequals(name, "content-range");
}

std::size_t replayed_size(const object_meta& meta) noexcept {
  std::size_t n = 0;
  for (const auto& h : meta.headers)
    if (replayed_from_store(h.name)) n += h.name.size() + h.value.size() + 4;
  return n;
}

char* write_replayed(const object_meta& meta, char* out) noexcept {
  for (const auto& h : meta.headers) {
    if (!replayed_from_store(h.name)) continue;
    // A stored name or value is a std::string: its data is never null, even when empty.
    std::memcpy(out, h.name.data(), h.name.size());
    out += h.name.size();
    std::memcpy(out, ": ", 2);
    std::memcpy(out + 2, h.value.data(), h.value.size());
    out += 2 + h.value.size();
    std::memcpy(out, "\r\n", 2);
    out += 2;
  }
  return out;
}

}  // namespace rangecache::cache
