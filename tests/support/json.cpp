#include "json.hpp"

#include <charconv>
#include <cstdlib>

namespace rc_test {

class json_parser {
 public:
  explicit json_parser(std::string_view text) : text_(text) {}

  std::optional<json_value> parse_document() {
    json_value value;
    if (!parse_value(value, 0)) return std::nullopt;
    skip_space();
    if (pos_ != text_.size()) return std::nullopt;
    return value;
  }

 private:
  static constexpr int max_depth = 64;

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool parse_value(json_value& out, int depth) {
    if (depth > max_depth) return false;
    skip_space();
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '{') return parse_object(out, depth);
    if (c == '[') return parse_array(out, depth);
    if (c == '"') {
      std::string s;
      if (!parse_string(s)) return false;
      out.value_ = std::move(s);
      return true;
    }
    if (literal("true")) {
      out.value_ = true;
      return true;
    }
    if (literal("false")) {
      out.value_ = false;
      return true;
    }
    if (literal("null")) {
      out.value_ = std::monostate{};
      return true;
    }
    return parse_number(out);
  }

  bool parse_number(json_value& out) {
    const std::size_t start = pos_;
    while (pos_ < text_.size() &&
           std::string_view("+-0123456789.eE").find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
    if (pos_ == start) return false;
    out.value_ = json_value::number{std::string(text_.substr(start, pos_ - start))};
    return true;
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    }
  }

  bool parse_hex4(unsigned& code) {
    if (pos_ + 4 > text_.size()) return false;
    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
    if (ec != std::errc() || end != text_.data() + pos_ + 4) return false;
    pos_ += 4;
    return true;
  }

  bool parse_string(std::string& out) {
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          unsigned code = 0;
          if (!parse_hex4(code)) return false;
          // Python's json escapes non-ASCII as surrogate pairs: join them back.
          if (code >= 0xd800 && code < 0xdc00 && text_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            unsigned low = 0;
            if (!parse_hex4(low)) return false;
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(out, code);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  bool parse_array(json_value& out, int depth) {
    ++pos_;
    json_value::array items;
    if (!consume(']')) {
      do {
        json_value item;
        if (!parse_value(item, depth + 1)) return false;
        items.push_back(std::move(item));
      } while (consume(','));
      if (!consume(']')) return false;
    }
    out.value_ = std::move(items);
    return true;
  }

  bool parse_object(json_value& out, int depth) {
    ++pos_;
    json_value::object members;
    if (!consume('}')) {
      do {
        skip_space();
        std::string key;
        if (pos_ >= text_.size() || text_[pos_] != '"' || !parse_string(key)) return false;
        if (!consume(':')) return false;
        json_value item;
        if (!parse_value(item, depth + 1)) return false;
        members.emplace_back(std::move(key), std::move(item));
      } while (consume(','));
      if (!consume('}')) return false;
    }
    out.value_ = std::move(members);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

namespace {
const json_value null_value;
const std::string empty_string;
const json_value::array empty_array;
const json_value::object empty_object;
}  // namespace

std::optional<json_value> json_value::parse(std::string_view text) {
  return json_parser(text).parse_document();
}

bool json_value::as_bool(bool fallback) const {
  const auto* b = std::get_if<bool>(&value_);
  return b ? *b : fallback;
}

std::int64_t json_value::as_int(std::int64_t fallback) const {
  const auto* n = std::get_if<number>(&value_);
  if (!n) return fallback;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(n->text.data(), n->text.data() + n->text.size(), value);
  if (ec == std::errc() && end == n->text.data() + n->text.size()) return value;
  return static_cast<std::int64_t>(as_double(static_cast<double>(fallback)));
}

double json_value::as_double(double fallback) const {
  const auto* n = std::get_if<number>(&value_);
  if (!n) return fallback;
  char* end = nullptr;
  const double value = std::strtod(n->text.c_str(), &end);
  return end == n->text.c_str() + n->text.size() ? value : fallback;
}

const std::string& json_value::as_string() const {
  const auto* s = std::get_if<std::string>(&value_);
  return s ? *s : empty_string;
}

const json_value::array& json_value::as_array() const {
  const auto* a = std::get_if<array>(&value_);
  return a ? *a : empty_array;
}

const json_value::object& json_value::as_object() const {
  const auto* o = std::get_if<object>(&value_);
  return o ? *o : empty_object;
}

const json_value& json_value::operator[](std::string_view key) const {
  for (const auto& [name, value] : as_object()) {
    if (name == key) return value;
  }
  return null_value;
}

const json_value& json_value::operator[](std::size_t index) const {
  const auto& items = as_array();
  return index < items.size() ? items[index] : null_value;
}

bool json_value::contains(std::string_view key) const {
  for (const auto& member : as_object()) {
    if (member.first == key) return true;
  }
  return false;
}

std::size_t json_value::size() const {
  if (is_array()) return as_array().size();
  return as_object().size();
}

}  // namespace rc_test
