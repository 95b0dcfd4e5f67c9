// Least recently used: one list, hits move to the front, victims leave from the back.
#include <list>
#include <unordered_map>

#include "policies.hpp"

namespace rangecache::cache::detail {
namespace {

class lru_policy final : public eviction_policy {
 public:
  void insert(const key_hash& key, std::uint64_t size) override {
    if (auto it = index_.find(key); it != index_.end()) {
      bytes_ = bytes_ - it->second->size + size;
      it->second->size = size;
      list_.splice(list_.begin(), list_, it->second);  // a replacement counts as use
      return;
    }
    list_.push_front({key, size});
    index_.emplace(key, list_.begin());
    bytes_ += size;
  }
  void restore(const key_hash& key, std::uint64_t size) override { insert(key, size); }
  void access(const key_hash& key) override {
    if (auto it = index_.find(key); it != index_.end())
      list_.splice(list_.begin(), list_, it->second);
  }
  void erase(const key_hash& key) override {
    if (auto it = index_.find(key); it != index_.end()) {
      bytes_ -= it->second->size;
      list_.erase(it->second);
      index_.erase(it);
    }
  }
  std::optional<key_hash> evict() override {
    if (list_.empty()) return std::nullopt;
    const key_hash victim = list_.back().key;
    erase(victim);
    return victim;
  }
  bool contains(const key_hash& key) const override { return index_.contains(key); }
  std::uint64_t bytes() const override { return bytes_; }
  std::uint64_t count() const override { return index_.size(); }
  void clear() override {
    list_.clear();
    index_.clear();
    bytes_ = 0;
  }
  std::string_view name() const override { return "lru"; }

 private:
  struct entry {
    key_hash key;
    std::uint64_t size;
  };
  std::list<entry> list_;  // front: most recently used
  std::unordered_map<key_hash, std::list<entry>::iterator> index_;
  std::uint64_t bytes_ = 0;
};

}  // namespace

std::unique_ptr<eviction_policy> make_lru_policy() {
  return std::make_unique<lru_policy>();
}

}  // namespace rangecache::cache::detail
