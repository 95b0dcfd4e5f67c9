#include "kept_bodies.hpp"

#include <sys/mman.h>
#include <sys/stat.h>

#include "body_files.hpp"

namespace rangecache::cache::detail {
namespace {

// Unmaps when the last answer using it (or the reader) lets go.
struct owned_mapping final : body_mapping {
  owned_mapping(const std::byte* d, std::uint64_t n) : body_mapping{d, n} {}
  ~owned_mapping() { ::munmap(const_cast<std::byte*>(data), static_cast<std::size_t>(size)); }
};

}  // namespace

kept_bodies::kept_bodies(const body_dir& dir, std::size_t max_files, std::uint64_t map_budget)
    : dir_(dir), max_files_(max_files), budget_(map_budget), seen_removals_(dir.removals()) {}

body_file kept_bodies::open(std::uint64_t id) {
  sweep_unlinked();
  auto it = find_or_open(id);
  return it == entries_.end() ? body_file{} : it->second.file;
}

std::shared_ptr<const body_mapping> kept_bodies::map(std::uint64_t id, std::uint64_t length) {
  sweep_unlinked();
  if (length == 0) return nullptr;
  auto it = find_or_open(id);
  if (it == entries_.end()) return nullptr;
  if (it->second.mapping) return it->second.mapping->size >= length ? it->second.mapping : nullptr;
  const int fd = it->second.file.fd();
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < length) return nullptr;
  void* base = ::mmap(nullptr, static_cast<std::size_t>(length), PROT_READ, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) return nullptr;
  make_room(length);
  it->second.mapping =
      std::make_shared<const owned_mapping>(static_cast<const std::byte*>(base), length);
  mapped_ += length;
  return it->second.mapping;
}

kept_bodies::entry_it kept_bodies::find_or_open(std::uint64_t id) {
  if (auto it = entries_.find(id); it != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it;
  }
  body_file file{dir_.open_for_read(id)};
  if (!file) return entries_.end();
  while (!lru_.empty() && entries_.size() >= max_files_) drop(entries_.find(lru_.back()));
  lru_.push_front(id);
  return entries_.emplace(id, entry{std::move(file), nullptr, lru_.begin()}).first;
}

// After the store removed files, those go (answers still using one keep it until they end).
// Exact and cheap from the store's list of removed ids; a reader that fell behind that list
// asks the file system whether each kept file still has a name.
void kept_bodies::sweep_unlinked() {
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
    struct stat st {};
    if (::fstat(it->second.file.fd(), &st) != 0 || st.st_nlink == 0) drop(it);
    it = next;
  }
}

void kept_bodies::drop(entry_it it) {
  if (it->second.mapping) mapped_ -= it->second.mapping->size;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

// Mapped bytes over the budget: the least recently used mappings go (their files stay open).
void kept_bodies::make_room(std::uint64_t incoming_bytes) {
  for (auto id = lru_.rbegin(); id != lru_.rend() && mapped_ + incoming_bytes > budget_; ++id) {
    auto& e = entries_.find(*id)->second;
    if (!e.mapping) continue;
    mapped_ -= e.mapping->size;
    e.mapping.reset();
  }
}

}  // namespace rangecache::cache::detail
