// Bodies kept in files of their own, beside the LMDB environment (cache.zero_copy): one file
// per object id in `<cache.path>/bodies/`, named by the id in 16 hex digits. A body file is
// written once, by the writer thread, and never modified afterwards, only unlinked (when its
// object is evicted, purged, replaced or its fill fails). Ids are never reused, so an open
// descriptor reads this one object's bytes, whatever happens to the record, and the sender
// can hand it to sendfile. Start-up removes every file that no record names.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace rangecache::cache::detail {

// The directory, open for the *at() calls. Move-only; closes on destruction.
class body_dir {
 public:
  body_dir() = default;
  body_dir(const body_dir&) = delete;
  body_dir& operator=(const body_dir&) = delete;
  ~body_dir();

  // Creates `<store_path>/bodies` if needed and opens it; false (errno set) on failure.
  bool open(const std::string& store_path);

  // For reading: -1 when the file is gone (the object was evicted, purged or replaced).
  int open_for_read(std::uint64_t id) const;
  // For the writer: a new, empty file (an old one of the same name is truncated: it can only
  // be left over from a fill the writer already gave up). -1 with errno on failure.
  int create(std::uint64_t id) const;
  void remove(std::uint64_t id) const;
  // Every file whose id is in [first, last]: one unlink per id for a few ids, else one pass
  // over the directory (a purge of everything).
  void remove_range(std::uint64_t first, std::uint64_t last) const;
  // The size of the file of `id`, or -1 when there is none.
  std::int64_t size_of(std::uint64_t id) const;

  struct entry {
    std::uint64_t id = 0;  // 0: a name that is not one of ours
    std::string name;
  };
  std::vector<entry> list() const;
  void remove_name(const std::string& name) const;

  // How many files were removed so far: readers that keep files mapped catch up with
  // removed_since when it moved.
  std::uint64_t removals() const { return removals_.load(std::memory_order_acquire); }
  // The ids removed after the first `seen` removals, into `out`, up to removals() at the
  // call. False when the history no longer holds them all (the caller looks at every file).
  bool removed_since(std::uint64_t seen, std::vector<std::uint64_t>& out) const;

 private:
  void note_removal(std::uint64_t id) const;

  int fd_ = -1;
  static constexpr std::size_t history_size = 4096;
  mutable std::mutex history_mu_;
  mutable std::vector<std::uint64_t> history_ = std::vector<std::uint64_t>(history_size);
  mutable std::atomic<std::uint64_t> removals_{0};
};

// The file name of `id`: 16 lowercase hex digits and a terminating NUL.
struct body_name {
  explicit body_name(std::uint64_t id);
  char text[17];
};

// 0 when `name` is not 16 hex digits naming a nonzero id.
std::uint64_t parse_body_name(const char* name);

}  // namespace rangecache::cache::detail
