// What only the LMDB store does: restarts (what survives them, what is swept), the writer's
// queue and batches, a damaged or doubly opened directory. The behaviour every backend shares
// is in store_conformance_*_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "store_fixture.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;

class StoreBasic : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open(std::uint64_t max_size = 512ull << 20) {
    settings_ = settings_for(dir_, max_size);
    store_ = store::open(settings_);
  }
  void reopen() {
    store_.reset();
    store_ = store::open(settings_);
  }
  std::size_t count_objects() {
    std::size_t n = 0;
    store_->for_each([&](const cached_object&) { ++n; });
    return n;
  }

  temp_dir dir_;
  store_settings settings_;
  std::unique_ptr<store> store_;
};

TEST_F(StoreBasic, AbortedFillsLeaveNothingToSweepAtRestart) {
  {
    fill f = store_->begin_fill("http://h/a", "http://h/a");
    ASSERT_EQ(stream(f, 1, 10 * cs), fill_error::none);
    f.abort();
    fill g = store_->begin_fill("http://h/b", "http://h/b");
    ASSERT_EQ(stream(g, 1, 5 * cs), fill_error::none);
  }
  store_->flush();
  store_->flush();  // the reclaim step runs after the batch that carried the abort
  EXPECT_EQ(store_->stats().reclaimed_chunks, 15u);
  reopen();
  EXPECT_EQ(store_->report().dead_objects_swept + store_->report().orphan_objects_swept, 0u);
}

TEST_F(StoreBasic, UnfinishedFillIsGoneAfterRestart) {
  fill f = store_->begin_fill("http://h/late", "http://h/late");
  ASSERT_EQ(f.append(std::string_view("abc")), fill_error::none);
  store_->close();
  EXPECT_NE(f.commit_wait(meta_for(3)).error, fill_error::none);
  store_.reset();
  store_ = store::open(settings_);
  EXPECT_FALSE(store_->lookup("http://h/late").has_value());
}

TEST_F(StoreBasic, PurgesSurviveARestart) {
  const std::string url = "http://h/v.mp4";
  ASSERT_TRUE(put(*store_, url, url, 3 * cs).ok());
  ASSERT_TRUE(put(*store_, url + "-bytes=0-99", url, 100).ok());
  ASSERT_TRUE(put(*store_, "http://h/other", "http://h/other", 10).ok());
  EXPECT_EQ(store_->purge_url_wait(url), 2u);
  reopen();
  EXPECT_FALSE(store_->lookup(url).has_value());
  EXPECT_FALSE(store_->lookup(url + "-bytes=0-99").has_value());
  EXPECT_EQ(count_objects(), 1u);
  EXPECT_EQ(store_->purge_all_wait(), 1u);
  ASSERT_TRUE(put(*store_, url, url, cs + 1, 3).ok());
  reopen();
  const auto o = store_->lookup(url);
  ASSERT_TRUE(o.has_value());
  reader rd(*store_);
  EXPECT_TRUE(verify(rd, *o));
  EXPECT_EQ(count_objects(), 1u);
}

TEST_F(StoreBasic, WritesAreBatchedAndCharged) {
  ASSERT_TRUE(put(*store_, "http://h/s", "http://h/s", 100).ok());
  const store_stats st = store_->stats();
  EXPECT_GE(st.write_batches, 1u);
  EXPECT_GE(st.write_batch_ops, 2u);  // a chunk and a commit
  EXPECT_EQ(st.lmdb_errors, 0u);
  // A 100-byte chunk and its record take pages of the file.
  EXPECT_GT(st.charged_bytes, 100u + 64);
}

TEST_F(StoreBasic, RestartKeepsEveryCommittedObject) {
  std::set<std::string> keys;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "http://h/restart/" + std::to_string(i);
    ASSERT_TRUE(put(*store_, key, key, static_cast<std::uint64_t>(i) * 9973, i).ok());
    keys.insert(key);
  }
  // sync none with the interval flush, and never flushed but at the clean stop.
  const std::pair<sync_mode, std::chrono::milliseconds> modes[] = {
      {sync_mode::none, std::chrono::seconds(1)},
      {sync_mode::none, std::chrono::milliseconds(0)},
      {sync_mode::meta, std::chrono::seconds(1)},
      {sync_mode::full, std::chrono::seconds(1)}};
  for (const auto& [mode, interval] : modes) {
    settings_.sync = mode;
    settings_.sync_interval = interval;
    reopen();
    EXPECT_FALSE(store_->report().moved_aside);
    EXPECT_EQ(store_->report().objects, keys.size());
    reader rd(*store_);
    for (const auto& key : keys) {
      const auto o = store_->lookup(key);
      ASSERT_TRUE(o.has_value()) << key;
      EXPECT_TRUE(verify(rd, *o));
    }
  }
  EXPECT_EQ(store_->stats().objects, keys.size());
}

TEST_F(StoreBasic, FullQueueFailsTheFillInsteadOfBlocking) {
  store_.reset();
  settings_.queue_limit = 1;  // rounded up to one chunk
  store_ = store::open(settings_);
  bool saw_full = false;
  for (int i = 0; i < 50 && !saw_full; ++i) {
    const std::string key = "http://h/q" + std::to_string(i);
    fill f = store_->begin_fill(key, key);
    const fill_error e = stream(f, 1, 16 << 20, 1 << 20);
    if (e == fill_error::queue_full) {
      saw_full = true;
      EXPECT_FALSE(f.active());
      store_->flush();
      EXPECT_FALSE(store_->lookup(key).has_value());
    }
  }
  EXPECT_TRUE(saw_full);
  EXPECT_GE(store_->stats().failed_fills, 1u);
}

TEST_F(StoreBasic, DamagedStoreIsMovedAsideAndStartsEmpty) {
  ASSERT_TRUE(put(*store_, "http://h/d", "http://h/d", 100).ok());
  store_.reset();
  {
    // Scribble over both meta pages.
    FILE* f = std::fopen((settings_.path + "/data.mdb").c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::vector<char> junk(8192, 'Z');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  store_ = store::open(settings_);
  EXPECT_TRUE(store_->report().moved_aside);
  EXPECT_FALSE(store_->report().reason.empty());
  EXPECT_TRUE(std::filesystem::exists(store_->report().moved_to));
  EXPECT_FALSE(store_->lookup("http://h/d").has_value());
  EXPECT_TRUE(put(*store_, "http://h/d", "http://h/d", 100).ok());
}

TEST_F(StoreBasic, SecondOpenOfTheSameDirectoryIsRefused) {
  EXPECT_THROW(store::open(settings_), store_error);
  store_settings other = settings_;
  other.path = settings_.path + "/../store/";  // the same directory, spelled differently
  EXPECT_THROW(store::open(other), store_error);
  store_.reset();
  EXPECT_NO_THROW(store_ = store::open(settings_));
}

TEST_F(StoreBasic, SmallerMaxSizeOnRestartEvictsDown) {
  for (int i = 0; i < 40; ++i) {
    const std::string key = "http://h/shrink/" + std::to_string(i);
    ASSERT_TRUE(put(*store_, key, key, 1 << 20).ok());
  }
  store_.reset();
  settings_.max_size = 16ull << 20;
  store_ = store::open(settings_);
  store_->flush();
  const store_stats st = store_->stats();
  EXPECT_LE(st.charged_bytes, settings_.max_size);
  EXPECT_GT(st.evictions, 0u);
  reader rd(*store_);
  store_->for_each([&](const cached_object& o) { EXPECT_TRUE(verify(rd, o)); });
}

TEST_F(StoreBasic, HitsRefreshTheStoredAccessTime) {
  store_.reset();
  settings_.touch_interval = std::chrono::seconds(0);
  store_ = store::open(settings_);
  ASSERT_TRUE(put(*store_, "http://h/t", "http://h/t", 10).ok());
  const auto before = store_->peek("http://h/t")->last_access;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(store_->lookup("http://h/t").has_value());
  // The writer picks the access up on its next round and writes it with the next batch.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  store_->flush();
  reopen();
  EXPECT_GT(store_->peek("http://h/t")->last_access, before);
}

TEST_F(StoreBasic, UnreadablePathIsAnError) {
  store_settings s = settings_;
  s.path = "/proc/definitely/not/here";
  EXPECT_THROW(store::open(s), store_error);
}

}  // namespace
}  // namespace rc_store_test
