// The policy implementations, for the factory and for the trace simulation's variants.
#pragma once

#include <memory>

#include "rangecache/cache/policy.hpp"

namespace rangecache::cache::detail {

std::unique_ptr<eviction_policy> make_lru_policy();
// promote_at: small-queue objects used at least this often since insertion move to main.
std::unique_ptr<eviction_policy> make_s3fifo_policy(std::uint64_t capacity,
                                                    unsigned promote_at = 1);

}  // namespace rangecache::cache::detail
