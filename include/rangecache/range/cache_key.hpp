// Cache key strings. Every part of a key is a typed, length-prefixed field, so two different
// requests can never spell one key (a URL that ends in "-bytes=0-99" is not a range):
//
//   complete object:  u33:http://origin.internal:8000/v/a.mp4
//   range object:     u33:http://origin.internal:8000/v/a.mp4r11:bytes=0-99
//   with key headers: ...h15:accept-encodingv4:gzip h8:x-tenanta   (a = header absent)
//   variant (Vary):   <either key above>s26:h15:accept-encodingv4:gzip
//   block:            <complete object key>b9:1048576/3
//
// Which URL goes in is the caller's choice: as in ATS it is the rewritten, origin-facing URL,
// after remap. The store hashes the key and keeps the full string, so its length is not
// limited here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rangecache/range/byte_range.hpp"

namespace rangecache::range {

struct url_parts {
  std::string_view scheme;            // any case; lower-cased in the key
  std::string_view host;              // name, IPv4 or [IPv6]; lower-cased in the key
  std::optional<std::uint16_t> port;  // left out when absent or the scheme's default
  std::string_view target;            // origin-form "/path?query", kept byte for byte; "" = "/"
};

// scheme://host[:port]/path[?query]. The path and query are not case-folded nor
// percent-decoded: origins may treat them as distinct.
std::string cache_url(const url_parts& url);
// The same into `out` (replacing what it held, in its capacity).
void cache_url(const url_parts& url, std::string& out);

// A request header that takes part in the key (a rule's cache-key headers, ATS cachekey's
// --include-headers). An absent header and an empty one are different keys.
struct key_header {
  std::string_view name;                  // lower-cased in the key
  std::optional<std::string_view> value;  // OWS trimmed; nullopt = header absent
};

// "u<length>:<cache_url>", then "r<length>:<range>" when `range` is not empty (a canonical
// spelling from normalize.hpp, so equal ranges give one key), then for each header in the
// given order "h<length>:<lower-case name>" and "v<length>:<value>" (OWS trimmed) or "a"
// when it is absent. Read from the start, every field's end is known from its length, so
// distinct inputs never give one key, whatever bytes they hold.
std::string cache_key(std::string_view cache_url, std::string_view range = {},
                      std::span<const key_header> headers = {});
// The same into `key` (replacing what it held, in its capacity: a hit builds its keys in the
// strings of the connection's previous request).
void cache_key_into(std::string& key, std::string_view cache_url, std::string_view range = {},
                    std::span<const key_header> headers = {});

// A variant's identity: the request fields a response's Vary names, with their values, in
// the header encoding above ("h<length>:<lower-case name>", then "v<length>:<value>" or "a").
// The caller gives them in a canonical order and spelling (plan/vary.hpp).
std::string variant_id(std::span<const key_header> fields);

// The key of one variant of the object whose key is `base_key` (a complete or range object's
// key): the base, then "s<length>:<variant>". The variant field always comes last, so a
// variant key is never the key of anything else.
std::string variant_key(std::string_view base_key, std::string_view variant);

// The key of block `index` (of `block_size` bytes) of the object whose key is `base_key`
// (block mode): the base, then "b<length>:<block_size>/<index>". The size is part of the key,
// so blocks stored under another block size are never read as this size's.
std::string block_key(std::string_view base_key, std::uint64_t block_size, std::uint64_t index);

// cache_key with the canonical spelling of `spec`.
std::string range_object_key(std::string_view cache_url, const byte_range_spec& spec,
                             std::span<const key_header> headers = {});
void range_object_key_into(std::string& key, std::string_view cache_url,
                           const byte_range_spec& spec, std::span<const key_header> headers = {});

// Parent selection input (ATS's --ps-cachekey option): by
// default the request URL, so all ranges of a URL go to one parent; with ps_cachekey the
// full cache key, so each range object can live on a different parent.
enum class parent_key_mode : std::uint8_t { url, cache_key };
constexpr std::string_view parent_selection_input(parent_key_mode mode, std::string_view url,
                                                  std::string_view key) noexcept {
  return mode == parent_key_mode::cache_key ? key : url;
}

}  // namespace rangecache::range
