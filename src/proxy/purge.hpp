// Removing a URL's objects on demand: one code path for PURGE on the proxy listeners and
// POST /purge on the admin listener.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "asio_fwd.hpp"
#include "rangecache/config/config.hpp"
#include "worker.hpp"

namespace rangecache::proxy {

enum class purge_status {
  purged,          // `removed` objects are gone
  nothing_cached,  // the URL had no object (or not that range)
  bad_range,       // the range is not one bytes range
  no_cache,        // this server has no store
};

struct purge_result {
  purge_status status = purge_status::no_cache;
  std::uint64_t removed = 0;
  std::string url;  // the cache URL (the origin's), as the store keys it
};

// Every object of the URL `path_and_query` maps to under `rule`, or with `range` (a Range
// value) that one range object. Logged with `who` asked.
awaitable<purge_result> purge_objects(worker* w, const config::remap_rule* rule,
                                      std::string path_and_query, std::string range,
                                      std::string who);

}  // namespace rangecache::proxy
