// The backend's side of a cache::fill. The fill handle does what every backend needs alike:
// it stages the caller's bytes into chunks of progress_ref().chunk_size, enforces the size
// limit, checks the length at commit and remembers the first error. The sink stores whole
// chunks and makes the object visible. Callers never see it; a backend's begin_fill builds
// one and hands it to fill's constructor.
//
// One thread calls a sink at a time (the fill's owner). The handle ends every sink it was
// given with exactly one commit() that returned none, or one abort().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "rangecache/cache/fill.hpp"
#include "rangecache/cache/object.hpp"

namespace rangecache::cache {

class fill_sink {
 public:
  fill_sink() = default;
  fill_sink(const fill_sink&) = delete;
  fill_sink& operator=(const fill_sink&) = delete;
  virtual ~fill_sink() = default;

  // Why the backend gave up on the fill on its own since (a purge, no space), or none.
  // Polled by every append: keep it cheap.
  virtual fill_error failure() const = 0;

  // Takes the next chunk: chunk_size bytes, fewer only for the last one. The buffer is
  // chunk_size bytes long whatever `size` says, and the sink may keep it. none, or why the
  // chunk was refused (the handle then calls abort with that reason).
  virtual fill_error put_chunk(std::unique_ptr<std::byte[]> data, std::uint32_t size) = 0;

  // After the last chunk, with meta.content_length equal to the bytes put. none: `done` will
  // be called exactly once, with the committed ref or with why the commit was refused (a
  // purge, no space), from another thread or before commit returns. Anything else: `done` is
  // not called and the handle calls abort with that reason.
  virtual fill_error commit(object_meta meta, commit_callback done) = 0;

  // Nothing becomes visible; the chunks put so far are dropped and readers following the
  // fill see it fail. `why` is fill_error::aborted when the caller gave up, else what failed
  // the fill.
  virtual void abort(fill_error why) = 0;
};

}  // namespace rangecache::cache
