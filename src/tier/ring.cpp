#include "rangecache/tier/ring.hpp"

#include <xxhash.h>

#include <algorithm>
#include <numeric>

namespace rangecache::tier {

std::uint64_t hash_text(std::string_view text) {
  return XXH3_64bits(text.data(), text.size());
}

std::uint64_t score(std::uint64_t key_hash, std::uint64_t node_hash) {
  // The murmur3 64-bit finalizer over the two hashes combined; the node hash is multiplied
  // first so that key ^ node can never cancel out to the same value for two nodes by xor
  // symmetry alone.
  std::uint64_t x = key_hash ^ (node_hash * 0x9e3779b97f4a7c15ULL);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

ring::ring(std::span<const std::string> nodes) {
  node_hash_.reserve(nodes.size());
  for (const auto& n : nodes) node_hash_.push_back(hash_text(n));
}

std::size_t ring::owner(std::string_view key) const {
  const auto k = hash_text(key);
  std::size_t best = 0;
  std::uint64_t best_score = 0;
  for (std::size_t i = 0; i < node_hash_.size(); ++i) {
    const auto s = score(k, node_hash_[i]);
    // Equal scores (practically never) go to the lower index, the same on every node.
    if (i == 0 || s > best_score) {
      best = i;
      best_score = s;
    }
  }
  return best;
}

std::vector<std::size_t> ring::order(std::string_view key) const {
  const auto k = hash_text(key);
  std::vector<std::uint64_t> scores(node_hash_.size());
  for (std::size_t i = 0; i < node_hash_.size(); ++i) scores[i] = score(k, node_hash_[i]);
  std::vector<std::size_t> out(node_hash_.size());
  std::iota(out.begin(), out.end(), std::size_t{0});
  std::stable_sort(out.begin(), out.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  return out;
}

}  // namespace rangecache::tier
