// S3-FIFO (Yang et al., SOSP 2023): new objects enter a small FIFO (10% of the bytes); only
// those used again while there move to the main FIFO, so a scan of one-hit objects flushes
// the small queue and not the working set. Objects evicted from the small queue are
// remembered in a ghost FIFO (keys only): coming back soon, they go straight to main. Main
// evicts like CLOCK with a 2-bit use counter. Hits only bump a counter: no list moves.
#include <algorithm>
#include <list>
#include <unordered_map>

#include "policies.hpp"

namespace rangecache::cache::detail {
namespace {

class s3fifo_policy final : public eviction_policy {
 public:
  s3fifo_policy(std::uint64_t capacity, unsigned promote_at)
      : small_target_(std::max<std::uint64_t>(capacity / 10, 1)),
        ghost_limit_(std::max<std::uint64_t>(capacity - capacity / 10, 1)),
        promote_at_(promote_at) {}

  void insert(const key_hash& key, std::uint64_t size) override {
    if (auto it = index_.find(key); it != index_.end()) {
      entry& e = *it->second;
      (e.in_main ? main_bytes_ : small_bytes_) += size;
      (e.in_main ? main_bytes_ : small_bytes_) -= e.size;
      e.size = size;
      return;
    }
    if (auto g = ghost_index_.find(key); g != ghost_index_.end()) {
      ghost_bytes_ -= g->second->size;
      ghost_.erase(g->second);
      ghost_index_.erase(g);
      add(main_, key, size, true);
      return;
    }
    add(small_, key, size, false);
  }

  // Objects that survived a restart have proven themselves: main queue, oldest first.
  void restore(const key_hash& key, std::uint64_t size) override {
    if (!index_.contains(key)) add(main_, key, size, true);
  }

  void access(const key_hash& key) override {
    if (auto it = index_.find(key); it != index_.end())
      it->second->freq = static_cast<std::uint8_t>(std::min(it->second->freq + 1, 3));
  }

  void erase(const key_hash& key) override {
    if (auto it = index_.find(key); it != index_.end()) {
      remove(it->second);
      index_.erase(it);
    }
  }

  std::optional<key_hash> evict() override {
    for (;;) {
      if (!small_.empty() && (small_bytes_ >= small_target_ || main_.empty())) {
        auto t = std::prev(small_.end());
        if (t->freq >= promote_at_) {
          small_bytes_ -= t->size;
          main_bytes_ += t->size;
          t->in_main = true;
          main_.splice(main_.begin(), small_, t);
          continue;
        }
        const key_hash victim = t->key;
        remember(victim, t->size);
        erase(victim);
        return victim;
      }
      if (main_.empty()) return std::nullopt;
      auto t = std::prev(main_.end());
      if (t->freq > 0) {
        --t->freq;
        main_.splice(main_.begin(), main_, t);
        continue;
      }
      const key_hash victim = t->key;
      erase(victim);
      return victim;
    }
  }

  bool contains(const key_hash& key) const override { return index_.contains(key); }
  std::uint64_t bytes() const override { return small_bytes_ + main_bytes_; }
  std::uint64_t count() const override { return index_.size(); }
  void clear() override {
    small_.clear();
    main_.clear();
    index_.clear();
    ghost_.clear();
    ghost_index_.clear();
    small_bytes_ = main_bytes_ = ghost_bytes_ = 0;
  }
  std::string_view name() const override { return "s3fifo"; }

 private:
  struct entry {
    key_hash key;
    std::uint64_t size;
    std::uint8_t freq;
    bool in_main;
  };
  using list = std::list<entry>;

  void add(list& l, const key_hash& key, std::uint64_t size, bool in_main) {
    l.push_front({key, size, 0, in_main});
    index_.emplace(key, l.begin());
    (in_main ? main_bytes_ : small_bytes_) += size;
  }
  void remove(list::iterator it) {
    if (it->in_main) {
      main_bytes_ -= it->size;
      main_.erase(it);
    } else {
      small_bytes_ -= it->size;
      small_.erase(it);
    }
  }
  void remember(const key_hash& key, std::uint64_t size) {
    if (ghost_index_.contains(key)) return;
    ghost_.push_front({key, size});
    ghost_index_.emplace(key, ghost_.begin());
    ghost_bytes_ += size;
    while (ghost_bytes_ > ghost_limit_ && !ghost_.empty()) {
      ghost_bytes_ -= ghost_.back().size;
      ghost_index_.erase(ghost_.back().key);
      ghost_.pop_back();
    }
  }

  const std::uint64_t small_target_;
  const std::uint64_t ghost_limit_;
  const unsigned promote_at_;
  list small_, main_;  // front: newest; victims from the back
  std::unordered_map<key_hash, list::iterator> index_;
  struct ghost_entry {
    key_hash key;
    std::uint64_t size;
  };
  std::list<ghost_entry> ghost_;
  std::unordered_map<key_hash, std::list<ghost_entry>::iterator> ghost_index_;
  std::uint64_t small_bytes_ = 0, main_bytes_ = 0, ghost_bytes_ = 0;
};

}  // namespace

std::unique_ptr<eviction_policy> make_s3fifo_policy(std::uint64_t capacity, unsigned promote_at) {
  return std::make_unique<s3fifo_policy>(capacity, promote_at);
}

}  // namespace rangecache::cache::detail
