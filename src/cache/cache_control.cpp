#include "rangecache/cache/cache_control.hpp"

#include <algorithm>

#include "rangecache/util/http_text.hpp"

namespace rangecache::cache {

std::optional<std::int64_t> parse_delta_seconds(std::string_view s) noexcept {
  if (s.empty()) return std::nullopt;
  std::int64_t value = 0;
  for (char c : s) {
    if (!util::is_digit(c)) return std::nullopt;
    if (value < delta_seconds_max) value = value * 10 + (c - '0');
  }
  return std::min(value, delta_seconds_max);
}

namespace {

using util::iequals;
using util::is_ows;
using util::is_tchar;

// A freshness-granting directive: a second, different value or a bad one → 0.
void set_granting(std::optional<std::int64_t>& slot, std::optional<std::int64_t> value) {
  std::int64_t v = value.value_or(0);
  if (slot && *slot != v) v = 0;
  slot = v;
}

struct directive {
  std::string_view name;
  std::optional<std::string_view> argument;  // raw: quotes kept off, escapes kept in
  bool malformed = false;                    // junk followed it before the next comma
};

// Walks `#cache-directive`, tolerating garbage by skipping to the next comma (outside
// quotes): one broken directive must not hide the no-store that follows it. A directive
// followed by junk is still returned, marked malformed, for the caller to be conservative.
class directive_reader {
 public:
  explicit directive_reader(std::string_view s) : s_(s) {}

  std::optional<directive> next() {
    while (true) {
      while (pos_ < s_.size() && (is_ows(s_[pos_]) || s_[pos_] == ',')) ++pos_;
      if (pos_ >= s_.size()) return std::nullopt;
      std::size_t start = pos_;
      while (pos_ < s_.size() && is_tchar(s_[pos_])) ++pos_;
      directive d{s_.substr(start, pos_ - start), std::nullopt};
      if (pos_ < s_.size() && s_[pos_] == '=') {
        ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '"') {
          std::size_t value_start = ++pos_;
          bool closed = false;
          while (pos_ < s_.size()) {
            if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
              pos_ += 2;
            } else if (s_[pos_] == '"') {
              closed = true;
              break;
            } else {
              ++pos_;
            }
          }
          if (!closed) {
            // An unterminated quote swallows the rest; the directive itself still counts,
            // as a malformed one (no-cache="... is still a no-cache, of everything).
            d.argument = s_.substr(value_start);
            d.malformed = true;
            pos_ = s_.size();
            return d.name.empty() ? std::nullopt : std::optional<directive>(d);
          }
          d.argument = s_.substr(value_start, pos_ - value_start);
          ++pos_;
        } else {
          std::size_t value_start = pos_;
          while (pos_ < s_.size() && is_tchar(s_[pos_])) ++pos_;
          d.argument = s_.substr(value_start, pos_ - value_start);
        }
      }
      while (pos_ < s_.size() && is_ows(s_[pos_])) ++pos_;
      if (pos_ < s_.size() && s_[pos_] != ',') {
        d.malformed = true;  // "max-age=60 x": neither 60 nor anything else
        skip_to_comma();
      }
      if (d.name.empty()) continue;
      return d;
    }
  }

 private:
  void skip_to_comma() {
    bool quoted = false;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (quoted && c == '\\') {
        pos_ += 2;
        continue;
      }
      if (c == '"') quoted = !quoted;
      if (!quoted && c == ',') return;
      ++pos_;
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// A directive that lets a stale response be served (RFC 5861): given twice, the smaller
// window; a bad value allows nothing.
void set_stale_window(std::optional<std::int64_t>& slot, std::optional<std::int64_t> value) {
  std::int64_t v = value.value_or(0);
  slot = slot ? std::min(*slot, v) : v;
}

}  // namespace

bool pragma_no_cache(std::string_view pragma) noexcept {
  directive_reader reader(pragma);
  while (auto d = reader.next()) {
    if (iequals(d->name, "no-cache")) return true;
  }
  return false;
}

cache_control parse_cache_control(std::string_view value) noexcept {
  cache_control cc;
  directive_reader reader(value);
  while (auto d = reader.next()) {
    std::string_view n = d->name;
    auto delta = [&]() -> std::optional<std::int64_t> {
      if (d->malformed || !d->argument) return std::nullopt;
      return parse_delta_seconds(*d->argument);
    };
    // Junk after a directive: keep it only if it restricts caching (a broken max-age
    // still counts, as 0).
    if (d->malformed && !iequals(n, "max-age") && !iequals(n, "s-maxage") &&
        !iequals(n, "no-store") && !iequals(n, "no-cache") && !iequals(n, "private") &&
        !iequals(n, "must-revalidate") && !iequals(n, "proxy-revalidate")) {
      continue;
    }
    if (iequals(n, "max-age")) {
      set_granting(cc.max_age, delta());
    } else if (iequals(n, "s-maxage")) {
      set_granting(cc.s_maxage, delta());
    } else if (iequals(n, "no-store")) {
      cc.no_store = true;
    } else if (iequals(n, "no-cache")) {
      if (d->argument && !d->malformed)
        cc.no_cache_fields = *d->argument;
      else
        cc.no_cache = true;
    } else if (iequals(n, "private")) {
      if (d->argument && !d->malformed)
        cc.private_fields = *d->argument;
      else
        cc.is_private = true;
    } else if (iequals(n, "public")) {
      cc.is_public = true;
    } else if (iequals(n, "must-revalidate")) {
      cc.must_revalidate = true;
    } else if (iequals(n, "proxy-revalidate")) {
      cc.proxy_revalidate = true;
    } else if (iequals(n, "must-understand")) {
      cc.must_understand = true;
    } else if (iequals(n, "no-transform")) {
      cc.no_transform = true;
    } else if (iequals(n, "only-if-cached")) {
      cc.only_if_cached = true;
    } else if (iequals(n, "stale-while-revalidate")) {
      set_stale_window(cc.stale_while_revalidate, delta());
    } else if (iequals(n, "stale-if-error")) {
      set_stale_window(cc.stale_if_error, delta());
    } else if (iequals(n, "min-fresh")) {
      if (auto v = delta()) cc.min_fresh = std::max(*v, cc.min_fresh.value_or(0));
    } else if (iequals(n, "max-stale")) {
      if (!d->argument) {
        cc.max_stale_any = true;
      } else if (auto v = delta()) {
        cc.max_stale = cc.max_stale ? std::min(*cc.max_stale, *v) : *v;
      }
    }
  }
  return cc;
}

bool withheld_field(const cache_control& cc, std::string_view name) noexcept {
  bool found = false;
  for (const auto& list : {cc.no_cache_fields, cc.private_fields}) {
    if (!list) continue;
    util::for_each_list_element(*list, [&](std::string_view f) {
      if (util::iequals(f, name)) found = true;
    });
  }
  return found;
}

}  // namespace rangecache::cache
