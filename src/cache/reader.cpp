// The reader handle: forwards to its backend's read source, one virtual call per lookup and
// per batch.
#include "rangecache/cache/reader.hpp"

#include <unistd.h>

#include <cstring>

#include "rangecache/cache/object_store.hpp"
#include "rangecache/cache/read_source.hpp"

namespace rangecache::cache {

reader::reader(object_store& s) : source_(s.open_reader()) {}
reader::reader(reader&&) noexcept = default;
reader& reader::operator=(reader&&) noexcept = default;
reader::~reader() = default;

lookup_status reader::lookup(std::string_view key, cached_object& out) {
  if (!source_) return lookup_status::error;
  return source_->lookup(key, out);
}

read_result reader::read(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
                         slice_visitor visit) {
  if (!source_) return {read_status::error, 0};
  return source_->read(obj, offset, len, visit);
}

body_file::body_file(int fd) {
  if (fd >= 0) open_ = std::make_shared<const descriptor>(fd);
}

body_file::descriptor::~descriptor() {
  ::close(fd);
}

body_file reader::open_body(const object_ref& obj) {
  if (!source_ || !obj.in_file) return body_file{};
  return source_->open_body(obj);
}

std::shared_ptr<const body_mapping> reader::map_body(const object_ref& obj) {
  if (!source_ || !obj.in_file) return nullptr;
  return source_->map_body(obj);
}

read_result reader::read_copy(const object_ref& obj, std::uint64_t offset,
                              std::span<std::byte> out) {
  std::uint64_t done = 0;
  while (done < out.size()) {
    std::byte* dst = out.data() + done;
    const read_result r =
        read(obj, offset + done, out.size() - done, [dst](std::span<const mapped_slice> s) {
          std::size_t n = 0;
          for (const mapped_slice& m : s) {
            std::memcpy(dst + n, m.data, m.size);
            n += m.size;
          }
          return n;
        });
    if (r.status != read_status::ok) return {r.status, done};
    if (r.bytes == 0) break;
    done += r.bytes;
  }
  return {read_status::ok, done};
}

}  // namespace rangecache::cache
