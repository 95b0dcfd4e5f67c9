// The LMDB store's bodies in files, mapped whole by a reader (reader::map_body) and kept
// across calls: the bytes are the object's, a kept mapping is reused, one whose file the
// store removed is dropped at the reader's next call, and a mapping still held keeps reading
// the one version it was made for.
#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;

class StoreBodyMaps : public ::testing::Test {
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

  void settle() {
    store_->flush();
    store_->flush();
  }

  temp_dir dir_;
  std::unique_ptr<store> store_;
};

TEST_F(StoreBodyMaps, AMappingIsTheBodyAndIsKept) {
  const std::string key = "http://m/a";
  const commit_result r = put(*store_, key, key, 3 * cs + 17);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.ref.in_file);
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

TEST_F(StoreBodyMaps, APurgedBodyIsDroppedButAHeldMappingReadsOn) {
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

TEST_F(StoreBodyMaps, AReplacedBodyMapsTheNewVersionAndTheOldOneStaysWhole) {
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

TEST_F(StoreBodyMaps, EvictedBodiesLeaveNoFileAndNoMapping) {
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
  EXPECT_EQ(mapped, st.objects);  // exactly the objects still stored
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator(dir_.store_path() + "/bodies"))
    ++files;
  EXPECT_EQ(files, st.objects);
}

}  // namespace
}  // namespace rc_store_test
