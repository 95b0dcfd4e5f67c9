// The store conformance suite: the same behaviour tests, run against every object_store
// backend (TEST_P(StoreConformance, ...) in store_conformance_*_test.cpp; instantiated once,
// for each backend, in store_conformance_test.cpp). What only one backend does (LMDB's
// restarts, file format, reader slots, writer queue) is tested in that backend's files.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

#include "rangecache/cache/memory_store.hpp"
#include "store_fixture.hpp"

namespace rc_store_test {

enum class backend { lmdb, memory };

inline std::string backend_name(const ::testing::TestParamInfo<backend>& info) {
  return info.param == backend::lmdb ? "lmdb" : "memory";
}

// For gtest's messages ("where GetParam() = memory").
inline void PrintTo(backend b, std::ostream* os) {
  *os << (b == backend::lmdb ? "lmdb" : "memory");
}

class StoreConformance : public ::testing::TestWithParam<backend> {
 protected:
  void SetUp() override { open(settings_for(dir_, 512ull << 20)); }

  // A new, empty store of the backend under test with these settings.
  void open(const store_settings& s) {
    settings_ = s;
    store_.reset();
    store_ = GetParam() == backend::lmdb ? std::unique_ptr<object_store>(store::open(settings_))
                                         : make_memory_store(settings_);
  }

  // Everything asked so far is applied, and dead chunks are reclaimed: the LMDB writer does
  // that in the round after the batch that killed them. Nothing to wait for in memory.
  void settle() {
    store_->flush();
    store_->flush();
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
