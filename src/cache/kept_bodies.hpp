// Body files one reader keeps open, and mapped, across answers. Opening a file for every
// answer costs an openat and a close per hit (a third of the system calls of a small hit);
// mapping one for every answer costs a page fault per page every time. A kept descriptor or
// mapping costs neither, as LMDB's own map does not. A body file is never modified, so a
// kept one always reads its one object; one whose file the store unlinked (evicted, purged,
// replaced) is dropped at the reader's next call, so that it does not keep the file's disk
// space. Answers still using a dropped one keep it until they end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "rangecache/cache/reader.hpp"

namespace rangecache::cache::detail {

class body_dir;

class kept_bodies {
 public:
  // At most `max_files` files kept open and `map_budget` bytes mapped (and at least the one
  // being asked for).
  kept_bodies(const body_dir& dir, std::size_t max_files, std::uint64_t map_budget);
  kept_bodies(const kept_bodies&) = delete;
  kept_bodies& operator=(const kept_bodies&) = delete;

  // The open file of object `id`; empty when its file is gone.
  body_file open(std::uint64_t id);
  // The whole body of committed object `id`, `length` bytes long; null when its file is gone
  // or is not that long.
  std::shared_ptr<const body_mapping> map(std::uint64_t id, std::uint64_t length);

 private:
  struct entry {
    body_file file;
    std::shared_ptr<const body_mapping> mapping;
    std::list<std::uint64_t>::iterator lru;
  };
  using entry_it = std::unordered_map<std::uint64_t, entry>::iterator;
  // The entry of `id`, opened when it is not kept yet; end() when the file is gone.
  entry_it find_or_open(std::uint64_t id);
  void sweep_unlinked();
  void drop(entry_it it);
  void make_room(std::uint64_t incoming_bytes);

  const body_dir& dir_;
  const std::size_t max_files_;
  const std::uint64_t budget_;
  std::uint64_t mapped_ = 0;
  std::unordered_map<std::uint64_t, entry> entries_;
  std::list<std::uint64_t> lru_;  // most recently used first
  std::uint64_t seen_removals_ = 0;
  std::vector<std::uint64_t> removed_;  // sweep_unlinked's, kept for its capacity
};

}  // namespace rangecache::cache::detail
