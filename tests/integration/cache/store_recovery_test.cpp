// Start-up recovery against files altered behind the store's back (with LMDB directly):
// another schema version, a record of another format version, chunks nobody owns.
#include <gtest/gtest.h>
#include <lmdb.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "store_fixture.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;

// Opens the store's environment raw, runs f(txn, dbi-opener) in one write transaction.
template <class F>
void with_raw_env(const std::string& path, F&& f) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  mdb_env_set_maxdbs(env, 8);
  mdb_env_set_mapsize(env, 64 << 20);
  ASSERT_EQ(mdb_env_open(env, path.c_str(), 0, 0640), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  auto dbi = [&](const char* name) {
    MDB_dbi d = 0;
    EXPECT_EQ(mdb_dbi_open(txn, name, 0, &d), 0) << name;
    return d;
  };
  f(txn, dbi);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

class StoreRecovery : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_ = settings_for(dir_, 64ull << 20);
    auto s = store::open(settings_);
    ASSERT_TRUE(put(*s, "http://r/a", "http://r/a", 3 * cs + 1).ok());
    ASSERT_TRUE(put(*s, "http://r/b", "http://r/b", 100).ok());
  }
  temp_dir dir_;
  store_settings settings_;
};

TEST_F(StoreRecovery, OtherSchemaVersionIsMovedAside) {
  with_raw_env(settings_.path, [](MDB_txn* txn, auto dbi) {
    const MDB_dbi sys = dbi("sys");
    std::uint32_t v = 999;
    MDB_val k{6, const_cast<char*>("schema")}, val{sizeof v, &v};
    ASSERT_EQ(mdb_put(txn, sys, &k, &val, 0), 0);
  });
  auto s = store::open(settings_);
  EXPECT_TRUE(s->report().moved_aside);
  EXPECT_NE(s->report().reason.find("schema version 999"), std::string::npos) << s->report().reason;
  EXPECT_FALSE(s->lookup("http://r/a").has_value());
  EXPECT_TRUE(put(*s, "http://r/a", "http://r/a", 10).ok());
}

TEST_F(StoreRecovery, RecordOfAnotherFormatIsDroppedAndItsChunksSwept) {
  with_raw_env(settings_.path, [](MDB_txn* txn, auto dbi) {
    const MDB_dbi meta = dbi("meta");
    MDB_cursor* cur = nullptr;
    ASSERT_EQ(mdb_cursor_open(txn, meta, &cur), 0);
    MDB_val k, v;
    // Rewrite every multi-chunk record with another format version.
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      std::string rec(static_cast<const char*>(v.mv_data), v.mv_size);
      cached_object o;
      ASSERT_EQ(decode_record(std::as_bytes(std::span(rec.data(), rec.size())), o),
                decode_status::ok);
      if (o.ref.length < cs) continue;
      rec[0] = static_cast<char>(record_format_version + 1);
      MDB_val nv{rec.size(), rec.data()};
      ASSERT_EQ(mdb_cursor_put(cur, &k, &nv, MDB_CURRENT), 0);
    }
    mdb_cursor_close(cur);
  });
  auto s = store::open(settings_);
  EXPECT_FALSE(s->report().moved_aside);
  EXPECT_EQ(s->report().records_dropped, 1u);
  EXPECT_EQ(s->report().orphan_objects_swept, 1u);  // the dropped record's chunks
  EXPECT_EQ(s->report().objects, 1u);
  EXPECT_FALSE(s->lookup("http://r/a").has_value());
  reader rd(*s);
  EXPECT_TRUE(verify(rd, *s->lookup("http://r/b")));
}

TEST_F(StoreRecovery, ChunksNobodyOwnsAreSwept) {
  with_raw_env(settings_.path, [](MDB_txn* txn, auto dbi) {
    const MDB_dbi chunks = dbi("chunks");
    // Chunks of an object id no record and no gc entry names (as a bug might leave).
    for (std::uint32_t i = 0; i < 3; ++i) {
      unsigned char key[12] = {0,    0,    0, 0, 0, 0,
                               0x7f, 0xff, 0, 0, 0, static_cast<unsigned char>(i)};
      std::string body(1000, 'o');
      MDB_val k{sizeof key, key}, v{body.size(), body.data()};
      ASSERT_EQ(mdb_put(txn, chunks, &k, &v, 0), 0);
    }
  });
  auto s = store::open(settings_);
  EXPECT_EQ(s->report().orphan_objects_swept, 1u);
  EXPECT_EQ(s->report().objects, 2u);
  // Ids after the orphan's are never handed out again: the next object gets a larger one.
  const commit_result r = put(*s, "http://r/c", "http://r/c", 10);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r.ref.id, 0x7fffu);
  s.reset();
  auto again = store::open(settings_);
  EXPECT_EQ(again->report().orphan_objects_swept, 0u);
}

// Body files: one that no record names (a fill a crash cut short) goes, a record whose file
// is missing or short goes, and the files that match their records stay and read back.
TEST(StoreRecoveryFiles, FilesAndRecordsAreMadeToMatch) {
  temp_dir dir;
  store_settings set = settings_for(dir, 64ull << 20);
  set.file_bodies_from = 2 * cs;
  std::uint64_t short_id = 0, missing_id = 0;
  {
    auto s = store::open(set);
    ASSERT_TRUE(put(*s, "http://r/kept", "http://r/kept", 3 * cs + 1).ok());
    const commit_result shortened = put(*s, "http://r/short", "http://r/short", 2 * cs);
    const commit_result missing = put(*s, "http://r/missing", "http://r/missing", 5 * cs);
    ASSERT_TRUE(shortened.ok() && missing.ok());
    ASSERT_TRUE(put(*s, "http://r/small", "http://r/small", 100).ok());  // in LMDB
    EXPECT_TRUE(shortened.ref.in_file && missing.ref.in_file);
    short_id = shortened.ref.id;
    missing_id = missing.ref.id;
  }
  const std::string bodies = set.path + "/bodies/";
  char name[17];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(missing_id));
  std::filesystem::remove(bodies + name);
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(short_id));
  std::filesystem::resize_file(bodies + name, cs);
  std::ofstream(bodies + "00000000deadbeef") << "left by a fill a crash cut short";
  std::ofstream(bodies + "not-ours") << "x";

  auto s = store::open(set);
  EXPECT_EQ(s->report().records_dropped, 2u);
  EXPECT_EQ(s->report().orphan_files_swept, 3u);  // the short file, and the two strays
  EXPECT_FALSE(s->lookup("http://r/short").has_value());
  EXPECT_FALSE(s->lookup("http://r/missing").has_value());
  reader rd(*s);
  for (const char* key : {"http://r/kept", "http://r/small"}) {
    const auto o = s->lookup(key);
    ASSERT_TRUE(o.has_value()) << key;
    EXPECT_TRUE(verify(rd, *o)) << key;
  }
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(bodies)) ++files;
  EXPECT_EQ(files, 1u);
  // Ids past the stray's are never handed out again.
  const commit_result next = put(*s, "http://r/next", "http://r/next", 10);
  ASSERT_TRUE(next.ok());
  EXPECT_GT(next.ref.id, 0xdeadbeefu);
}

}  // namespace
}  // namespace rc_store_test
