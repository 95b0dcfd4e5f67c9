// The LMDB environment and its sub-databases, plus the byte layouts of their keys. Internal
// to src/cache: nothing outside the store includes <lmdb.h>.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>

#include "rangecache/cache/key.hpp"
#include "rangecache/cache/settings.hpp"
#include "rangecache/cache/store.hpp"

namespace rangecache::cache::detail {

// Bumped when the set of databases or a key layout changes: a store of another schema is
// moved aside at open.
inline constexpr std::uint32_t schema_version = 1;

struct environment {
  MDB_env* env = nullptr;
  MDB_dbi meta = 0;    // key hash (16) → record
  MDB_dbi chunks = 0;  // object id (8, BE) + chunk index (4, BE) → bytes
  MDB_dbi gc = 0;      // object id (8, BE) → gc_state: fills in progress and dead objects
  MDB_dbi sys = 0;     // name → value: schema version, next object id
  MDB_dbi urls = 0;    // URL hash (16) → key hashes (16), DUPSORT|DUPFIXED: purge by URL
  std::uint32_t page_size = 4096;
  std::uint64_t map_size = 0;
  std::string path;
  int lock_fd = -1;  // flock on <path>/rangecache.lock: one process per store

  environment() = default;
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;
  ~environment();
};

enum class gc_state : std::uint8_t { writing = 1, dead = 2 };

// Opens (creating the directory and the databases as needed). A damaged environment or one of
// another schema is renamed aside and a fresh one created; the report says so. Throws
// store_error for anything else.
std::unique_ptr<environment> open_environment(const store_settings& s, open_report& report);

// Renames a damaged store directory to `<path>.damaged-<unix time>` and notes it in the report.
void move_aside(const std::string& path, const std::string& why, open_report& report);

// Deletes chunks of objects first..last (inclusive), at most `max` of them, in `txn`. Sets
// `done` when none of that range is left; adds to `deleted` and to `charge` (their file
// bytes). Returns an LMDB code (0 on success).
int delete_chunk_range(MDB_txn* txn, MDB_dbi chunks, std::uint64_t first, std::uint64_t last,
                       std::uint32_t max, std::uint64_t& deleted, std::uint64_t& charge,
                       bool& done);

// --- key layouts -------------------------------------------------------------------------

inline void put_be64(unsigned char* p, std::uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<unsigned char>(v);
}
inline void put_be32(unsigned char* p, std::uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<unsigned char>(v);
}
inline std::uint64_t get_be64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
inline std::uint32_t get_be32(const unsigned char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | p[i];
  return v;
}

struct hash_key_bytes {
  unsigned char b[16];
  explicit hash_key_bytes(const key_hash& h) {
    put_be64(b, h.hi);
    put_be64(b + 8, h.lo);
  }
  MDB_val val() { return {sizeof b, b}; }
};

inline key_hash hash_from_val(const MDB_val& v) {
  const auto* p = static_cast<const unsigned char*>(v.mv_data);
  return {get_be64(p), get_be64(p + 8)};
}

// Big-endian so that one object's chunks are adjacent and in order: a range read is one seek
// and a few MDB_NEXTs, and reclaiming an object is a forward scan.
struct chunk_key {
  unsigned char b[12];
  chunk_key(std::uint64_t id, std::uint32_t index) {
    put_be64(b, id);
    put_be32(b + 8, index);
  }
  MDB_val val() { return {sizeof b, b}; }
  static bool parse(const MDB_val& v, std::uint64_t& id, std::uint32_t& index) {
    if (v.mv_size != 12) return false;
    const auto* p = static_cast<const unsigned char*>(v.mv_data);
    id = get_be64(p);
    index = get_be32(p + 8);
    return true;
  }
};

struct id_key {
  unsigned char b[8];
  explicit id_key(std::uint64_t id) { put_be64(b, id); }
  MDB_val val() { return {sizeof b, b}; }
};

// Notes object `id` in the gc table: a fill being written, or an object whose chunks are dead.
inline int put_gc_state(MDB_txn* txn, MDB_dbi gc, std::uint64_t id, gc_state state) {
  id_key k(id);
  unsigned char byte = static_cast<unsigned char>(state);
  MDB_val kv = k.val(), v{1, &byte};
  return mdb_put(txn, gc, &kv, &v, 0);
}

inline std::span<const std::byte> as_bytes(const MDB_val& v) {
  return {static_cast<const std::byte*>(v.mv_data), v.mv_size};
}

inline MDB_val str_val(const char* s) {
  return {std::strlen(s), const_cast<char*>(s)};
}

}  // namespace rangecache::cache::detail
