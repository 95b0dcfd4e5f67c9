#include "rangecache/fetch/rules.hpp"

#include <cctype>
#include <regex>

namespace rangecache::fetch {

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear in practice, no recursion.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  auto eq = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  while (t < text.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '?' || (pattern[p] != '*' && eq(pattern[p], text[t])))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool rule_matches(const config::bgf_match& m, const candidate& c) {
  if (m.content_type) {
    // Parameters (`; charset=...`) are not part of the type.
    auto type = c.content_type.substr(0, c.content_type.find(';'));
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    if (!glob_match(*m.content_type, type)) return false;
  }
  if (m.content_length && (!c.content_length || !m.content_length->matches(*c.content_length)))
    return false;
  if (m.range_length && !m.range_length->matches(c.range_length)) return false;
  if (m.user_agent && !glob_match(*m.user_agent, c.user_agent)) return false;
  if (!m.client_ip.empty() && !util::any_contains(m.client_ip, c.client_ip)) return false;
  if (m.url_prefix) {
    // A prefix names either the path ("/videos/") or the whole URL ("http://h/videos/").
    auto path_start = c.url.find("://");
    auto path = path_start == std::string_view::npos
                    ? c.url
                    : c.url.substr(std::min(c.url.find('/', path_start + 3), c.url.size()));
    if (!c.url.starts_with(*m.url_prefix) && !path.starts_with(*m.url_prefix)) return false;
  }
  if (m.url_regex) {
    // Compiled when the config loaded; a hand-built rule (tests) is compiled here.
    auto re = m.url_regex_compiled ? m.url_regex_compiled
                                   : std::make_shared<const std::regex>(*m.url_regex);
    if (!std::regex_search(c.url.begin(), c.url.end(), *re)) return false;
  }
  return true;
}

bool allowed(const std::vector<config::bgf_rule>& rules, const candidate& c) {
  for (const auto& rule : rules)
    if (rule_matches(rule.match, c)) return rule.include;
  return true;
}

}  // namespace rangecache::fetch
