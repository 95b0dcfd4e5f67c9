// The backend's side of a cache::reader: what one reader's lookups and reads go to. Each
// backend has its own (the LMDB one owns a read transaction); callers only ever see
// cache::reader, which forwards to it. One thread uses a source at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "rangecache/cache/object.hpp"
#include "rangecache/cache/reader.hpp"

namespace rangecache::cache {

class read_source {
 public:
  read_source() = default;
  read_source(const read_source&) = delete;
  read_source& operator=(const read_source&) = delete;
  virtual ~read_source() = default;

  // As reader::lookup and reader::read say.
  virtual lookup_status lookup(std::string_view key, cached_object& out) = 0;
  virtual read_result read(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
                           slice_visitor visit) = 0;
  // As reader::open_body says. Backends without body files have none.
  virtual body_file open_body(const object_ref&) { return {}; }
  virtual std::shared_ptr<const body_mapping> map_body(const object_ref&) { return nullptr; }
};

}  // namespace rangecache::cache
