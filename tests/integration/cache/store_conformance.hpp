// The store conformance suite: the same behaviour tests, run against every object_store
// backend (TEST_P(StoreConformance, ...) in store_conformance_*_test.cpp; instantiated once,
// for each backend, in store_conformance_test.cpp). What only one backend does (LMDB's
// restarts, file format, reader slots, writer queue) is tested in that backend's files.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "rangecache/cache/memory_store.hpp"
#include "store_fixture.hpp"

namespace rc_store_test {

// lmdb_files: the LMDB store with every body in a file of its own (cache.zero_copy: on).
enum class backend { lmdb, lmdb_files, memory };

inline const char* backend_text(backend b) {
  return b == backend::lmdb ? "lmdb" : b == backend::lmdb_files ? "lmdb_files" : "memory";
}

inline std::string backend_name(const ::testing::TestParamInfo<backend>& info) {
  return backend_text(info.param);
}

// For gtest's messages ("where GetParam() = memory").
inline void PrintTo(backend b, std::ostream* os) {
  *os << backend_text(b);
}

class StoreConformance : public ::testing::TestWithParam<backend> {
 protected:
  void SetUp() override { open(settings_for(dir_, 512ull << 20)); }

  // A new, empty store of the backend under test with these settings.
  void open(const store_settings& s) {
    settings_ = s;
    if (GetParam() == backend::lmdb_files) settings_.file_bodies_from = 1;
    store_.reset();
    store_ = GetParam() == backend::memory ? make_memory_store(settings_)
                                           : std::unique_ptr<object_store>(store::open(settings_));
  }

  // Everything asked so far is applied, and dead chunks are reclaimed: the LMDB writer does
  // that in the round after the batch that killed them. Nothing to wait for in memory.
  void settle() {
    store_->flush();
    store_->flush();
  }

  // Files in the LMDB store's body directory (none for the other backends).
  std::size_t count_body_files() const {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = std::filesystem::directory_iterator(settings_.path + "/bodies", ec);
         !ec && it != std::filesystem::directory_iterator(); ++it)
      ++n;
    return n;
  }

  std::size_t count_objects() {
    std::size_t n = 0;
    store_->for_each([&](const cached_object&) { ++n; });
    return n;
  }

  temp_dir dir_;
  store_settings settings_;
  std::unique_ptr<object_store> store_;
};

}  // namespace rc_store_test
