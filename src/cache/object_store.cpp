// The blocking helpers every backend shares: each starts the operation with a callback that
// fulfils a promise, then waits for it.
#include "rangecache/cache/object_store.hpp"

#include <future>
#include <memory>

#include "rangecache/cache/read_source.hpp"

namespace rangecache::cache {

namespace {
template <class F>
std::uint64_t wait_for(F&& start) {
  auto p = std::make_shared<std::promise<std::uint64_t>>();
  auto f = p->get_future();
  start([p](std::uint64_t n) { p->set_value(n); });
  return f.get();
}
}  // namespace

std::unique_ptr<read_source> object_store::open_reader() {
  return do_open_reader();
}

std::optional<cached_object> object_store::lookup(std::string_view key) {
  cached_object out;
  if (do_lookup(key, out, true) != lookup_status::hit) return std::nullopt;
  return out;
}

std::optional<cached_object> object_store::peek(std::string_view key) {
  cached_object out;
  if (do_lookup(key, out, false) != lookup_status::hit) return std::nullopt;
  return out;
}

update_status object_store::update_wait(std::string_view key, const object_ref& ref,
                                        object_meta meta) {
  auto p = std::make_shared<std::promise<update_status>>();
  auto f = p->get_future();
  update(key, ref, std::move(meta), [p](update_status s) { p->set_value(s); });
  return f.get();
}

std::uint64_t object_store::purge_wait(std::string_view key) {
  return wait_for([&](purge_callback cb) { purge(key, std::move(cb)); });
}
std::uint64_t object_store::purge_url_wait(std::string_view url) {
  return wait_for([&](purge_callback cb) { purge_url(url, std::move(cb)); });
}
std::uint64_t object_store::purge_all_wait() {
  return wait_for([&](purge_callback cb) { purge_all(std::move(cb)); });
}
std::uint64_t object_store::tidy_url_wait(std::string_view url, url_tidy what) {
  return wait_for([&](purge_callback cb) { tidy_url(url, std::move(what), std::move(cb)); });
}

}  // namespace rangecache::cache
