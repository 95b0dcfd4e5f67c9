// Escaping request text for the JSON and combined access-log formats: whatever bytes a
// client sends, a line stays one line and every field stays where it is.
#include "rangecache/proxy/access_format.hpp"

namespace rangecache::proxy {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// The length of the valid UTF-8 sequence starting at `s[i]` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

void put(fmt::memory_buffer& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

void append_json_control(unsigned char c, fmt::memory_buffer& out) {
  switch (c) {
    case '\n':
      put(out, "\\n");
      return;
    case '\r':
      put(out, "\\r");
      return;
    case '\t':
      put(out, "\\t");
      return;
    default: {
      const char esc[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 15]};
      out.append(esc, esc + 6);
    }
  }
}

// Printable ASCII other than the quote and the backslash: copied as it is.
bool plain_json(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

bool plain_combined(char ch) {
  return plain_json(ch);
}

}  // namespace

void append_json_escaped(std::string_view text, fmt::memory_buffer& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    // Most text needs no escape: copy each run of it at once.
    const std::size_t run = i;
    while (i < text.size() && plain_json(text[i])) ++i;
    out.append(text.data() + run, text.data() + i);
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x80) {
      append_json_control(c, out);
      ++i;
    } else if (const auto n = utf8_sequence(text, i); n != 0) {
      out.append(text.data() + i, text.data() + i + n);
      i += n;
    } else {
      append_json_control(c, out);  // \u00XX: the byte read as Latin-1
      ++i;
    }
  }
}

void append_combined_escaped(std::string_view text, fmt::memory_buffer& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t run = i;
    while (i < text.size() && plain_combined(text[i])) ++i;
    out.append(text.data() + run, text.data() + i);
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i++]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      const char esc[4] = {'\\', 'x', hex_digits[c >> 4], hex_digits[c & 15]};
      out.append(esc, esc + 4);
    }
  }
}

}  // namespace rangecache::proxy
