#include "policies.hpp"

namespace rangecache::cache {

std::unique_ptr<eviction_policy> make_policy(eviction_policy_kind kind, std::uint64_t capacity) {
  switch (kind) {
    case eviction_policy_kind::lru:
      return detail::make_lru_policy();
    case eviction_policy_kind::s3fifo:
      break;
  }
  return detail::make_s3fifo_policy(capacity);
}

}  // namespace rangecache::cache
