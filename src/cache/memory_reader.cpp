// Reading the memory store: the slices point into the object's chunks, which the read pins
// (one reference count, no allocation) so that a replacement or eviction during the visit
// frees them only after it. Every read after the object went answers `gone`.
#include <memory>

#include "memory_core.hpp"
#include "read_batch.hpp"

namespace rangecache::cache::detail {

namespace {

class memory_read_source final : public read_source {
 public:
  explicit memory_read_source(std::shared_ptr<memory_core> core) : core_(std::move(core)) {
    core_->reader_opened();
  }
  ~memory_read_source() override { core_->reader_closed(); }

  lookup_status lookup(std::string_view key, cached_object& out) override {
    return core_->lookup(key, out, true);
  }
  read_result read(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
                   slice_visitor visit) override {
    return core_->read(obj, offset, len, visit);
  }

 private:
  std::shared_ptr<memory_core> core_;
};

}  // namespace

std::unique_ptr<read_source> open_memory_reader(const std::shared_ptr<memory_core>& core) {
  if (core->closed()) return nullptr;
  return std::make_unique<memory_read_source>(core);
}

read_result memory_core::read(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
                              const slice_visitor& visit) {
  read_batch batch(obj, offset, len, settings_);
  if (batch.early()) return *batch.early();
  std::shared_ptr<const memory_body> pin;
  {
    std::lock_guard lock(mu_);
    if (closed_) return {read_status::error, 0};
    const auto it = bodies_.find(obj.id);
    if (it == bodies_.end()) {
      ++stats_.lost_mid_stream;
      return {read_status::gone, 0};
    }
    pin = it->second;
    const std::vector<memory_chunk>& chunks = pin->chunks;
    for (std::uint64_t i = 0; i < batch.chunk_count(); ++i) {
      const std::uint64_t want = batch.first_chunk() + i;
      // Past what a fill in progress has put, or not this object's shape: never offer it.
      if (want >= chunks.size() || !batch.fits(want, chunks[want].size)) {
        ++stats_.lost_mid_stream;
        return {read_status::gone, 0};
      }
      if (!batch.add(chunks[want].data.get(), chunks[want].size)) break;
    }
  }
  // Outside the lock: the visitor may take its time (a writev) or call the store.
  return batch.deliver(visit);
}

}  // namespace rangecache::cache::detail
