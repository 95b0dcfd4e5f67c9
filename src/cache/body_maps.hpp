// Whole body files mapped for reading, kept across answers by one reader. Mapping a file for
// each answer costs a page fault per page every time; a mapping kept for the next answers has
// its pages in place, as LMDB's own map has, so a long answer from a file costs what one from
// the map does. A body file is never modified, so a kept mapping always reads its one object;
// one whose file was unlinked (evicted, purged, replaced) is dropped at the reader's next
// call, so that it does not keep the file's disk space.
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

class body_maps {
 public:
  // At most `budget` bytes mapped (and at least the one being asked for).
  body_maps(const body_dir& dir, std::uint64_t budget);
  body_maps(const body_maps&) = delete;
  body_maps& operator=(const body_maps&) = delete;

  // The whole body of committed object `id`, `length` bytes long; null when its file is gone
  // or is not that long.
  std::shared_ptr<const body_mapping> get(std::uint64_t id, std::uint64_t length);

 private:
  struct entry {
    std::shared_ptr<const body_mapping> map;
    std::list<std::uint64_t>::iterator lru;
  };
  void sweep_unlinked();
  void drop(std::unordered_map<std::uint64_t, entry>::iterator it);
  void make_room(std::uint64_t incoming);

  const body_dir& dir_;
  const std::uint64_t budget_;
  std::uint64_t mapped_ = 0;
  std::unordered_map<std::uint64_t, entry> entries_;
  std::list<std::uint64_t> lru_;  // most recently used first
  std::uint64_t seen_removals_ = 0;
  std::vector<std::uint64_t> removed_;  // sweep_unlinked's, kept for its capacity
};

}  // namespace rangecache::cache::detail
