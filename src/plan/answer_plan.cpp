#include "rangecache/plan/answer_plan.hpp"

#include <algorithm>

#include "rangecache/cache/freshness.hpp"
#include "rangecache/cache/record_meta.hpp"
#include "rangecache/plan/head_builder.hpp"
#include "rangecache/range/content_range.hpp"
#include "rangecache/range/if_range.hpp"
#include "rangecache/range/multipart.hpp"
#include "rangecache/range/resolve.hpp"
#include "rangecache/util/http_date.hpp"

namespace rangecache::plan {
namespace {

cache::stored_validators validators_of(const cache::object_meta& meta) {
  cache::stored_validators v;
  v.etag = meta.etag;
  if (!meta.last_modified.empty()) v.last_modified = util::parse_http_date(meta.last_modified);
  if (meta.date.time_since_epoch().count()) v.date = meta.date.time_since_epoch().count();
  v.response_time = meta.stored_at.time_since_epoch().count();
  return v;
}

// Only a stored 200 (or a part of one) is a representation that the client's validators
// can name: any other stored answer (a 404, a 301) goes out as it is (RFC 9110 §13.1: a
// 304 stands for a 200 the client already has).
bool not_modified(const answer_request& rq, const cache::object_meta& meta) {
  // Without a conditional there is nothing to evaluate (nor a stored date to parse).
  if (!rq.if_none_match && !rq.if_modified_since) return false;
  if (!meta.range && meta.status != 200) return false;
  cache::conditional_request cond;
  cond.method = rq.method;
  cond.if_none_match = rq.if_none_match;
  cond.if_modified_since = rq.if_modified_since;
  return cache::evaluate_conditionals(cond, validators_of(meta)) ==
         cache::conditional_result::not_modified;
}

// The stored fields, as the store rendered them when it has.
void stored_fields(head_builder& h, const answer_request& rq, const cache::object_meta& meta) {
  if (rq.replayed.empty())
    h.stored_fields(meta);
  else
    h.rendered(rq.replayed);
}

// The fields every answer from the cache carries after its own: Age, Via, X-Cache, and what
// the connection does next.
void per_answer_fields(head_builder& h, const answer_request& rq, const cache::object_meta& meta) {
  h.field("Age", static_cast<std::uint64_t>(cache::age_of(meta, rq.now)));
  // The hops the stored answer came through, then this one (RFC 9110 §7.6.3).
  if (const auto* via = cache::find_header(meta, "Via"))
    h.field("Via", *via, ", 1.1 rangecache");
  else
    h.field("Via", "1.1 rangecache");
  h.field("X-Cache", rq.label);
  if (!rq.keep_alive)
    h.field("Connection", "close");
  else if (rq.http10)
    h.field("Connection", "keep-alive");
}

// The ranges to answer from a complete object: none (the whole of it), some, or none
// satisfiable. If-Range that does not match the stored validators means the whole. Ranges
// apply to a 200 only (RFC 9110 §14.2): any other stored answer is sent whole, as it is.
range::resolved_ranges resolve_for(const answer_request& rq, const cache::object_meta& meta) {
  range::resolved_ranges resolved;
  resolved.status = range::resolve_status::full;
  if (rq.ranges.empty() || meta.status != 200) return resolved;
  if (rq.if_range) {
    auto v = validators_of(meta);
    if (!range::if_range_allows_range(*rq.if_range, {meta.etag, v.last_modified, v.date}))
      return resolved;
  }
  return range::resolve(rq.ranges, meta.content_length);
}

std::string stored_content_range(const cache::content_range& r) {
  auto text =
      range::format_content_range({r.first, r.last - r.first + 1},
                                  r.total == cache::content_range::unknown_total ? 0 : r.total);
  std::string value(text.view());
  if (r.total == cache::content_range::unknown_total)
    value = value.substr(0, value.rfind('/')) + "/*";
  return value;
}

// One stretch of stored bytes as the whole body. A 204 has neither body nor Content-Length
// (RFC 9110 §8.6).
answer_plan single_body(head_builder& h, const answer_request& rq, std::uint64_t offset,
                        std::uint64_t length, unsigned status) {
  answer_plan plan;
  plan.status = status;
  if (status == 204) {
    plan.head = h.finish();
    return plan;
  }
  plan.body_bytes = length;
  h.field("Content-Length", length);
  plan.head = h.finish();
  if (!rq.head && length > 0) plan.parts.push_back({{}, offset, length});
  return plan;
}

answer_plan multipart_body(const answer_request& rq, const cache::object_meta& meta,
                           const range::resolved_ranges& resolved) {
  const std::string* type = cache::find_header(meta, "Content-Type");
  auto mp = range::plan_multipart(resolved.slices, meta.content_length,
                                  type ? std::string_view(*type) : std::string_view{}, rq.boundary);
  head_builder h(206);
  h.stored_fields_except_type(meta);
  per_answer_fields(h, rq, meta);
  h.field("Content-Type", range::multipart_content_type(rq.boundary));
  h.field("Content-Length", mp.content_length);
  answer_plan plan;
  plan.status = 206;
  plan.body_bytes = mp.content_length;
  plan.head = h.finish();
  if (rq.head) return plan;
  for (auto& part : mp.parts)
    plan.parts.push_back({std::move(part.header), part.offset, part.length});
  plan.trailer = std::move(mp.trailer);
  return plan;
}

}  // namespace

bool answer_needs_boundary(const answer_request& request, const cache::object_meta& meta) {
  if (meta.range || request.ranges.size() < 2) return false;
  auto resolved = resolve_for(request, meta);
  return resolved.status == range::resolve_status::partial && resolved.slices.size() > 1;
}

answer_plan plan_answer(const answer_request& rq, const cache::object_meta& meta) {
  // Client conditionals are answered from the stored validators (RFC 9111 §4.3.2).
  if (not_modified(rq, meta)) {
    head_builder h(304);
    stored_fields(h, rq, meta);
    per_answer_fields(h, rq, meta);
    answer_plan plan;
    plan.status = 304;
    plan.head = h.finish();
    return plan;
  }
  if (meta.range) {
    // A range object answers with the Content-Range it was stored with.
    head_builder h(206);
    stored_fields(h, rq, meta);
    per_answer_fields(h, rq, meta);
    h.field("Content-Range", stored_content_range(*meta.range));
    return single_body(h, rq, 0, meta.content_length, 206);
  }
  auto resolved = resolve_for(rq, meta);
  if (resolved.status == range::resolve_status::unsatisfiable) {
    head_builder h(416);
    h.stored_fields_except_type(meta);
    per_answer_fields(h, rq, meta);
    h.field("Content-Range", range::format_unsatisfied_range(meta.content_length).view());
    return single_body(h, rq, 0, 0, 416);
  }
  if (resolved.status != range::resolve_status::partial) {
    head_builder h(meta.status);
    stored_fields(h, rq, meta);
    per_answer_fields(h, rq, meta);
    return single_body(h, rq, 0, meta.content_length, meta.status);
  }
  if (resolved.slices.size() > 1) return multipart_body(rq, meta, resolved);
  const auto& slice = resolved.slices[0];
  head_builder h(206);
  stored_fields(h, rq, meta);
  per_answer_fields(h, rq, meta);
  h.field("Content-Range", range::format_content_range(slice, meta.content_length).view());
  return single_body(h, rq, slice.offset, slice.length, 206);
}

}  // namespace rangecache::plan
