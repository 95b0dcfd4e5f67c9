// The `from` and `to` URLs of a remap rule. No YAML here, so tests can drive it directly.
#pragma once

#include <string>
#include <string_view>

#include "rangecache/config/config.hpp"

namespace rangecache::config::detail {

// Each fills the from_* or to_* fields of `out` and returns "", or returns what was
// expected (for config_error) and leaves `out` unspecified.
std::string parse_from(std::string_view text, remap_rule& out);
std::string parse_to(std::string_view text, remap_rule& out);

}  // namespace rangecache::config::detail
