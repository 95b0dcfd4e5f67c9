#include "rangecache/flight/cache_meta.hpp"

#include "rangecache/cache/field_rules.hpp"
#include "rangecache/cache/targeted_field.hpp"
#include "rangecache/proxy/headers.hpp"
#include "rangecache/util/http_date.hpp"
#include "rangecache/util/http_text.hpp"

namespace rangecache::flight {
namespace {

std::optional<std::string> joined(const http::fields& f, std::string_view name) {
  std::optional<std::string> out;
  for (auto it = f.find(name); it != f.end() && beast::iequals(it->name_string(), name); ++it) {
    if (!out)
      out.emplace(it->value());
    else {
      *out += ", ";
      out->append(it->value());
    }
  }
  return out;
}

std::optional<std::string> first(const http::fields& f, std::string_view name) {
  auto it = f.find(name);
  if (it == f.end()) return std::nullopt;
  return std::string(it->value());
}

// What the origin's response may leave in the store of its fields.
// The fields its own Connection header names are about one connection only.
bool kept(const std::vector<std::string>& connection, const cache::cache_control& cc,
          std::string_view name) {
  return cache::stored_from_origin(name) && !proxy::named_in(connection, name) &&
         !cache::withheld_field(cc, name);
}

// The first of the targeted fields with a valid value, as Cache-Control text.
std::optional<std::string> targeted_directives(const http::fields& f,
                                               std::span<const std::string> targeted) {
  for (const auto& name : targeted) {
    auto value = joined(f, name);
    if (!value) continue;
    if (auto text = cache::targeted_cache_control(*value)) return text;
  }
  return std::nullopt;
}

}  // namespace

cache::request_info request_view::info() const {
  cache::request_info r;
  r.method = method;
  if (has_cache_control) r.cache_control = cache_control;
  if (has_pragma) r.pragma = pragma;
  r.has_authorization = has_authorization;
  return r;
}

request_view view_request(const http::request_header<>& req) {
  request_view v;
  v.method = std::string(req.method_string());
  // One pass over the fields in their order (a repeated field's values joined in it), by the
  // field's code: asked for every request the cache sees.
  auto join = [](std::string& out, bool& seen, std::string_view value) {
    if (seen) out += ", ";
    out.append(value);
    seen = true;
  };
  for (const auto& f : req) {
    if (f.name() == http::field::cache_control)
      join(v.cache_control, v.has_cache_control, f.value());
    else if (f.name() == http::field::pragma)
      join(v.pragma, v.has_pragma, f.value());
    else if (f.name() == http::field::authorization)
      v.has_authorization = true;
  }
  return v;
}

cache::response_info response_view::info() const {
  cache::response_info r;
  r.status = status;
  if (cache_control) r.cache_control = *cache_control;
  if (expires) r.expires = *expires;
  if (date) r.date = *date;
  if (last_modified) r.last_modified = *last_modified;
  if (age) r.age = *age;
  if (vary) r.vary = *vary;
  return r;
}

response_view view_response(unsigned status, const http::fields& f,
                            std::span<const std::string> targeted) {
  response_view v;
  v.status = static_cast<int>(status);
  v.cache_control = targeted_directives(f, targeted);
  // A valid targeted field replaces both Cache-Control and Expires (RFC 9213 §2.1).
  if (!v.cache_control) {
    v.cache_control = joined(f, "Cache-Control");
    v.expires = first(f, "Expires");
  }
  v.date = first(f, "Date");
  v.last_modified = first(f, "Last-Modified");
  v.age = joined(f, "Age");
  v.vary = joined(f, "Vary");
  return v;
}

cache::freshness_policy freshness_policy_of(const config::cache_settings& settings) {
  cache::freshness_policy p;
  p.heuristic_fraction = settings.heuristic_fraction;
  p.heuristic_max = settings.heuristic_max.count();
  return p;
}

std::vector<std::string_view> field_values(const http::fields& fields, http::field name) {
  std::vector<std::string_view> out;
  auto [first, last] = fields.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(it->value());
  return out;
}

plan::field_lines lines_of(const http::fields& fields) {
  return [&fields](std::string_view name, std::vector<std::string_view>& out) {
    auto [first, last] = fields.equal_range(name);
    for (auto it = first; it != last; ++it) out.push_back(it->value());
  };
}

cache::object_meta make_meta(unsigned status, const http::fields& fields,
                             std::uint64_t content_length, const cache::freshness_info& fresh,
                             std::optional<cache::content_range> range) {
  cache::object_meta m;
  m.status = static_cast<std::uint16_t>(status);
  // The parsed directives point into this text: it must outlive them.
  const std::string cc_text = joined(fields, "Cache-Control").value_or("");
  const auto cc = cache::parse_cache_control(cc_text);
  const auto connection = proxy::connection_tokens(fields);
  for (const auto& f : fields)
    if (kept(connection, cc, f.name_string()))
      m.headers.push_back({std::string(f.name_string()), std::string(f.value())});
  m.content_length = content_length;
  m.stored_at = std::chrono::sys_seconds(std::chrono::seconds(fresh.response_time));
  if (auto d = fields.find(http::field::date); d != fields.end()) {
    if (auto t = util::parse_http_date(d->value()))
      m.date = std::chrono::sys_seconds(std::chrono::seconds(*t));
  }
  m.freshness_lifetime = std::chrono::seconds(cache::stored_lifetime(fresh));
  if (auto e = fields.find(http::field::etag); e != fields.end()) m.etag = std::string(e->value());
  if (auto l = fields.find(http::field::last_modified); l != fields.end())
    m.last_modified = std::string(l->value());
  m.range = range;
  m.flags = cache::pack_freshness_flags(fresh);
  return m;
}

bool selected_by_304(const cache::object_meta& meta, const http::fields& not_modified) {
  cache::validator_fields stored{meta.etag, meta.last_modified};
  cache::validator_fields answer{not_modified[http::field::etag],
                                 not_modified[http::field::last_modified]};
  return cache::not_modified_selects(stored, answer);
}

bool merge_304(cache::object_meta& meta, const http::fields& fields,
               const cache::freshness_info& fresh) {
  if (!selected_by_304(meta, fields)) return false;
  const auto connection = proxy::connection_tokens(fields);
  for (const auto& f : fields) {
    auto name = f.name_string();
    if (!cache::updated_by_304(name) || proxy::named_in(connection, name)) continue;
    std::erase_if(meta.headers,
                  [&](const cache::header_field& h) { return beast::iequals(h.name, name); });
  }
  for (const auto& f : fields) {
    auto name = f.name_string();
    if (!cache::updated_by_304(name) || proxy::named_in(connection, name)) continue;
    meta.headers.push_back({std::string(name), std::string(f.value())});
  }
  auto keep_range = meta.range;
  auto length = meta.content_length;
  auto status = meta.status;
  auto variant = std::move(meta.variant);
  http::fields merged;
  for (const auto& h : meta.headers) merged.insert(h.name, h.value);
  meta = make_meta(status, merged, length, fresh, keep_range);
  meta.variant = std::move(variant);
  return true;
}

bool freshen_with_304(cache::object_meta& meta, const http::fields& not_modified,
                      const cache::exchange_times& times, const cache::freshness_policy& policy,
                      std::span<const std::string> targeted) {
  http::fields merged;
  for (const auto& h : meta.headers) merged.insert(h.name, h.value);
  for (const auto& f : not_modified) {
    if (cache::is_hop_by_hop(f.name_string())) continue;
    merged.erase(f.name_string());
  }
  for (const auto& f : not_modified)
    if (!cache::is_hop_by_hop(f.name_string())) merged.insert(f.name_string(), f.value());
  // A range object's freshness is judged like that of the 200 it is part of.
  auto view = view_response(meta.status == 206 ? 200 : meta.status, merged, targeted);
  return merge_304(meta, not_modified, cache::analyze_freshness(view.info(), times, policy));
}

bool freshen_with_head(cache::object_meta& meta, const http::fields& head_answer,
                       const cache::exchange_times& times, const cache::freshness_policy& policy,
                       std::span<const std::string> targeted) {
  if (auto cl = head_answer.find(http::field::content_length); cl != head_answer.end()) {
    const auto length = util::parse_u64(util::trim_ows(cl->value()));
    if (!length || *length != meta.content_length) return false;
  }
  // Without a validator nothing shows that the answer is about the stored version.
  if (head_answer.find(http::field::etag) == head_answer.end() &&
      head_answer.find(http::field::last_modified) == head_answer.end())
    return false;
  return freshen_with_304(meta, head_answer, times, policy, targeted);
}

void add_missing_date(http::fields& fields, std::int64_t received) {
  if (fields.find(http::field::date) != fields.end()) return;
  const auto text = util::format_http_date(received);
  fields.set(http::field::date, text.view());
}

void strip_targeted(http::fields& fields, std::span<const std::string> targeted) {
  for (const auto& name : targeted) fields.erase(name);
}

}  // namespace rangecache::flight
