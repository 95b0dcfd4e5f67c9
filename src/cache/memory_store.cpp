// The memory store as an object_store: every operation is one call into memory_core.
#include "rangecache/cache/memory_store.hpp"

#include <memory>

#include "memory_core.hpp"

namespace rangecache::cache {

namespace {

class memory_store final : public object_store {
 public:
  explicit memory_store(const store_settings& settings)
      : core_(std::make_shared<detail::memory_core>(settings)) {}
  ~memory_store() override { core_->close(); }

 private:
  void do_close() override { core_->close(); }
  lookup_status do_lookup(std::string_view key, cached_object& out, bool count) override {
    return core_->lookup(key, out, count);
  }
  fill do_begin_fill(std::string_view key, std::string_view url,
                     const fill_options& options) override {
    return detail::begin_memory_fill(core_, key, url, options);
  }
  void do_update(std::string_view key, const object_ref& ref, object_meta meta,
                 update_callback done) override {
    const update_status s = core_->update(key, ref, std::move(meta));
    if (done) done(s);
  }
  void do_purge(std::string_view key, purge_callback done) override {
    report(core_->purge(key), done);
  }
  void do_purge_url(std::string_view url, purge_callback done) override {
    report(core_->purge_url(url), done);
  }
  void do_purge_all(purge_callback done) override { report(core_->purge_all(), done); }
  void do_tidy_url(std::string_view url, url_tidy what, purge_callback done) override {
    report(core_->tidy_url(url, what), done);
  }
  // Nothing is ever queued.
  void do_flush() override {}
  void do_for_each(const std::function<void(const cached_object&)>& visit) override {
    core_->for_each(visit);
  }
  store_stats do_stats() const override { return core_->stats(); }
  storage_info do_storage() const override { return core_->storage(); }
  std::unique_ptr<read_source> do_open_reader() override {
    return detail::open_memory_reader(core_);
  }

  static void report(std::uint64_t removed, const purge_callback& done) {
    if (done) done(removed);
  }

  std::shared_ptr<detail::memory_core> core_;
};

}  // namespace

std::unique_ptr<object_store> make_memory_store(const store_settings& settings) {
  return std::make_unique<memory_store>(settings);
}

}  // namespace rangecache::cache
