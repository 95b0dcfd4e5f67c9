// The LMDB store's bodies in files, opened (reader::open_body) and mapped whole
// (reader::map_body) by a reader and kept across calls: the bytes are the object's, a kept
// descriptor or mapping is reused, one whose file the store removed is dropped at the
// reader's next call (so no deleted file stays open), and one still held keeps reading the
// one version it was made for.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>

#include "store_fixture.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;

class StoreKeptBodies : public ::testing::Test {
 protected:
  void SetUp() override {
    store_settings set = settings_for(dir_, 64ull << 20);
    set.file_bodies_from = 2 * cs;
    store_ = store::open(set);
  }

  // Whether the mapping holds exactly the bytes `put` wrote for `key` at generation `gen`.
  static bool holds(const body_mapping& m, std::string_view key, std::uint64_t gen,
                    std::uint64_t len) {
    return m.size == len && first_difference(seed_of(key, gen), 0, {m.data, m.size}) == -1;
  }

  // Whether the descriptor reads exactly the bytes `put` wrote for `key` at generation `gen`.
  static bool holds(const body_file& f, std::string_view key, std::uint64_t gen,
                    std::uint64_t len) {
    std::vector<std::byte> got(len + 1);
    const ssize_t n = ::pread(f.fd(), got.data(), got.size(), 0);
    return n == static_cast<ssize_t>(len) &&
           first_difference(seed_of(key, gen), 0, {got.data(), len}) == -1;
  }

  struct open_files {
    std::size_t open = 0;
    std::size_t deleted = 0;  // of those, files the store unlinked
  };
  // This process's descriptors of body files, from /proc/self/fd.
  open_files body_descriptors() const {
    open_files out;
    const std::string bodies = dir_.store_path() + "/bodies/";
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::array<char, 4096> target{};
      const ssize_t n = ::readlink(e.path().c_str(), target.data(), target.size() - 1);
      if (n <= 0) continue;
      const std::string_view t(target.data(), static_cast<std::size_t>(n));
      if (!t.starts_with(bodies)) continue;
      ++out.open;
      if (t.ends_with(" (deleted)")) ++out.deleted;
    }
    return out;
  }

  void settle() {
    store_->flush();
    store_->flush();
  }

  // Stores `len` bytes under `key` (at generation `gen`) as a body file.
  commit_result put_in_file(const std::string& key, std::uint64_t len, std::uint64_t gen = 0) {
    const commit_result r = put(*store_, key, key, len, gen);
    EXPECT_TRUE(r.ok()) << key;
    EXPECT_TRUE(r.ref.in_file) << key;
    return r;
  }

  temp_dir dir_;
  std::unique_ptr<store> store_;
};

TEST_F(StoreKeptBodies, AMappingIsTheBodyAndIsKept) {
  const std::string key = "http://m/a";
  const commit_result r = put_in_file(key, 3 * cs + 17);
  reader rd(*store_);
  const auto first = rd.map_body(r.ref);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(holds(*first, key, 0, 3 * cs + 17));
  EXPECT_EQ(rd.map_body(r.ref).get(), first.get());  // kept, not mapped again

  const commit_result small = put(*store_, "http://m/small", "http://m/small", cs);
  ASSERT_TRUE(small.ok());
  EXPECT_FALSE(small.ref.in_file);
  EXPECT_EQ(rd.map_body(small.ref), nullptr);  // in LMDB: nothing to map
}

TEST_F(StoreKeptBodies, APurgedBodyIsDroppedButAHeldMappingReadsOn) {
  const std::string key = "http://m/p";
  const commit_result r = put(*store_, key, key, 4 * cs);
  ASSERT_TRUE(r.ok());
  reader rd(*store_);
  const auto held = rd.map_body(r.ref);
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(store_->purge_wait(key), 1u);
  settle();  // the file is unlinked once its chunks' turn comes
  EXPECT_EQ(rd.map_body(r.ref), nullptr);
  EXPECT_TRUE(holds(*held, key, 0, 4 * cs));
}

TEST_F(StoreKeptBodies, AReplacedBodyMapsTheNewVersionAndTheOldOneStaysWhole) {
  const std::string key = "http://m/r";
  const commit_result v1 = put(*store_, key, key, 3 * cs, 1);
  ASSERT_TRUE(v1.ok());
  reader rd(*store_);
  const auto old_map = rd.map_body(v1.ref);
  ASSERT_NE(old_map, nullptr);
  const commit_result v2 = put(*store_, key, key, 5 * cs, 2);
  ASSERT_TRUE(v2.ok());
  settle();
  const auto new_map = rd.map_body(v2.ref);
  ASSERT_NE(new_map, nullptr);
  EXPECT_TRUE(holds(*new_map, key, 2, 5 * cs));
  EXPECT_TRUE(holds(*old_map, key, 1, 3 * cs));
  EXPECT_EQ(rd.map_body(v1.ref), nullptr);  // v1's file is gone; its mapping was dropped
}

TEST_F(StoreKeptBodies, AFileIsOpenedOnceAndReadsTheBody) {
  const std::string key = "http://m/o";
  const commit_result r = put_in_file(key, 3 * cs + 5);
  reader rd(*store_);
  const body_file first = rd.open_body(r.ref);
  ASSERT_TRUE(first);
  EXPECT_TRUE(holds(first, key, 0, 3 * cs + 5));
  EXPECT_EQ(rd.open_body(r.ref).fd(), first.fd());  // kept, not opened again
  EXPECT_EQ(body_descriptors().open, 1u);
  ASSERT_NE(rd.map_body(r.ref), nullptr);  // mapped from the kept descriptor
  EXPECT_EQ(body_descriptors().open, 1u);
}

TEST_F(StoreKeptBodies, APurgedFileIsClosedButAHeldDescriptorReadsOn) {
  const std::string key = "http://m/q";
  const commit_result r = put(*store_, key, key, 4 * cs);
  ASSERT_TRUE(r.ok());
  reader rd(*store_);
  body_file held = rd.open_body(r.ref);
  ASSERT_TRUE(held);
  EXPECT_EQ(store_->purge_wait(key), 1u);
  settle();
  EXPECT_FALSE(rd.open_body(r.ref));         // gone for new answers...
  EXPECT_TRUE(holds(held, key, 0, 4 * cs));  // ...while the answer holding it reads on
  EXPECT_EQ(body_descriptors().deleted, 1u);
  held = body_file{};
  EXPECT_EQ(body_descriptors().open, 0u);  // the reader let go of it at its last call
}

TEST_F(StoreKeptBodies, KeptFilesAreBounded) {
  reader rd(*store_);
  for (int i = 0; i < 100; ++i) {
    const std::string key = "http://m/b" + std::to_string(i);
    const commit_result r = put(*store_, key, key, 2 * cs);
    ASSERT_TRUE(r.ok()) << i;
    const body_file f = rd.open_body(r.ref);
    ASSERT_TRUE(f) << i;
    ASSERT_TRUE(holds(f, key, 0, 2 * cs)) << i;
  }
  const open_files now = body_descriptors();
  EXPECT_GT(now.open, 0u);
  EXPECT_LE(now.open, 64u);
}

TEST_F(StoreKeptBodies, EvictedBodiesLeaveNoFileAndNoMapping) {
  reader rd(*store_);
  std::vector<commit_result> all;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "http://m/e" + std::to_string(i);
    all.push_back(put(*store_, key, key, 2ull << 20));
    ASSERT_TRUE(all.back().ok()) << i;
    ASSERT_NE(rd.map_body(all.back().ref), nullptr) << i;
  }
  settle();
  const store_stats st = store_->stats();
  EXPECT_GT(st.evictions, 0u);
  std::size_t mapped = 0;
  for (const auto& r : all) mapped += rd.map_body(r.ref) != nullptr ? 1 : 0;
  EXPECT_EQ(mapped, st.objects);              // exactly the objects still stored
  EXPECT_EQ(body_descriptors().deleted, 0u);  // no evicted file is held open
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator(dir_.store_path() + "/bodies"))
    ++files;
  EXPECT_EQ(files, st.objects);
}

}  // namespace
}  // namespace rc_store_test
