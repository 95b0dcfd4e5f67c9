// What background work shares: the origin settings it sends with, and the body of an
// origin's answer written into the store at the pace of the store's writer.
#pragma once

#include <cstdint>
#include <string>

#include "rangecache/cache/fill.hpp"
#include "rangecache/fetch/fetcher.hpp"

namespace rangecache::fetch {

struct fetch_outcome {
  bool ok = false;
  std::uint64_t bytes = 0;
  std::string result;  // for the fetch log
};

// Requests for `key` may stream from `fill` (its record `meta`) while it is written. `claim`:
// set for a fill that may be called off.
void publish_fill(const fetch_context& c, const std::string& key, const std::string& url,
                  const cache::fill& fill, const cache::object_meta& meta,
                  std::shared_ptr<flight::fetch_claim> claim = {});

// A bodiless request the cache makes for its own sake, with the upstream settings in force.
awaitable<origin::answer> send_for_cache(fetch_context c, origin::endpoint to, origin::request req);

// Reads the body of `a` into `fill` (its record `meta`) and commits it; `ok` once committed.
awaitable<fetch_outcome> store_body(fetch_context c, origin::answer& a, cache::fill& fill,
                                    cache::object_meta meta);

}  // namespace rangecache::fetch
