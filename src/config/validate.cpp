// Checks that need more than one value: required sections, repeats, and combinations that
// each parse on their own but make no sense together.
#include <algorithm>
#include <cctype>

#include "config/sections.hpp"

namespace rangecache::config::detail {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Whether two listeners would share sockets. With SO_REUSEPORT the kernel lets both bind
// and then splits connections between them, so an overlap never fails loudly on its own.
bool overlaps(const listen_endpoint& a, const listen_endpoint& b) {
  // Port 0 is an ephemeral port of its own each time: it never collides.
  if (a.port != b.port || a.port == 0) return false;
  const auto x = util::ip_address::parse(a.address);
  const auto y = util::ip_address::parse(b.address);
  if (!x || !y) return a.address == b.address;
  if (*x == *y) return true;
  const util::ip_address any6{};
  const auto any4 = *util::ip_address::parse("0.0.0.0");
  if (*x == any6 || *y == any6) return true;  // [::] is dual-stack by default on Linux
  return (*x == any4 && y->is_v4_mapped()) || (*y == any4 && x->is_v4_mapped());
}

std::string element(std::string_view list, std::size_t index) {
  return std::string(list) + "[" + std::to_string(index) + "]";
}

std::string line_note(const YAML::Mark& mark) {
  return mark.is_null() ? std::string() : " (line " + std::to_string(mark.line + 1) + ")";
}

void check_listen(const context& ctx, const config& cfg, const positions& where) {
  if (cfg.listen.empty()) {
    ctx.fail(where.root, "listen", "missing (at least one address like 0.0.0.0:8080 is needed)");
  }
  for (std::size_t i = 1; i < cfg.listen.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const auto& a = cfg.listen[i];
      const auto& b = cfg.listen[j];
      if (a.address == b.address && a.port == b.port) {
        ctx.fail(where.listen[i], element("listen", i),
                 "'" + a.text + "' is listed twice" + line_note(where.listen[j]));
      }
    }
  }
  if (!cfg.admin.listen) return;
  for (std::size_t i = 0; i < cfg.listen.size(); ++i) {
    if (overlaps(*cfg.admin.listen, cfg.listen[i])) {
      ctx.fail(where.admin_listen, "admin.listen",
               "'" + cfg.admin.listen->text + "' overlaps listen entry '" + cfg.listen[i].text +
                   "'" + line_note(where.listen[i]) + "; the admin port must be its own");
    }
  }
}

void check_remap(const context& ctx, const config& cfg, const positions& where) {
  if (cfg.remap.empty()) {
    const auto& at = where.remap.is_null() ? where.root : where.remap;
    ctx.fail(at, "remap",
             "at least one rule is needed (requests matching no rule get 404, so with none "
             "the proxy would serve nothing)");
  }
  for (std::size_t i = 0; i < cfg.remap.size(); ++i) {
    const auto& rule = cfg.remap[i];
    const auto path = element("remap", i);
    for (std::size_t j = 0; j < i; ++j) {
      const auto& other = cfg.remap[j];
      if (rule.from_host == other.from_host && rule.from_port == other.from_port &&
          rule.from_path == other.from_path) {
        ctx.fail(where.remap_from[i], path + ".from",
                 "'" + rule.from_text + "' repeats " + element("remap", j) + ".from" +
                     line_note(where.remap_from[j]) + "; only one of them could ever match");
      }
    }
    // With range caching on, the range must always be in the key: without it, every range
    // of a URL would be stored under the bare URL and served to requests for other ranges
    // (or for the whole object). So no_modify_cachekey needs Range in the rule's key.
    const auto& crr = rule.cache_range_requests;
    const bool range_in_key =
        std::any_of(rule.cache_key_headers.begin(), rule.cache_key_headers.end(),
                    [](const std::string& h) { return iequals(h, "Range"); });
    if (crr.enabled && crr.no_modify_cachekey && !range_in_key) {
      ctx.fail(where.no_modify_cachekey[i], path + ".cache_range_requests.no_modify_cachekey",
               "true needs cache_key: { headers: [Range] } on the same rule; otherwise each "
               "range would be cached under the bare URL and served for other ranges");
    }
  }
}

}  // namespace

void validate(const context& ctx, const config& cfg, const positions& where) {
  check_listen(ctx, cfg, where);
  check_remap(ctx, cfg, where);
}

}  // namespace rangecache::config::detail
