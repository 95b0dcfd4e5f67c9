#include "rangecache/range/cache_key.hpp"

#include <algorithm>
#include <charconv>

#include "range/text.hpp"
#include "rangecache/range/normalize.hpp"

namespace rangecache::range {
namespace {

using namespace detail;

void append_lower(std::string& out, std::string_view s) {
  for (char c : s) out.push_back(to_lower(c));
}

// "<tag><decimal length>:" : the header of one field.
void append_length(std::string& out, char tag, std::size_t length) {
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof digits, length).ptr;
  out.push_back(tag);
  out.append(digits, end);
  out.push_back(':');
}

void append_field(std::string& out, char tag, std::string_view value) {
  append_length(out, tag, value.size());
  out.append(value);
}

bool is_default_port(std::string_view scheme, std::uint16_t port) {
  return (port == 80 && iequals(scheme, "http")) || (port == 443 && iequals(scheme, "https"));
}

}  // namespace

std::string cache_url(const url_parts& url) {
  std::string out;
  cache_url(url, out);
  return out;
}

void cache_url(const url_parts& url, std::string& out) {
  out.clear();
  out.reserve(url.scheme.size() + 3 + url.host.size() + 6 +
              std::max<std::size_t>(1, url.target.size()) + 1);
  append_lower(out, url.scheme);
  out.append("://");
  append_lower(out, url.host);
  if (url.port && !is_default_port(url.scheme, *url.port)) {
    char digits[5];
    auto end = std::to_chars(digits, digits + sizeof digits, *url.port).ptr;
    out.push_back(':');
    out.append(digits, end);
  }
  if (url.target.empty() || url.target.front() != '/') out.push_back('/');
  out.append(url.target);
}

namespace {

void append_headers(std::string& key, std::span<const key_header> headers) {
  for (const auto& h : headers) {
    append_length(key, 'h', h.name.size());
    append_lower(key, h.name);
    if (h.value)
      append_field(key, 'v', trim_ows(*h.value));
    else
      key.push_back('a');
  }
}

std::size_t headers_size(std::span<const key_header> headers) {
  std::size_t size = 0;
  for (const auto& h : headers) size += 24 + h.name.size() + (h.value ? h.value->size() : 0);
  return size;
}

}  // namespace

std::string cache_key(std::string_view cache_url, std::string_view range,
                      std::span<const key_header> headers) {
  std::string key;
  cache_key_into(key, cache_url, range, headers);
  return key;
}

void cache_key_into(std::string& key, std::string_view cache_url, std::string_view range,
                    std::span<const key_header> headers) {
  key.clear();
  key.reserve(cache_url.size() + range.size() + 24 + headers_size(headers));
  append_field(key, 'u', cache_url);
  if (!range.empty()) append_field(key, 'r', range);
  append_headers(key, headers);
}

std::string variant_id(std::span<const key_header> fields) {
  std::string out;
  out.reserve(headers_size(fields));
  append_headers(out, fields);
  return out;
}

std::string variant_key(std::string_view base_key, std::string_view variant) {
  std::string key;
  key.reserve(base_key.size() + variant.size() + 24);
  key.append(base_key);
  append_field(key, 's', variant);
  return key;
}

std::string block_key(std::string_view base_key, std::uint64_t block_size, std::uint64_t index) {
  std::string key;
  key.reserve(base_key.size() + 48);
  key.append(base_key);
  const auto field = std::to_string(block_size) + "/" + std::to_string(index);
  append_field(key, 'b', field);
  return key;
}

std::string range_object_key(std::string_view cache_url, const byte_range_spec& spec,
                             std::span<const key_header> headers) {
  return cache_key(cache_url, canonical_range(spec).view(), headers);
}

void range_object_key_into(std::string& key, std::string_view cache_url,
                           const byte_range_spec& spec, std::span<const key_header> headers) {
  cache_key_into(key, cache_url, canonical_range(spec).view(), headers);
}

}  // namespace rangecache::range
