#include "rangecache/cache/targeted_field.hpp"

#include <utility>
#include <vector>

#include "rangecache/util/http_text.hpp"

namespace rangecache::cache {
namespace {

constexpr bool is_lcalpha(char c) {
  return c >= 'a' && c <= 'z';
}
constexpr bool is_alpha(char c) {
  return is_lcalpha(c) || (c >= 'A' && c <= 'Z');
}
constexpr bool is_base64(char c) {
  return is_alpha(c) || util::is_digit(c) || c == '+' || c == '/' || c == '=';
}

// One member's value as Cache-Control needs it: the text after "name=", or nothing.
struct member_value {
  bool present = true;  // false: the Boolean false, the directive is not given
  std::string_view argument;
};

// The RFC 8941 §4.2 parsing algorithms, as far as a Dictionary needs them. Every method
// returns false on a parse error, which voids the whole field.
class dictionary_reader {
 public:
  explicit dictionary_reader(std::string_view s) : s_(s) {}

  bool read(std::vector<std::pair<std::string_view, member_value>>& out) {
    while (!done()) {
      std::string_view key;
      member_value value;
      if (!read_key(key)) return false;
      if (peek() == '=') {
        ++pos_;
        if (!read_item_or_inner_list(value)) return false;
      } else if (!read_parameters()) {
        return false;
      }
      set(out, key, value);
      while (!done() && util::is_ows(peek())) ++pos_;
      if (done()) return true;
      if (peek() != ',') return false;
      ++pos_;
      while (!done() && util::is_ows(peek())) ++pos_;
      if (done()) return false;  // a trailing comma
    }
    return true;
  }

 private:
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  void skip_spaces() {
    while (peek() == ' ') ++pos_;
  }

  // A later member of the same name replaces the earlier one's value, in its place.
  static void set(std::vector<std::pair<std::string_view, member_value>>& out, std::string_view key,
                  member_value value) {
    for (auto& [k, v] : out) {
      if (k == key) {
        v = value;
        return;
      }
    }
    out.emplace_back(key, value);
  }

  bool read_key(std::string_view& key) {
    const std::size_t start = pos_;
    if (!is_lcalpha(peek()) && peek() != '*') return false;
    while (!done()) {
      const char c = peek();
      if (!is_lcalpha(c) && !util::is_digit(c) && c != '_' && c != '-' && c != '.' && c != '*')
        break;
      ++pos_;
    }
    key = s_.substr(start, pos_ - start);
    return true;
  }

  bool read_item_or_inner_list(member_value& value) {
    if (peek() != '(') return read_bare_item(&value) && read_parameters();
    ++pos_;
    while (true) {
      skip_spaces();
      if (done()) return false;
      if (peek() == ')') {
        ++pos_;
        value.argument = {};  // a list means nothing to Cache-Control: the name alone
        return read_parameters();
      }
      if (!read_bare_item(nullptr) || !read_parameters()) return false;
      if (peek() != ' ' && peek() != ')') return false;
    }
  }

  bool read_parameters() {
    while (peek() == ';') {
      ++pos_;
      skip_spaces();
      std::string_view key;
      if (!read_key(key)) return false;
      if (peek() == '=') {
        ++pos_;
        if (!read_bare_item(nullptr)) return false;
      }
    }
    return true;
  }

  // Reads one bare item; `value` (when given) gets what Cache-Control can use of it.
  bool read_bare_item(member_value* value) {
    const std::size_t start = pos_;
    const char c = peek();
    bool ok = false;
    bool usable = true;
    if (c == '-' || util::is_digit(c)) {
      ok = read_number();
    } else if (c == '"') {
      ok = read_string();
    } else if (c == '*' || is_alpha(c)) {
      ok = read_token();
    } else if (c == ':') {
      ok = read_byte_sequence();
      usable = false;
    } else if (c == '?') {
      ok = read_boolean(value);
      usable = false;
    }
    if (ok && usable && value) value->argument = s_.substr(start, pos_ - start);
    return ok;
  }

  bool read_number() {
    if (peek() == '-') ++pos_;
    if (!util::is_digit(peek())) return false;
    std::size_t digits = 0, fraction = 0;
    bool decimal = false;
    while (!done() && (util::is_digit(peek()) || (peek() == '.' && !decimal))) {
      if (peek() == '.') {
        if (digits > 12) return false;
        decimal = true;
      } else if (decimal) {
        ++fraction;
      } else {
        ++digits;
      }
      ++pos_;
    }
    if (!decimal) return digits <= 15;
    return fraction >= 1 && fraction <= 3;
  }

  bool read_string() {
    ++pos_;
    while (!done()) {
      const char c = peek();
      ++pos_;
      if (c == '"') return true;
      if (c == '\\') {
        if (peek() != '"' && peek() != '\\') return false;
        ++pos_;
      } else if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return false;
  }

  bool read_token() {
    ++pos_;
    while (!done() && (util::is_tchar(peek()) || peek() == ':' || peek() == '/')) ++pos_;
    return true;
  }

  bool read_byte_sequence() {
    ++pos_;
    while (!done() && is_base64(peek())) ++pos_;
    if (peek() != ':') return false;
    ++pos_;
    return true;
  }

  bool read_boolean(member_value* value) {
    ++pos_;
    if (peek() != '0' && peek() != '1') return false;
    if (value) value->present = peek() == '1';
    ++pos_;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> targeted_cache_control(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  std::vector<std::pair<std::string_view, member_value>> members;
  if (!dictionary_reader(value).read(members)) return std::nullopt;
  std::string out;
  for (const auto& [key, v] : members) {
    if (!v.present) continue;
    if (!out.empty()) out += ", ";
    out.append(key);
    if (!v.argument.empty()) {
      out += '=';
      out.append(v.argument);
    }
  }
  return out;
}

}  // namespace rangecache::cache
