#include "recovery.hpp"

#include <algorithm>
#include <unordered_set>

#include "rangecache/cache/record.hpp"

namespace rangecache::cache::detail {
namespace {

struct lmdb_failure {
  std::string what;
};

void check(int rc, const char* what) {
  if (rc != 0) throw lmdb_failure{std::string(what) + ": " + mdb_strerror(rc)};
}

// A write transaction that aborts unless committed.
class write_txn {
 public:
  explicit write_txn(MDB_env* env) { check(mdb_txn_begin(env, nullptr, 0, &txn_), "begin"); }
  ~write_txn() {
    if (txn_) mdb_txn_abort(txn_);
  }
  MDB_txn* get() const { return txn_; }
  void commit() {
    const int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;
    check(rc, "commit");
  }

 private:
  MDB_txn* txn_ = nullptr;
};

void sweep_chunks(environment& e, std::uint64_t first, std::uint64_t last, std::uint32_t per_txn) {
  for (bool done = false; !done;) {
    write_txn txn(e.env);
    std::uint64_t deleted = 0, charge = 0;
    check(delete_chunk_range(txn.get(), e.chunks, first, last, per_txn, deleted, charge, done),
          "sweep");
    txn.commit();
  }
}

// Every object named in gc is unfinished or dead: delete its chunks, then the entry.
std::uint64_t sweep_gc(environment& e, std::uint32_t per_txn) {
  std::uint64_t swept = 0;
  for (;;) {
    std::uint64_t id = 0;
    {
      write_txn txn(e.env);
      MDB_cursor* cur = nullptr;
      check(mdb_cursor_open(txn.get(), e.gc, &cur), "gc cursor");
      MDB_val k, v;
      const int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
      mdb_cursor_close(cur);
      if (rc == MDB_NOTFOUND) return swept;
      check(rc, "gc first");
      if (k.mv_size == 8) id = get_be64(static_cast<const unsigned char*>(k.mv_data));
      if (id == 0) {  // not a key of ours: drop it
        check(mdb_del(txn.get(), e.gc, &k, nullptr), "gc del");
        txn.commit();
        continue;
      }
    }
    sweep_chunks(e, id, id, per_txn);
    write_txn txn(e.env);
    id_key key(id);
    MDB_val k = key.val();
    const int rc = mdb_del(txn.get(), e.gc, &k, nullptr);
    if (rc != MDB_NOTFOUND) check(rc, "gc del");
    txn.commit();
    ++swept;
  }
}

// A record whose body is a file of its own is kept only if that file is there, whole.
bool body_present(const core& c, const cached_object& obj) {
  return !obj.ref.in_file ||
         c.bodies.size_of(obj.ref.id) == static_cast<std::int64_t>(obj.ref.length);
}

// Reads every record; bad ones are deleted afterwards (their chunks become orphans). `files`
// gets the ids of the kept records whose body is a file.
void scan_meta(environment& e, const core& c, recovered& out,
               std::unordered_set<std::uint64_t>& live, std::unordered_set<std::uint64_t>& files,
               open_report& report) {
  std::vector<std::string> bad;  // raw LMDB keys
  {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(e.env, nullptr, MDB_RDONLY, &txn), "begin read");
    MDB_cursor* cur = nullptr;
    int rc = mdb_cursor_open(txn, e.meta, &cur);
    if (rc != 0) {
      mdb_txn_abort(txn);
      check(rc, "meta cursor");
    }
    MDB_val k, v;
    cached_object obj;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      // The record must decode, be filed under its own key's hash, and own its object id.
      const bool ok = k.mv_size == 16 && decode_record(as_bytes(v), obj) == decode_status::ok &&
                      c.hash(obj.key) == hash_from_val(k) && body_present(c, obj) &&
                      live.insert(obj.ref.id).second;
      if (!ok) {
        bad.emplace_back(static_cast<const char*>(k.mv_data), k.mv_size);
        continue;
      }
      if (obj.ref.in_file) files.insert(obj.ref.id);
      out.objects.push_back({hash_from_val(k), c.hash(obj.url), obj.ref.id, obj.ref.length,
                             object_charge(obj.ref.length, obj.ref.chunk_size, v.mv_size),
                             obj.last_access.time_since_epoch().count()});
      out.next_id = std::max(out.next_id, obj.ref.id + 1);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (rc != MDB_NOTFOUND) check(rc, "meta scan");
  }
  if (bad.empty()) return;
  write_txn txn(e.env);
  for (std::string& raw : bad) {
    MDB_val k{raw.size(), raw.data()};
    const int rc = mdb_del(txn.get(), e.meta, &k, nullptr);
    if (rc != MDB_NOTFOUND) check(rc, "meta del");
    ++report.records_dropped;
  }
  txn.commit();
}

// Chunks whose object id no record names: left by a bug or by damage the gc could not see.
// One seek per object id, so this costs little even on a large store.
void sweep_orphans(environment& e, const std::unordered_set<std::uint64_t>& live, recovered& out,
                   open_report& report, std::uint32_t per_txn) {
  std::uint64_t next = 0;
  for (;;) {
    std::uint64_t orphan = 0;
    std::string malformed;
    bool found = false;
    {
      MDB_txn* txn = nullptr;
      check(mdb_txn_begin(e.env, nullptr, MDB_RDONLY, &txn), "begin read");
      MDB_cursor* cur = nullptr;
      int rc = mdb_cursor_open(txn, e.chunks, &cur);
      while (rc == 0) {
        chunk_key start(next, 0);
        MDB_val k = start.val(), v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        if (rc != 0) break;
        std::uint64_t id = 0;
        std::uint32_t index = 0;
        if (!chunk_key::parse(k, id, index)) {
          malformed.assign(static_cast<const char*>(k.mv_data), k.mv_size);
          found = true;
          break;
        }
        out.next_id = std::max(out.next_id, id + 1);
        if (!live.contains(id)) {
          orphan = id;
          found = true;
          break;
        }
        next = id + 1;
      }
      if (cur) mdb_cursor_close(cur);
      mdb_txn_abort(txn);
      if (rc != 0 && rc != MDB_NOTFOUND) check(rc, "chunk scan");
    }
    if (!found) return;
    if (!malformed.empty()) {
      write_txn txn(e.env);
      MDB_val k{malformed.size(), malformed.data()};
      check(mdb_del(txn.get(), e.chunks, &k, nullptr), "chunk del");
      txn.commit();
      continue;
    }
    sweep_chunks(e, orphan, orphan, per_txn);
    ++report.orphan_objects_swept;
    next = orphan + 1;
  }
}

// Body files that no record names: left by fills a crash or a kill cut short, by a crash
// between an eviction's commit and its unlink, or by a store that was moved aside. Every
// kept record names its file (scan_meta checked), so after this each matches the other.
void sweep_body_files(const core& c, const std::unordered_set<std::uint64_t>& files, recovered& out,
                      open_report& report) {
  for (const body_dir::entry& f : c.bodies.list()) {
    if (f.id != 0) out.next_id = std::max(out.next_id, f.id + 1);
    if (f.id != 0 && files.contains(f.id)) continue;
    c.bodies.remove_name(f.name);
    ++report.orphan_files_swept;
  }
}

}  // namespace

std::string recover(environment& e, const core& c, recovered& out, open_report& report) {
  try {
    const std::uint32_t per_txn = c.settings.reclaim_chunks_per_txn;
    {
      MDB_txn* txn = nullptr;
      check(mdb_txn_begin(e.env, nullptr, MDB_RDONLY, &txn), "begin read");
      MDB_val k = str_val("next_id"), v;
      const int rc = mdb_get(txn, e.sys, &k, &v);
      if (rc == 0 && v.mv_size == 8)
        out.next_id = get_be64(static_cast<const unsigned char*>(v.mv_data));
      mdb_txn_abort(txn);
    }
    report.dead_objects_swept = sweep_gc(e, per_txn);
    std::unordered_set<std::uint64_t> live, files;
    scan_meta(e, c, out, live, files, report);
    sweep_orphans(e, live, out, report, per_txn);
    sweep_body_files(c, files, out, report);
    out.next_id = std::max<std::uint64_t>(out.next_id, 1);
    std::sort(out.objects.begin(), out.objects.end(),
              [](const recovered_object& a, const recovered_object& b) {
                return a.last_access != b.last_access ? a.last_access < b.last_access : a.id < b.id;
              });
    write_txn txn(e.env);
    unsigned char b[8];
    put_be64(b, out.next_id);
    MDB_val k = str_val("next_id"), v{sizeof b, b};
    check(mdb_put(txn.get(), e.sys, &k, &v, 0), "next_id");
    txn.commit();
  } catch (const lmdb_failure& f) {
    return "recovery: " + f.what;
  }
  for (const auto& o : out.objects) {
    ++report.objects;
    report.bytes += o.length;
  }
  return {};
}

}  // namespace rangecache::cache::detail
