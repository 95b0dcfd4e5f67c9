// Responses with Vary (RFC 9111 §4.1): finding the variant a request selects, storing an
// answer as the variant it is, and keeping the URL's vary index and variant count right.
#include <spdlog/spdlog.h>

#include "rangecache/cache/record_meta.hpp"
#include "rangecache/flight/cache_meta.hpp"
#include "rangecache/plan/vary.hpp"
#include "session.hpp"

namespace rangecache::proxy {

bool session::find_stored(cache_request& cr, bool range_key, cache::cached_object& out) {
  auto& reader = *w_->reader;
  if (reader.lookup(range_key ? cr.range_key : cr.full_key, out) != cache::lookup_status::hit)
    return false;
  if (!cache::is_vary_index(out.meta)) return true;
  // The URL's answers vary: what this request may get is the variant it selects. A vary
  // index only ever stands under a key without a variant, so this happens once.
  if (!cr.variant.empty() || !select_stored_variant(cr, out.meta)) return false;
  return reader.lookup(range_key ? cr.range_key : cr.full_key, out) == cache::lookup_status::hit &&
         !cache::is_vary_index(out.meta);
}

bool session::select_stored_variant(cache_request& cr, const cache::object_meta& index) {
  const auto* vary = cache::find_header(index, "Vary");
  if (!vary) return false;
  const std::string_view values[] = {*vary};
  const auto names = plan::parse_vary(values, {}).names;
  auto variant = plan::select_variant(names, flight::lines_of(parser_->get()));
  if (!variant) {
    cr.variant_unstorable = true;
    return false;
  }
  cr.vary_names = *vary;
  plan::use_variant(cr, std::move(*variant));
  return true;
}

const cache_request& session::keys_for_answer(const cache_request& cr, plan::fill_plan& fp,
                                              cache_request& scratch) {
  std::string variant;
  if (!fp.vary_names.empty()) {
    auto selected = plan::select_variant(fp.vary_names, flight::lines_of(parser_->get()));
    // Too long to keep as a variant: the answer goes to this client only.
    if (!selected) {
      fp.store = plan::store_as::nothing;
      return cr;
    }
    variant = std::move(*selected);
  }
  if (variant == cr.variant) return cr;
  scratch = cr;
  plan::use_variant(scratch, std::move(variant));
  return scratch;
}

void session::after_stored(const config::config& cfg, const cache_request& asked,
                           const cache_request& stored, const plan::fill_plan& fp) {
  auto& store = *w_->store;
  if (stored.variant.empty()) {
    // The URL's answers stopped varying: its variants go, and so does a vary index that a
    // range object would otherwise stay hidden behind (a complete object replaced it).
    if (asked.variant.empty() && asked.vary_names.empty()) return;
    if (fp.stored_range) store.purge(stored.base_full_key);
    store.tidy_url(stored.url, cache::variants_beyond(0, {}));
    return;
  }
  // A new vary index: objects that do not vary are not reached through it any more.
  if (asked.vary_names.empty()) store.tidy_url(stored.url, cache::redundant_ranges({}, {}));
  store.tidy_url(stored.url, cache::variants_beyond(cfg.cache.max_variants, stored.variant));
}

cache::fill session::begin_vary_index(const cache_request& asked, const cache_request& stored,
                                      const plan::fill_plan& fp) {
  if (stored.variant.empty() || plan::join_names(fp.vary_names) == asked.vary_names) return {};
  cache::fill_options fo;
  fo.expected_length = 0;
  return w_->store->begin_fill(stored.base_full_key, stored.url, fo);
}

// Committed just before the variant (the store tee's before_commit): once a client has the
// variant's last byte, the next request finds the index and, through it, the variant.
void session::commit_vary_index(cache::fill& index, const plan::fill_plan& fp) {
  if (!index.active()) return;
  const auto now = std::chrono::sys_seconds{std::chrono::seconds{w_->shared->clock->now()}};
  const auto names = plan::join_names(fp.vary_names);
  const auto error = index.commit(cache::vary_index_meta(names, now), {});
  if (error != cache::fill_error::none)
    spdlog::debug("vary index not stored: {}", cache::to_string(error));
}

}  // namespace rangecache::proxy
