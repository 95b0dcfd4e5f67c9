// The origin client's timeouts, from the config's upstream section: one spelling for every
// caller (pass-through, fills, background fetches and revalidations).
#pragma once

#include "rangecache/config/config.hpp"
#include "rangecache/origin/client.hpp"

namespace rangecache::origin {

// `head`: the answer has no body (a HEAD request).
send_settings settings_for(const config::upstream_settings& upstream, bool head = false);

}  // namespace rangecache::origin
