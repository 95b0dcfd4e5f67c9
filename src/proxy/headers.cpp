#include "rangecache/proxy/headers.hpp"

#include "rangecache/cache/field_rules.hpp"
#include "rangecache/util/http_text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace rangecache::proxy {
namespace http = boost::beast::http;
using boost::beast::iequals;

std::vector<std::string> connection_tokens(const http::fields& fields) {
  std::vector<std::string> out;
  auto [from, to] = fields.equal_range(http::field::connection);
  for (auto it = from; it != to; ++it)
    util::for_each_list_element(it->value(), [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

bool named_in(const std::vector<std::string>& tokens, std::string_view name) {
  return std::any_of(tokens.begin(), tokens.end(),
                     [&](const std::string& t) { return iequals(t, name); });
}

bool is_credential(std::string_view name) {
  return iequals(name, "authorization") || iequals(name, "proxy-authorization") ||
         iequals(name, "cookie");
}

void strip_hop_by_hop(http::fields& fields) {
  auto tokens = connection_tokens(fields);
  for (auto it = fields.begin(); it != fields.end();) {
    auto name = it->name_string();
    if (is_hop_by_hop(name) || named_in(tokens, name))
      it = fields.erase(it);
    else
      ++it;
  }
}

void copy_end_to_end(const http::fields& from, http::fields& to) {
  auto tokens = connection_tokens(from);
  for (const auto& f : from) {
    auto name = f.name_string();
    if (is_hop_by_hop(name) || named_in(tokens, name)) continue;
    to.insert(name, f.value());
  }
}

void strip_control_headers(http::fields& fields, std::string_view ims_header,
                           std::string_view ident_header) {
  static constexpr std::array<std::string_view, 4> defaults = {"X-Crr-Ims", "X-Crr-Ident",
                                                               "X-Skip-Crr", fetch_marker};
  for (auto it = fields.begin(); it != fields.end();) {
    auto name = it->name_string();
    const bool control = iequals(name, ims_header) || iequals(name, ident_header) ||
                         std::any_of(defaults.begin(), defaults.end(),
                                     [&](std::string_view d) { return iequals(d, name); });
    if (control)
      it = fields.erase(it);
    else
      ++it;
  }
}

void append_via(http::fields& fields, unsigned http_version) {
  std::string entry = http_version == 10 ? "1.0 rangecache" : "1.1 rangecache";
  auto it = fields.find(http::field::via);
  if (it == fields.end()) {
    fields.set(http::field::via, entry);
    return;
  }
  std::string joined(it->value());
  joined += ", ";
  joined += entry;
  fields.set(http::field::via, joined);
}

}  // namespace rangecache::proxy
