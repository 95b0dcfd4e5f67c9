// Where a request that must go upstream goes under a rule's `parents`: which parents to try,
// in ring order, and whether the origin comes after them. Pure: the caller says which nodes
// are marked down and whether the request came from a tier node.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rangecache/config/config.hpp"
#include "rangecache/tier/ring.hpp"

namespace rangecache::tier {

struct route {
  // Parents to try in turn (indices into the rule's nodes); a failed one is marked down and
  // the next is tried at once.
  std::vector<std::size_t> parents;
  // When every parent above failed, or there was none: go to the rule's `to` (true) or
  // answer 502 (false).
  bool then_direct = true;
};

// The ring of a rule's nodes.
ring ring_of(const config::parents_settings& p);

// The key of `hash: url`: the URL as the client sent it, so nodes agree whatever their `to`.
std::string url_key(std::string_view host_header, std::string_view path_and_query);

// The walk down the ring for `key`: parents in order, skipping those `is_down` says are down,
// until this node's own entry (then this node fetches itself: a peer tier). A request that
// came from a tier node is never sent to a parent again (`from_tier`): at most one hop.
route plan_route(const config::parents_settings& p, const ring& r, std::string_view key,
                 bool from_tier, const std::function<bool(std::size_t)>& is_down);

// Whether this node is the one that fetches `key` from the origin itself: it owns the key
// (the first live node on the ring is `self`), or no parent is left and go_direct allows it.
// Background fetches run only where this holds for the URL's url_key.
bool fetches_itself(const config::parents_settings& p, const ring& r, std::string_view key,
                    const std::function<bool(std::size_t)>& is_down);

// The name this node gives itself in Via towards parents: its `self` entry, else node_name.
std::string_view via_name(const config::parents_settings& p, const config::config& cfg);

}  // namespace rangecache::tier
