// Consistent hashing over the nodes of a tier, by rendezvous (highest random weight)
// hashing: every node gets a score for a key, the highest score owns it, and the others in
// falling order are its fallbacks. Removing a node moves only the keys it owned (their next
// node takes them); adding one takes about 1/(N+1) of the keys, from every node evenly.
// Pure and deterministic: every node of a tier computes the same order for the same key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rangecache::tier {

// XXH3 (64 bits) of `text`: a fast hash with good spread whose value is the same on every
// machine and every build (std::hash promises neither).
std::uint64_t hash_text(std::string_view text);

// The score of a node for a key: both hashes mixed through a 64-bit finalizer, so a change
// in either bit of either input changes about half of the score's bits.
std::uint64_t score(std::uint64_t key_hash, std::uint64_t node_hash);

class ring {
 public:
  // `nodes` are the names every node of the tier agrees on ("10.0.0.11:8080").
  explicit ring(std::span<const std::string> nodes);

  std::size_t size() const { return node_hash_.size(); }
  // The node that owns `key` (an index into the nodes given). The ring must not be empty.
  std::size_t owner(std::string_view key) const;
  // Every node, the owner first, then the fallbacks in the order they take over.
  std::vector<std::size_t> order(std::string_view key) const;

 private:
  std::vector<std::uint64_t> node_hash_;
};

}  // namespace rangecache::tier
