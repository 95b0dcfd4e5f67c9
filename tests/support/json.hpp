#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rc_test {

// A minimal JSON reader for what the test origin answers (stats, echoed requests). Lookups
// on a missing key or a wrong type yield a null value rather than throwing, so that a test
// fails on its expectation with a readable message instead of an exception.
class json_value {
 public:
  using array = std::vector<json_value>;
  using object = std::vector<std::pair<std::string, json_value>>;

  json_value() = default;

  static std::optional<json_value> parse(std::string_view text);

  bool is_null() const { return std::holds_alternative<std::monostate>(value_); }
  bool is_bool() const { return std::holds_alternative<bool>(value_); }
  bool is_number() const { return std::holds_alternative<number>(value_); }
  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  bool is_array() const { return std::holds_alternative<array>(value_); }
  bool is_object() const { return std::holds_alternative<object>(value_); }

  bool as_bool(bool fallback = false) const;
  std::int64_t as_int(std::int64_t fallback = 0) const;
  double as_double(double fallback = 0) const;
  // Empty for non-strings.
  const std::string& as_string() const;
  // Empty for non-arrays / non-objects.
  const array& as_array() const;
  const object& as_object() const;

  const json_value& operator[](std::string_view key) const;
  const json_value& operator[](std::size_t index) const;
  bool contains(std::string_view key) const;
  std::size_t size() const;

 private:
  friend class json_parser;
  struct number {
    std::string text;  // kept as written so that integers stay exact
  };

  std::variant<std::monostate, bool, number, std::string, array, object> value_;
};

}  // namespace rc_test
