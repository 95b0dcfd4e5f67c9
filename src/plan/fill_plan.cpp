#include "rangecache/plan/fill_plan.hpp"

#include "rangecache/range/content_range.hpp"
#include "rangecache/range/resolve.hpp"
#include "rangecache/util/http_text.hpp"

namespace rangecache::plan {
namespace {
const std::string empty_key;
}  // namespace

const std::string& store_key(const fill_plan& plan, const cache_request& cr) {
  switch (plan.store) {
    case store_as::complete:
      return cr.full_key;
    case store_as::range_object:
      return cr.range_key;
    case store_as::nothing:
      break;
  }
  return empty_key;
}

namespace {

// Judged as if a plain request had asked: the request's own Cache-Control and credentials
// are left out.
bool response_allows_storing(const cache::request_info& asked, const origin_head& head) {
  cache::request_info plain;
  plain.method = asked.method;
  return cache::check_storable(plain, head.info) == cache::storability::storable &&
         status_storable(head.status, head.info) && !head.set_cookie;
}

// Where a storable answer goes. A 206 only ever as the range object it is. An origin 200 is
// the complete object, even for a range request, and so is any other status (a 404, a 301):
// it is the URL's answer whatever range was asked. Under no_modify_cachekey the range is
// part of every key, so only cache_complete_responses keeps such an answer (under the
// range's key).
void choose_key(fill_plan& p, const origin_head& head, const cache_request& cr,
                const config::remap_rule& rule) {
  const auto& crr = rule.cache_range_requests;
  if (head.status == 206) {
    if (!cr.crr) return;
    p.stored_range = verified_range(head.content_ranges, cr.ranges.specs[0], head.content_length);
    p.range_mismatch = !p.stored_range;
    if (p.stored_range) p.store = store_as::range_object;
  } else if (!(crr.no_modify_cachekey && cr.ranged)) {
    p.store = store_as::complete;
  } else if (crr.cache_complete_responses) {
    p.store = store_as::range_object;
  }
}

// A range request answered with the complete object: the client gets its range (or a 416),
// cut from the body as it streams. If-Range is left to the origin: its 200 stands. (Under
// no_modify_cachekey the range key is the complete key, so a 200 kept by
// cache_complete_responses is cut the same way.)
void choose_window(fill_plan& p, const origin_head& head, const cache_request& cr) {
  p.client_status = head.status;
  const auto& key = store_key(p, cr);
  if (head.status != 200 || !cr.ranged || cr.if_range || !head.content_length || key.empty() ||
      key != cr.full_key)
    return;
  auto resolved = range::resolve(cr.ranges.specs, *head.content_length);
  if (resolved.status == range::resolve_status::partial && resolved.slices.size() == 1) {
    p.windowed = true;
    p.client_status = 206;
    p.window_from = resolved.slices[0].offset;
    p.window_length = resolved.slices[0].length;
    p.client_content_range =
        range::format_content_range(resolved.slices[0], *head.content_length).view();
  } else if (resolved.status == range::resolve_status::unsatisfiable) {
    p.windowed = true;
    p.client_status = 416;
    p.window_length = 0;
    p.client_content_range = range::format_unsatisfied_range(*head.content_length).view();
  }
}

}  // namespace

bool status_storable(unsigned status, const cache::response_info& info) {
  if (status == 200 || status == 206) return true;
  // About one request, not the URL: 304 and 412 answer its conditionals, 416 its range.
  if (status == 304 || status == 412 || status == 416) return false;
  // Anything else is stored only when something can make it fresh: explicit freshness, or
  // a Last-Modified for the heuristic. Without either every request would go upstream for
  // it anyway (the cache does not answer conditionals from an object other than a 200).
  const auto cc = cache::parse_cache_control(info.cache_control.value_or(""));
  return cc.max_age || cc.s_maxage || info.expires || info.last_modified;
}

std::optional<cache::content_range> verified_range(std::span<const std::string_view> content_ranges,
                                                   const range::byte_range_spec& asked,
                                                   std::optional<std::uint64_t> length) {
  if (content_ranges.size() != 1) return std::nullopt;
  auto parsed = range::parse_content_range(content_ranges[0]);
  if (!parsed || !parsed->range) return std::nullopt;
  std::optional<range::byte_slice> expect;
  if (parsed->complete_length) {
    expect = range::resolve_one(asked, *parsed->complete_length);
  } else if (asked.kind == range::byte_range_spec::form::closed) {
    expect = range::byte_slice{asked.first, asked.last - asked.first + 1};
  }
  if (!expect || *expect != *parsed->range) return std::nullopt;
  if (!length || *length != expect->length) return std::nullopt;
  cache::content_range out;
  out.first = expect->offset;
  out.last = expect->last();
  out.total = parsed->complete_length.value_or(cache::content_range::unknown_total);
  return out;
}

fill_plan plan_fill(const cache::request_info& request, const origin_head& head,
                    const cache_request& cr, const config::remap_rule& rule) {
  fill_plan p;
  // Vary: * never gets here as storable (check_storable); other names make it a variant.
  p.vary_names = parse_vary(head.vary, rule.cache_key_headers).names;
  p.response_storable = response_allows_storing(request, head);
  p.storable = !cr.head && p.response_storable &&
               cache::check_storable(request, head.info) == cache::storability::storable;
  if (p.storable) choose_key(p, head, cr, rule);
  choose_window(p, head, cr);
  if (head.status == 206 && p.storable && cr.ranged) {
    p.offer_background_fetch = true;
    if (head.content_ranges.size() == 1) {
      if (auto parsed = range::parse_content_range(head.content_ranges[0]))
        p.complete_length = parsed->complete_length;
    }
  }
  return p;
}

}  // namespace rangecache::plan
