// Eviction order, kept in memory by the writer thread (rebuilt from the records at start).
// The store asks for victims when it passes its high watermark; the same classes drive the
// trace simulation that chose the default (bench/cache/policy_sim.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "rangecache/cache/key.hpp"
#include "rangecache/cache/settings.hpp"

namespace rangecache::cache {

class eviction_policy {
 public:
  virtual ~eviction_policy() = default;
  // A new object, or a replacement of one already tracked (keeps its place, new size).
  virtual void insert(const key_hash& key, std::uint64_t size) = 0;
  // An object found at start-up; call oldest access first.
  virtual void restore(const key_hash& key, std::uint64_t size) = 0;
  virtual void access(const key_hash& key) = 0;
  virtual void erase(const key_hash& key) = 0;  // purged or replaced by the caller
  // Chooses a victim and forgets it; nullopt when empty.
  virtual std::optional<key_hash> evict() = 0;
  virtual bool contains(const key_hash& key) const = 0;
  virtual std::uint64_t bytes() const = 0;
  virtual std::uint64_t count() const = 0;
  virtual void clear() = 0;
  virtual std::string_view name() const = 0;
};

// capacity: the bytes the cache holds in steady state (S3-FIFO sizes its queues from it).
std::unique_ptr<eviction_policy> make_policy(eviction_policy_kind kind, std::uint64_t capacity);

}  // namespace rangecache::cache
