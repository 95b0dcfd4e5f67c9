#include "body_maps.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "body_files.hpp"

namespace rangecache::cache::detail {
namespace {

// Unmaps when the last answer using it (or the cache) lets go.
struct owned_mapping final : body_mapping {
  owned_mapping(const std::byte* d, std::uint64_t n) : body_mapping{d, n} {}
  ~owned_mapping() { ::munmap(const_cast<std::byte*>(data), static_cast<std::size_t>(size)); }
};

}  // namespace

body_maps::body_maps(const body_dir& dir, std::uint64_t budget)
    : dir_(dir), budget_(budget), seen_removals_(dir.removals()) {}

std::shared_ptr<const body_mapping> body_maps::get(std::uint64_t id, std::uint64_t length) {
  sweep_unlinked();
  if (auto it = entries_.find(id); it != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.map;
  }
  if (length == 0) return nullptr;
  const int fd = dir_.open_for_read(id);
  if (fd < 0) return nullptr;
  struct stat st {};
  void* base = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) >= length)
    base = ::mmap(nullptr, static_cast<std::size_t>(length), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);  // the mapping keeps the file
  if (base == MAP_FAILED) return nullptr;
  make_room(length);
  auto map = std::make_shared<const owned_mapping>(static_cast<const std::byte*>(base), length);
  lru_.push_front(id);
  entries_.emplace(id, entry{map, lru_.begin()});
  mapped_ += length;
  return map;
}

// After the store removed files: the mappings of those go (answers still using one keep it
// until they end). Exact and cheap from the store's list of removed ids; a reader that fell
// behind that list looks for each of its files by name instead.
void body_maps::sweep_unlinked() {
  const std::uint64_t removals = dir_.removals();
  if (removals == seen_removals_) return;
  removed_.clear();
  const bool listed = dir_.removed_since(seen_removals_, removed_);
  seen_removals_ += removed_.size();
  if (listed) {
    for (const std::uint64_t id : removed_)
      if (auto it = entries_.find(id); it != entries_.end()) drop(it);
    return;
  }
  seen_removals_ = removals;
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (dir_.size_of(it->first) < 0) drop(it);
    it = next;
  }
}

void body_maps::drop(std::unordered_map<std::uint64_t, entry>::iterator it) {
  mapped_ -= it->second.map->size;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

void body_maps::make_room(std::uint64_t incoming) {
  while (!lru_.empty() && mapped_ + incoming > budget_) drop(entries_.find(lru_.back()));
}

}  // namespace rangecache::cache::detail
