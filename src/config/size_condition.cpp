#include "rangecache/config/config.hpp"

namespace rangecache::config {

bool size_condition::matches(std::uint64_t value) const {
  switch (cmp) {
    case op::lt:
      return value < bytes;
    case op::le:
      return value <= bytes;
    case op::gt:
      return value > bytes;
    case op::ge:
      return value >= bytes;
  }
  return false;
}

std::optional<size_condition> size_condition::parse(std::string_view text) {
  size_condition cond;
  if (text.starts_with("<=")) {
    cond.cmp = op::le;
    text.remove_prefix(2);
  } else if (text.starts_with(">=")) {
    cond.cmp = op::ge;
    text.remove_prefix(2);
  } else if (text.starts_with('<')) {
    cond.cmp = op::lt;
    text.remove_prefix(1);
  } else if (text.starts_with('>')) {
    cond.cmp = op::gt;
    text.remove_prefix(1);
  } else {
    // A bare size says nothing about direction; refusing it beats guessing.
    return std::nullopt;
  }
  while (text.starts_with(' ')) text.remove_prefix(1);
  auto bytes = util::parse_size(text);
  if (!bytes) return std::nullopt;
  cond.bytes = *bytes;
  return cond;
}

}  // namespace rangecache::config
