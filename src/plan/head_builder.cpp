#include "rangecache/plan/head_builder.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "rangecache/cache/field_rules.hpp"
#include "rangecache/util/http_text.hpp"

namespace rangecache::plan {

namespace {

// The phrases of the statuses a stored answer may have besides the ones above (RFC 9110
// §15); a status without one is written with an empty phrase, which HTTP allows.
std::string_view stored_reason(unsigned status) noexcept {
  constexpr std::array<std::pair<unsigned, std::string_view>, 14> phrases = {{
      {300, "Multiple Choices"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {303, "See Other"},
      {307, "Temporary Redirect"},
      {308, "Permanent Redirect"},
      {400, "Bad Request"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {410, "Gone"},
      {414, "URI Too Long"},
      {501, "Not Implemented"},
      {503, "Service Unavailable"},
  }};
  for (const auto& [code, phrase] : phrases)
    if (code == status) return phrase;
  return "";
}

// Copies `s` to `at` and returns the end. An empty view may have no data at all, which
// memcpy must not be given.
char* copy(char* at, std::string_view s) {
  if (!s.empty()) std::memcpy(at, s.data(), s.size());
  return at + s.size();
}

}  // namespace

std::string_view reason_of(unsigned status) noexcept {
  switch (status) {
    case 200:
      return "OK";
    case 203:
      return "Non-Authoritative Information";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 304:
      return "Not Modified";
    case 412:
      return "Precondition Failed";
    case 416:
      return "Range Not Satisfiable";
    default:
      return stored_reason(status);
  }
}

// The text is written straight into a string sized ahead (one allocation for a usual head)
// rather than appended piece by piece: a head is written for every answer from the cache.
head_builder::head_builder(unsigned status) : text_(512, '\0') {
  std::array<char, 8> digits{};
  auto end = std::to_chars(digits.data(), digits.data() + digits.size(), status).ptr;
  put("HTTP/1.1 ");
  put(std::string_view(digits.data(), static_cast<std::size_t>(end - digits.data())));
  put(" ");
  put(reason_of(status));
  put("\r\n");
}

char* head_builder::room(std::size_t n) {
  if (used_ + n > text_.size()) text_.resize(std::max(text_.size() * 2, used_ + n));
  char* at = text_.data() + used_;
  used_ += n;
  return at;
}

void head_builder::put(std::string_view s) {
  copy(room(s.size()), s);
}

head_builder& head_builder::field(std::string_view name, std::string_view value,
                                  std::string_view more) {
  char* at = room(name.size() + value.size() + more.size() + 4);
  at = copy(copy(at, name), ": ");
  copy(copy(copy(at, value), more), "\r\n");
  return *this;
}

head_builder& head_builder::field(std::string_view name, std::uint64_t value) {
  std::array<char, 24> digits{};
  auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
  return field(name,
               std::string_view(digits.data(), static_cast<std::size_t>(end - digits.data())));
}

head_builder& head_builder::stored_fields(const cache::object_meta& meta) {
  const std::size_t n = cache::replayed_size(meta);
  cache::write_replayed(meta, room(n));
  return *this;
}

head_builder& head_builder::rendered(std::string_view fields) {
  put(fields);
  return *this;
}

head_builder& head_builder::stored_fields_except_type(const cache::object_meta& meta) {
  for (const auto& h : meta.headers)
    if (cache::replayed_from_store(h.name) && !util::iequals(h.name, "content-type"))
      field(h.name, h.value);
  return *this;
}

std::string head_builder::finish() {
  put("\r\n");
  text_.resize(used_);
  return std::move(text_);
}

}  // namespace rangecache::plan
