// /owner?url=... on the admin listener: which node of a rule's tier owns a URL, the ring
// order behind it and where a request for it would go now, as JSON for operators and scripts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rangecache/config/config.hpp"
#include "rangecache/tier/health.hpp"

namespace rangecache::proxy {

struct owner_page {
  unsigned status = 200;
  std::string body;
};

// `target` is the admin request's target: "/owner?url=http://host/path" (percent-encoded or
// not; the URL is the rest of the target after "url=").
owner_page owner_of_url(const config::config& cfg, tier::parent_table& parents, std::int64_t now,
                        std::string_view target);

}  // namespace rangecache::proxy
