// The memory store's lookups, updates, purges, eviction and counters.
#include "memory_core.hpp"

#include <algorithm>
#include <chrono>

#include "core.hpp"

namespace rangecache::cache::detail {

// What an object's record takes besides its bytes: the copied strings and headers, plus a
// rough allowance for the map, index and policy nodes that track it.
std::uint64_t memory_core::record_charge(const cached_object& o) {
  std::uint64_t n =
      256 + o.key.size() + o.url.size() + o.meta.etag.size() + o.meta.last_modified.size();
  for (const header_field& h : o.meta.headers)
    n += sizeof(header_field) + h.name.size() + h.value.size();
  return n;
}

std::chrono::sys_seconds memory_core::now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

memory_core::memory_core(const store_settings& s)
    : settings_(normalize(s)),
      policy_(make_policy(settings_.policy, static_cast<std::uint64_t>(settings_.low_watermark *
                                                                       settings_.max_size))) {}

key_hash memory_core::hash(std::string_view s) const {
  return settings_.hasher ? settings_.hasher(s) : hash_key(s);
}

bool memory_core::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

lookup_status memory_core::lookup(std::string_view key, cached_object& out, bool count) {
  const key_hash h = hash(key);
  std::lock_guard lock(mu_);
  if (closed_) return lookup_status::error;
  const auto it = objects_.find(h);
  // Keyed by hash like the LMDB store: another key with the same hash is a miss.
  const bool collision = it != objects_.end() && it->second.obj.key != key;
  if (it == objects_.end() || collision) {
    if (count) {
      ++stats_.misses;
      if (collision) ++stats_.collisions;
    }
    return lookup_status::miss;
  }
  cached_object& stored = it->second.obj;
  out = stored;
  if (count) {
    ++stats_.hits;
    policy_->access(h);
    // Like the LMDB store, the record's access time moves at most once per touch_interval.
    const auto t = now();
    if (t - stored.last_access >= settings_.touch_interval) stored.last_access = t;
  }
  return lookup_status::hit;
}

update_status memory_core::update(std::string_view key, const object_ref& ref, object_meta meta) {
  const key_hash h = hash(key);
  std::lock_guard lock(mu_);
  if (closed_) return update_status::error;
  const auto it = objects_.find(h);
  if (it == objects_.end()) return update_status::gone;
  entry& e = it->second;
  if (e.obj.key != key || e.obj.ref.id != ref.id || e.obj.ref.length != meta.content_length)
    return update_status::gone;
  const std::uint64_t before = record_charge(e.obj);
  e.obj.meta = std::move(meta);
  const std::uint64_t after = record_charge(e.obj);
  e.charge = e.charge - before + after;
  committed_ = committed_ - before + after;
  policy_->insert(h, e.charge);
  policy_->access(h);  // a revalidated object is in use
  return update_status::updated;
}

// Past the high watermark, objects go in policy order until the low one is reached, so fills
// rarely pay for eviction: the LMDB store's rule. Fills in progress are never evicted.
void memory_core::make_room(std::uint64_t incoming) {
  const auto high = static_cast<std::uint64_t>(settings_.high_watermark * settings_.max_size);
  const auto low = static_cast<std::uint64_t>(settings_.low_watermark * settings_.max_size);
  if (charged() + incoming <= high) return;
  const std::uint64_t target = low > incoming ? low - incoming : 0;
  while (charged() > target) {
    const auto victim = policy_->evict();
    if (!victim) break;
    const auto it = objects_.find(*victim);
    if (it == objects_.end()) continue;
    ++stats_.evictions;
    stats_.evicted_bytes += it->second.obj.ref.length;
    remove(it);
  }
}

// Readers that hold the body (in the middle of a visit) keep it until they return; every
// later read of the id answers `gone`.
void memory_core::drop_body(std::uint64_t id) {
  const auto it = bodies_.find(id);
  if (it == bodies_.end()) return;
  stats_.reclaimed_chunks += it->second->chunks.size();
  bodies_.erase(it);
}

void memory_core::remove(object_map::iterator it) {
  const cached_object& o = it->second.obj;
  committed_ -= it->second.charge;
  content_bytes_ -= o.ref.length;
  drop_body(o.ref.id);
  if (const auto u = urls_.find(o.url); u != urls_.end()) {
    u->second.erase(it->first);
    if (u->second.empty()) urls_.erase(u);
  }
  policy_->erase(it->first);
  objects_.erase(it);
}

// Remembers that fills of `h` begun before `seq` must not commit. As in the LMDB store, the
// table stays small by turning into a barrier for every older fill when it grows.
void memory_core::note_purge(const key_hash& h, std::uint64_t seq) {
  if (purged_at_.size() >= 4096) {
    for (const auto& [_, s] : purged_at_) commit_barrier_ = std::max(commit_barrier_, s);
    purged_at_.clear();
  }
  auto& at = purged_at_[h];
  at = std::max(at, seq);
}

bool memory_core::purged_since(const memory_fill& f) const {
  if (f.id < commit_barrier_) return true;
  for (const key_hash& h : {f.hash, f.url_hash}) {
    const auto it = purged_at_.find(h);
    if (it != purged_at_.end() && it->second > f.id) return true;
  }
  return false;
}

std::uint64_t memory_core::purge(std::string_view key) {
  const key_hash h = hash(key);
  std::lock_guard lock(mu_);
  if (closed_) return 0;
  note_purge(h, next_seq_++);
  const auto it = objects_.find(h);
  if (it == objects_.end() || it->second.obj.key != key) return 0;
  remove(it);
  ++stats_.purged_objects;
  return 1;
}

// Removes the objects of `url` that `pick` chooses. Collected first: removing edits the index.
std::uint64_t memory_core::remove_url_members(
    std::string_view url, const std::function<bool(const cached_object&)>& pick) {
  const auto u = urls_.find(std::string(url));
  if (u == urls_.end()) return 0;
  const std::vector<key_hash> members(u->second.begin(), u->second.end());
  std::uint64_t removed = 0;
  for (const key_hash& h : members) {
    const auto it = objects_.find(h);
    if (it == objects_.end() || it->second.obj.url != url || !pick(it->second.obj)) continue;
    remove(it);
    ++removed;
  }
  stats_.purged_objects += removed;
  return removed;
}

std::uint64_t memory_core::purge_url(std::string_view url) {
  const key_hash h = hash(url);
  std::lock_guard lock(mu_);
  if (closed_) return 0;
  // Fills of the URL running now must not resurrect it.
  note_purge(h, next_seq_++);
  return remove_url_members(url, [](const cached_object&) { return true; });
}

std::uint64_t memory_core::tidy_url(std::string_view url, const url_tidy& what) {
  std::lock_guard lock(mu_);
  if (closed_) return 0;
  std::vector<variant_stamp> stamps;
  if (const auto u = urls_.find(std::string(url)); u != urls_.end()) {
    for (const key_hash& h : u->second)
      if (const auto it = objects_.find(h); it != objects_.end() && it->second.obj.url == url)
        stamps.push_back({it->second.obj.meta.variant, it->second.obj.meta.stored_at});
  }
  // Fills in progress are left be: this tidies up after something was stored.
  const tidy_filter filter(what, stamps);
  return remove_url_members(url, [&](const cached_object& o) { return filter.picks(o.meta); });
}

std::uint64_t memory_core::purge_all() {
  std::lock_guard lock(mu_);
  if (closed_) return 0;
  // Fills begun before now fail at their next chunk or commit, and drop their bytes then.
  commit_barrier_ = std::max(commit_barrier_, next_seq_++);
  purged_at_.clear();
  const std::uint64_t removed = objects_.size();
  for (const auto& [_, e] : objects_) drop_body(e.obj.ref.id);
  objects_.clear();
  urls_.clear();
  policy_->clear();
  committed_ = 0;
  content_bytes_ = 0;
  stats_.purged_objects += removed;
  return removed;
}

// A page at a time under the lock, visited without it, so `visit` may call the store.
void memory_core::for_each(const std::function<void(const cached_object&)>& visit) {
  std::optional<key_hash> after;
  std::vector<cached_object> page;
  for (;;) {
    page.clear();
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      auto it = after ? objects_.upper_bound(*after) : objects_.begin();
      for (; it != objects_.end() && page.size() < 64; ++it) page.push_back(it->second.obj);
    }
    if (page.empty()) return;
    after = page.back().ref.hash;
    for (const cached_object& o : page) visit(o);
  }
}

store_stats memory_core::stats() const {
  std::lock_guard lock(mu_);
  store_stats s = stats_;
  s.objects = objects_.size();
  s.bytes = content_bytes_;
  s.charged_bytes = charged();
  return s;
}

// No file and no map: only the readers mean something here.
storage_info memory_core::storage() const {
  storage_info info;
  info.readers_used = readers_.load(std::memory_order_relaxed);
  return info;
}

void memory_core::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  objects_.clear();
  bodies_.clear();
  urls_.clear();
  policy_->clear();
  purged_at_.clear();
  committed_ = inflight_ = content_bytes_ = 0;
}

}  // namespace rangecache::cache::detail
