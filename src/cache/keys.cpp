#include <xxhash.h>

#include "rangecache/cache/key.hpp"

namespace rangecache::cache {

key_hash hash_key(std::string_view key) {
  const XXH128_hash_t h = XXH3_128bits(key.data(), key.size());
  return {h.high64, h.low64};
}

}  // namespace rangecache::cache
