#include "rangecache/cache/store.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <future>
#include <set>

#include "recovery.hpp"
#include "store_impl.hpp"

namespace rangecache::cache {

namespace detail {
int begin_read(MDB_env* env, MDB_txn** txn) {
  int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, txn);
  if (rc == MDB_READERS_FULL) {
    int dead = 0;
    mdb_reader_check(env, &dead);  // slots of processes that died
    rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, txn);
  }
  return rc;
}
}  // namespace detail

MDB_txn* store::impl::acquire_txn() {
  MDB_txn* txn = nullptr;
  {
    std::lock_guard lock(pool_mu);
    if (!pool.empty()) {
      txn = pool.back();
      pool.pop_back();
    }
  }
  if (txn && mdb_txn_renew(txn) == 0) return txn;
  if (txn) mdb_txn_abort(txn);
  txn = nullptr;
  if (detail::begin_read(env->env, &txn) != 0) {
    detail::counters::add(core->stats.lmdb_errors);
    return nullptr;
  }
  return txn;
}

void store::impl::release_txn(MDB_txn* txn) {
  mdb_txn_reset(txn);
  std::lock_guard lock(pool_mu);
  if (pool.size() < 64) {
    pool.push_back(txn);
    return;
  }
  mdb_txn_abort(txn);
}

lookup_status store::impl::lookup_in(MDB_txn* txn, std::string_view key, cached_object& out,
                                     bool count) {
  const key_hash h = core->hash(key);
  detail::hash_key_bytes hk(h);
  MDB_val k = hk.val(), v;
  const int rc = mdb_get(txn, env->meta, &k, &v);
  auto& st = core->stats;
  if (rc != 0 && rc != MDB_NOTFOUND) {
    detail::counters::add(st.lmdb_errors);
    return lookup_status::error;
  }
  // An undecodable record is a miss: the next fill of the key replaces it.
  if (rc == MDB_NOTFOUND || decode_record(detail::as_bytes(v), out) != decode_status::ok) {
    if (count) detail::counters::add(st.misses);
    return lookup_status::miss;
  }
  if (out.key != key) {  // another key with the same 128-bit hash
    if (count) {
      detail::counters::add(st.collisions);
      detail::counters::add(st.misses);
    }
    return lookup_status::miss;
  }
  out.ref.hash = h;
  if (count) {
    detail::counters::add(st.hits);
    core->queue.touch(h);
  }
  return lookup_status::hit;
}

namespace {
// LMDB must not open one environment twice in a process (its locks are per process): a
// second store on the same directory is refused instead.
std::mutex open_paths_mu;
std::set<std::string> open_paths;

std::string claim_path(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  std::string canonical = std::filesystem::weakly_canonical(path, ec).string();
  if (ec) canonical = path;
  std::lock_guard lock(open_paths_mu);
  if (!open_paths.insert(canonical).second)
    throw store_error("cache: " + path + " is already open in this process");
  return canonical;
}

void release_path(const std::string& canonical) {
  std::lock_guard lock(open_paths_mu);
  open_paths.erase(canonical);
}

// Gives the path back if open() fails half-way.
struct path_claim {
  std::string path;
  bool keep = false;
  ~path_claim() {
    if (!keep) release_path(path);
  }
};
}  // namespace

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

std::unique_ptr<store> store::open(const store_settings& settings) {
  const auto start = std::chrono::steady_clock::now();
  if (settings.path.empty()) throw store_error("cache: no path");
  path_claim claim{claim_path(settings.path)};
  auto p = std::make_unique<impl>();
  p->canonical_path = claim.path;
  p->core = std::make_shared<detail::core>(settings);
  const store_settings& s = p->core->settings;
  if (!p->core->bodies.open(s.path))
    throw store_error("cache: cannot open " + s.path + "/bodies: " + std::strerror(errno));
  p->env = detail::open_environment(s, p->report);
  detail::recovered state;
  std::string why = detail::recover(*p->env, *p->core, state, p->report);
  if (!why.empty()) {
    // Readable as LMDB but not as our store (damage found while scanning it): start empty.
    p->env.reset();
    open_report fresh;
    detail::move_aside(s.path, why, fresh);
    p->env = detail::open_environment(s, fresh);
    fresh.moved_aside = true;
    state = {};
    why = detail::recover(*p->env, *p->core, state, fresh);
    if (!why.empty()) throw store_error("cache: fresh store at " + s.path + " unusable: " + why);
    p->report = fresh;
  }
  p->writer = std::make_unique<detail::writer>(*p->env, p->core, std::move(state));
  p->report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  claim.keep = true;
  return std::unique_ptr<store>(new store(std::move(p)));
}

store::~store() {
  do_close();
}

void store::do_close() {
  if (!impl_ || impl_->closed.exchange(true)) return;
  impl_->core->closing.store(true);
  impl_->writer->stop();
  {
    std::lock_guard lock(impl_->pool_mu);
    for (MDB_txn* txn : impl_->pool) mdb_txn_abort(txn);
    impl_->pool.clear();
  }
  if (impl_->core->live_readers.load() != 0) {
    // A reader still holds a transaction of this environment: closing it now would free
    // memory that transaction uses. Leak it instead (and keep the path claimed: the
    // environment is still open); the reader can still be destroyed.
    (void)impl_->env.release();
    return;
  }
  impl_->env.reset();
  release_path(impl_->canonical_path);
}

const open_report& store::report() const {
  return impl_->report;
}
const store_settings& store::settings() const {
  return impl_->core->settings;
}

lookup_status store::do_lookup(std::string_view key, cached_object& out, bool count) {
  if (impl_->closed.load(std::memory_order_relaxed)) return lookup_status::error;
  MDB_txn* txn = impl_->acquire_txn();
  if (!txn) return lookup_status::error;
  const lookup_status st = impl_->lookup_in(txn, key, out, count);
  impl_->release_txn(txn);
  return st;
}

fill store::do_begin_fill(std::string_view key, std::string_view url, const fill_options& options) {
  detail::core& c = *impl_->core;
  if (impl_->closed || c.closing.load()) return fill::refused(fill_error::closed);
  if (options.expected_length && *options.expected_length > c.settings.max_object_size)
    return fill::refused(fill_error::too_large);
  const std::uint64_t id = c.next_seq.fetch_add(1);
  const std::uint64_t from = c.settings.file_bodies_from;
  const bool in_file = from > 0 && options.expected_length.value_or(from) >= from;
  auto state =
      std::make_shared<detail::fill_state>(id, c.hash(key), c.hash(url), std::string(key),
                                           std::string(url), c.settings.chunk_size, in_file);
  std::shared_ptr<fill_progress> progress = state->published;
  const object_ref ref{state->hash, id,
                       options.expected_length.value_or(object_ref::unknown_length),
                       state->chunk_size, in_file};
  return fill(detail::make_store_fill_sink(impl_->core, std::move(state)), std::move(progress), ref,
              c.settings.max_object_size);
}

void store::do_update(std::string_view key, const object_ref& ref, object_meta meta,
                      update_callback done) {
  detail::core& c = *impl_->core;
  detail::update_op op{c.hash(key), std::string(key), ref.id, std::move(meta), std::move(done)};
  auto cb = op.done;
  if (!c.queue.push(std::move(op), 0, true) && cb) cb(update_status::error);
}

void store::touch(const object_ref& ref) {
  impl_->core->queue.touch(ref.hash);
}

namespace {
void push_purge(detail::core& c, detail::purge_op::scope what, std::string_view text,
                purge_callback done, url_tidy tidy = {}) {
  detail::purge_op op{what,
                      what == detail::purge_op::scope::all ? key_hash{} : c.hash(text),
                      std::string(text),
                      std::move(tidy),
                      c.next_seq.fetch_add(1),
                      std::move(done)};
  auto cb = op.done;
  if (!c.queue.push(std::move(op), 0, true) && cb) cb(0);
}
}  // namespace

void store::do_purge(std::string_view key, purge_callback done) {
  push_purge(*impl_->core, detail::purge_op::scope::key, key, std::move(done));
}
void store::do_purge_url(std::string_view url, purge_callback done) {
  push_purge(*impl_->core, detail::purge_op::scope::url, url, std::move(done));
}
void store::do_purge_all(purge_callback done) {
  push_purge(*impl_->core, detail::purge_op::scope::all, {}, std::move(done));
}
void store::do_tidy_url(std::string_view url, url_tidy what, purge_callback done) {
  push_purge(*impl_->core, detail::purge_op::scope::url_tidy, url, std::move(done),
             std::move(what));
}

void store::do_flush() {
  auto p = std::make_shared<std::promise<void>>();
  auto f = p->get_future();
  if (!impl_->core->queue.push(detail::barrier_op{[p] { p->set_value(); }}, 0, true)) return;
  f.get();
}

void store::do_for_each(const std::function<void(const cached_object&)>& visit) {
  if (impl_->closed) return;
  std::string after;  // raw key of the last record seen
  std::vector<cached_object> page;
  for (;;) {
    page.clear();
    MDB_txn* txn = impl_->acquire_txn();
    if (!txn) return;
    MDB_cursor* cur = nullptr;
    int rc = mdb_cursor_open(txn, impl_->env->meta, &cur);
    MDB_val k{after.size(), after.data()}, v;
    if (rc == 0) rc = mdb_cursor_get(cur, &k, &v, after.empty() ? MDB_FIRST : MDB_SET_RANGE);
    if (rc == 0 && !after.empty() && k.mv_size == after.size() &&
        std::memcmp(k.mv_data, after.data(), after.size()) == 0)
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    while (rc == 0 && page.size() < 64) {
      cached_object obj;
      if (k.mv_size == 16 && decode_record(detail::as_bytes(v), obj) == decode_status::ok) {
        obj.ref.hash = detail::hash_from_val(k);
        page.push_back(std::move(obj));
      }
      after.assign(static_cast<const char*>(k.mv_data), k.mv_size);
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (cur) mdb_cursor_close(cur);
    impl_->release_txn(txn);
    for (const cached_object& o : page) visit(o);
    if (rc != 0) return;
  }
}

store_stats store::do_stats() const {
  store_stats s = impl_->core->stats.snapshot();
  s.writer_queue_bytes = impl_->core->queue.bytes();
  return s;
}

storage_info store::do_storage() const {
  storage_info info;
  if (!impl_->env) return info;
  MDB_envinfo ei;
  MDB_stat st;
  mdb_env_info(impl_->env->env, &ei);
  mdb_env_stat(impl_->env->env, &st);
  info.map_size = ei.me_mapsize;
  info.page_size = st.ms_psize;
  info.file_bytes = (ei.me_last_pgno + 1) * std::uint64_t{st.ms_psize};
  info.readers_used = ei.me_numreaders;
  info.max_readers = ei.me_maxreaders;
  return info;
}

std::unique_ptr<read_source> store::do_open_reader() {
  return impl_->open_reader();
}

}  // namespace rangecache::cache
