#include "env.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace rangecache::cache::detail {
namespace {

namespace fs = std::filesystem;

// Return codes that mean the files are not a usable environment of ours. Anything else
// (permissions, a full disk, a lock held elsewhere) is the operator's problem and stops
// start-up instead of throwing a cache away.
bool is_damage(int rc) {
  switch (rc) {
    case MDB_INVALID:
    case MDB_CORRUPTED:
    case MDB_VERSION_MISMATCH:
    case MDB_PANIC:
    case MDB_PAGE_NOTFOUND:
    case MDB_INCOMPATIBLE:
    case MDB_BAD_DBI:
    case MDB_BAD_VALSIZE:
      return true;
    default:
      return false;
  }
}

struct damaged {
  std::string why;
};

std::string lmdb_message(const char* what, int rc) {
  return std::string(what) + ": " + mdb_strerror(rc);
}

std::uint64_t round_up(std::uint64_t v, std::uint64_t to) {
  return (v + to - 1) / to * to;
}

// Opens the databases and checks the schema. Returns the damage reason, or empty on success.
std::string open_databases(environment& e) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(e.env, nullptr, 0, &txn);
  if (rc != MDB_SUCCESS) {
    if (is_damage(rc)) return lmdb_message("begin", rc);
    throw store_error(lmdb_message("cache: cannot start a write transaction", rc));
  }
  auto fail = [&](const char* what, int code) -> std::string {
    mdb_txn_abort(txn);
    if (is_damage(code)) return lmdb_message(what, code);
    throw store_error(std::string("cache: ") + lmdb_message(what, code));
  };
  if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &e.meta)) != 0) return fail("meta", rc);
  if ((rc = mdb_dbi_open(txn, "chunks", MDB_CREATE, &e.chunks)) != 0) return fail("chunks", rc);
  if ((rc = mdb_dbi_open(txn, "gc", MDB_CREATE, &e.gc)) != 0) return fail("gc", rc);
  if ((rc = mdb_dbi_open(txn, "sys", MDB_CREATE, &e.sys)) != 0) return fail("sys", rc);
  if ((rc = mdb_dbi_open(txn, "urls", MDB_CREATE | MDB_DUPSORT | MDB_DUPFIXED, &e.urls)) != 0)
    return fail("urls", rc);

  MDB_val k = str_val("schema"), v;
  rc = mdb_get(txn, e.sys, &k, &v);
  if (rc == MDB_NOTFOUND) {
    MDB_stat st;
    if ((rc = mdb_stat(txn, e.meta, &st)) != 0) return fail("stat", rc);
    if (st.ms_entries != 0) {
      mdb_txn_abort(txn);
      return "records without a schema version";
    }
    std::uint32_t version = schema_version;
    MDB_val val{sizeof version, &version};
    if ((rc = mdb_put(txn, e.sys, &k, &val, 0)) != 0) return fail("schema", rc);
  } else if (rc != 0) {
    return fail("schema", rc);
  } else {
    std::uint32_t version = 0;
    if (v.mv_size == sizeof version) std::memcpy(&version, v.mv_data, sizeof version);
    if (version != schema_version) {
      mdb_txn_abort(txn);
      return "schema version " + std::to_string(version) + ", this build uses " +
             std::to_string(schema_version);
    }
  }
  if ((rc = mdb_txn_commit(txn)) != 0) {
    if (is_damage(rc)) return lmdb_message("commit", rc);
    throw store_error(lmdb_message("cache: cannot commit", rc));
  }
  return {};
}

// One attempt. Returns null and sets `why` when the files are damaged.
std::unique_ptr<environment> try_open(const store_settings& s, std::string& why) {
  auto e = std::make_unique<environment>();
  e->path = s.path;
  // Start-up sweeps delete the chunks of unfinished fills: a second process on the same store
  // would delete the first one's. LMDB itself would allow it, so we refuse.
  const std::string lock = s.path + "/rangecache.lock";
  e->lock_fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (e->lock_fd < 0) throw store_error("cache: cannot open " + lock + ": " + std::strerror(errno));
  if (::flock(e->lock_fd, LOCK_EX | LOCK_NB) != 0)
    throw store_error("cache: " + s.path + " is in use by another process");
  int rc = mdb_env_create(&e->env);
  if (rc != 0) throw store_error(lmdb_message("cache: mdb_env_create", rc));
  const auto os_page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  mdb_env_set_maxdbs(e->env, 8);
  mdb_env_set_maxreaders(e->env, s.max_readers);
  mdb_env_set_mapsize(e->env, round_up(s.map_size, os_page));
  // MDB_NOTLS: read transactions belong to reader objects, not threads. No MDB_WRITEMAP: it
  // would let a stray pointer write corrupt the file and risks SIGBUS on a full disk.
  unsigned flags = MDB_NOTLS;
  if (s.sync == sync_mode::none) flags |= MDB_NOSYNC;
  if (s.sync == sync_mode::meta) flags |= MDB_NOMETASYNC;
  rc = mdb_env_open(e->env, s.path.c_str(), flags, 0640);
  if (rc != 0) {
    if (is_damage(rc)) {
      why = lmdb_message("open", rc);
      return nullptr;
    }
    throw store_error("cache: cannot open " + s.path + ": " + mdb_strerror(rc));
  }
  int dead = 0;
  mdb_reader_check(e->env, &dead);  // slots of killed processes

  MDB_stat st;
  MDB_envinfo info;
  mdb_env_stat(e->env, &st);
  mdb_env_info(e->env, &info);
  // A store reopened with a smaller max_size may already use more than the new map: LMDB
  // then maps exactly the used pages, and even the deletes that would bring it down fail
  // with MDB_MAP_FULL. Give it room above what is used (the file never shrinks anyway; the
  // writer evicts down to the new bound and later writes reuse the freed pages).
  const std::uint64_t used = (info.me_last_pgno + 1) * std::uint64_t{st.ms_psize};
  if (used + s.map_size / 8 > info.me_mapsize) {
    mdb_env_set_mapsize(e->env,
                        round_up(used + std::max<std::uint64_t>(s.map_size / 4, 1 << 20), os_page));
    mdb_env_info(e->env, &info);
  }
  e->page_size = st.ms_psize;
  e->map_size = info.me_mapsize;
  // A file shorter than its own last page would SIGBUS on the first read of that page.
  struct stat fst;
  const std::string data = s.path + "/data.mdb";
  if (::stat(data.c_str(), &fst) == 0 && static_cast<std::uint64_t>(fst.st_size) <
                                             (info.me_last_pgno + 1) * std::uint64_t{st.ms_psize}) {
    why = "data.mdb is truncated";
    return nullptr;
  }
  why = open_databases(*e);
  if (!why.empty()) return nullptr;
  return e;
}

}  // namespace

environment::~environment() {
  if (env) mdb_env_close(env);
  if (lock_fd >= 0) ::close(lock_fd);  // releases the flock
}

void move_aside(const std::string& path, const std::string& why, open_report& report) {
  const auto stamp = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  std::string target;
  std::error_code ec;
  for (int n = 0;; ++n) {
    // Built by appending: g++ 12 warns (-Wrestrict, a false positive) on the chain of +.
    target = path;
    target.append(".damaged-").append(std::to_string(stamp));
    if (n) target.append("-").append(std::to_string(n));
    if (!fs::exists(target, ec)) break;
  }
  fs::rename(path, target, ec);
  if (ec) throw store_error("cache: cannot move damaged store " + path + " aside: " + ec.message());
  report.moved_aside = true;
  report.moved_to = target;
  report.reason = why;
}

std::unique_ptr<environment> open_environment(const store_settings& s, open_report& report) {
  std::error_code ec;
  fs::create_directories(s.path, ec);
  if (ec) throw store_error("cache: cannot create " + s.path + ": " + ec.message());
  report.created = !fs::exists(fs::path(s.path) / "data.mdb", ec);
  std::string why;
  if (auto e = try_open(s, why)) return e;
  // It is a cache: a damaged one is kept for inspection and we start empty.
  move_aside(s.path, why, report);
  fs::create_directories(s.path, ec);
  if (ec) throw store_error("cache: cannot create " + s.path + ": " + ec.message());
  report.created = true;
  std::string again;
  if (auto e = try_open(s, again)) return e;
  throw store_error("cache: fresh store at " + s.path + " unusable: " + again);
}

}  // namespace rangecache::cache::detail
