#include "env.hpp"
#include "rangecache/cache/chunk_math.hpp"

namespace rangecache::cache::detail {

int delete_chunk_range(MDB_txn* txn, MDB_dbi chunks, std::uint64_t first, std::uint64_t last,
                       std::uint32_t max, std::uint64_t& deleted, std::uint64_t& charge,
                       bool& done) {
  done = false;
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn, chunks, &cur);
  if (rc != 0) return rc;
  chunk_key start(first, 0);
  MDB_val k = start.val(), v;
  std::uint32_t n = 0;
  rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  while (rc == 0) {
    std::uint64_t id = 0;
    std::uint32_t index = 0;
    // A key of another shape cannot be ours: it goes too (it would otherwise stop the scan).
    if (chunk_key::parse(k, id, index) && id > last) break;
    if (n == max) {
      mdb_cursor_close(cur);
      return 0;  // more left: the caller commits and comes back
    }
    charge += stored_size(v.mv_size);
    if ((rc = mdb_cursor_del(cur, 0)) != 0) break;
    ++n;
    ++deleted;
    // After a delete the cursor already sits on the next item; MDB_NEXT returns it.
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cur);
  if (rc == MDB_NOTFOUND || rc == 0) {
    done = true;
    return 0;
  }
  return rc;
}

}  // namespace rangecache::cache::detail
