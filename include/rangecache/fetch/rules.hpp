// Background-fetch rules: the first rule whose conditions all hold decides, so an include
// before a broader exclude makes an allow-list; no match allows (as in ATS's
// background_fetch). content_length is the complete object's length (from Content-Range),
// range_length the range's, content_type the response's. Pure logic.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "rangecache/config/config.hpp"

namespace rangecache::fetch {

// What is known about a candidate when its range answer arrives.
struct candidate {
  std::string_view url;                         // the cache URL
  std::string_view content_type;                // of the origin's 206
  std::optional<std::uint64_t> content_length;  // the complete object's (Content-Range total)
  std::uint64_t range_length = 0;               // the range's
  std::string_view user_agent;
  std::string_view client_ip;
};

// Glob with `*` (any run) and `?` (one character), case-insensitive.
bool glob_match(std::string_view pattern, std::string_view text);

bool rule_matches(const config::bgf_match& m, const candidate& c);

// True when the rules allow a fetch of this candidate.
bool allowed(const std::vector<config::bgf_rule>& rules, const candidate& c);

}  // namespace rangecache::fetch
