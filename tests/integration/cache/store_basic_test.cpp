// Fill, read, replace, update, purge and reopen against a real LMDB directory.
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

TEST_F(StoreBasic, EdgeSizesRoundTripByteExact) {
  const std::uint64_t sizes[] = {0, 1, cs - 1, cs, cs + 1, 2 * cs, 3 * cs + 17};
  for (const std::uint64_t len : sizes) {
    const std::string key = "http://h/obj-" + std::to_string(len);
    const commit_result r = put(*store_, key, key, len);
    ASSERT_TRUE(r.ok()) << len << ": " << to_string(r.error);
    EXPECT_EQ(r.ref.length, len);
  }
  reader rd(*store_);
  for (const std::uint64_t len : sizes) {
    const auto o = store_->lookup("http://h/obj-" + std::to_string(len));
    ASSERT_TRUE(o.has_value()) << len;
    EXPECT_EQ(o->ref.length, len);
    EXPECT_EQ(o->meta.content_length, len);
    EXPECT_EQ(o->meta.headers, meta_for(len).headers);
    EXPECT_TRUE(verify(rd, *o));
  }
  EXPECT_EQ(store_->stats().objects, std::size(sizes));
}

TEST_F(StoreBasic, AppendPieceSizesDoNotMatter) {
  for (const std::size_t piece : {std::size_t{1}, std::size_t{4096}, std::size_t{cs},
                                  std::size_t{cs + 1}, std::size_t{1 << 20}}) {
    const std::string key = "http://h/piece-" + std::to_string(piece);
    const std::uint64_t len = (piece == 1) ? cs + 5 : 3 * cs + 5;
    ASSERT_TRUE(put(*store_, key, key, len, 0, piece).ok()) << piece;
    reader rd(*store_);
    EXPECT_TRUE(verify(rd, *store_->lookup(key)));
  }
}

TEST_F(StoreBasic, SixtyFourMebibytesByteExact) {
  const std::uint64_t len = 64ull << 20;
  ASSERT_TRUE(put(*store_, "http://h/big", "http://h/big", len, 0, 256 << 10).ok());
  const auto o = store_->lookup("http://h/big");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->ref.length, len);
  reader rd(*store_);
  EXPECT_TRUE(verify(rd, *o));
  // The copying path too, in an odd-sized buffer.
  std::vector<std::byte> buf(3 * cs + 12345);
  const std::uint64_t off = 7 * cs - 100;
  const read_result r = rd.read_copy(o->ref, off, buf);
  ASSERT_EQ(r.status, read_status::ok);
  ASSERT_EQ(r.bytes, buf.size());
  EXPECT_EQ(first_difference(seed_of("http://h/big"), off, buf), -1);
}

TEST_F(StoreBasic, ReadBatchesAreBoundedAndPointIntoOneObject) {
  const std::uint64_t len = 40 * cs + 3;
  ASSERT_TRUE(put(*store_, "http://h/b", "http://h/b", len).ok());
  const auto o = store_->lookup("http://h/b");
  reader rd(*store_);
  std::size_t max_slices = 0, max_bytes = 0;
  std::uint64_t off = 0;
  while (off < len) {
    const read_result r = rd.read(o->ref, off, len, [&](std::span<const mapped_slice> s) {
      std::size_t n = 0;
      for (const auto& m : s) n += m.size;
      max_slices = std::max(max_slices, s.size());
      max_bytes = std::max(max_bytes, n);
      return n;
    });
    ASSERT_EQ(r.status, read_status::ok);
    ASSERT_GT(r.bytes, 0u);
    off += r.bytes;
  }
  EXPECT_LE(max_bytes, settings_.read_batch_bytes);
  EXPECT_LE(max_slices, settings_.read_batch_chunks);
}

TEST_F(StoreBasic, RangesAcrossChunkBoundaries) {
  const std::uint64_t len = 5 * cs;
  ASSERT_TRUE(put(*store_, "http://h/r", "http://h/r", len).ok());
  const auto o = store_->lookup("http://h/r");
  reader rd(*store_);
  const std::uint64_t seed = seed_of("http://h/r");
  const std::pair<std::uint64_t, std::uint64_t> ranges[] = {
      {0, 1},       {cs - 1, 1},     {cs - 1, 2}, {cs, 1}, {cs + 1, cs}, {2 * cs - 5, 2 * cs + 10},
      {len - 1, 1}, {len - 10, 100}, {0, len}};
  for (const auto& [off, n] : ranges) {
    std::vector<std::byte> buf(n);
    const read_result r = rd.read_copy(o->ref, off, buf);
    ASSERT_EQ(r.status, read_status::ok);
    const std::uint64_t expect = std::min(n, len - off);
    ASSERT_EQ(r.bytes, expect) << off << "+" << n;
    EXPECT_EQ(first_difference(seed, off, {buf.data(), expect}), -1) << off << "+" << n;
  }
  // At or past the end: nothing, and not an error.
  std::byte b;
  EXPECT_EQ(rd.read_copy(o->ref, len, {&b, 1}).bytes, 0u);
}

TEST_F(StoreBasic, ShortConsumptionResumesExactly) {
  // A visitor that takes only part of what it is offered (a short writev).
  const std::uint64_t len = 4 * cs + 99;
  ASSERT_TRUE(put(*store_, "http://h/s", "http://h/s", len).ok());
  const auto o = store_->lookup("http://h/s");
  reader rd(*store_);
  std::vector<std::byte> got;
  std::uint64_t off = 0;
  while (off < len) {
    const read_result r = rd.read(o->ref, off, len - off, [&](std::span<const mapped_slice> s) {
      const std::size_t take = std::min<std::size_t>(s[0].size, 12345);
      got.insert(got.end(), s[0].data, s[0].data + take);
      return take;
    });
    ASSERT_EQ(r.status, read_status::ok);
    off += r.bytes;
  }
  EXPECT_EQ(first_difference(seed_of("http://h/s"), 0, got), -1);
}

TEST_F(StoreBasic, MetadataRoundTrips) {
  fill f = store_->begin_fill("http://h/p-bytes=0-9", "http://h/p");
  ASSERT_EQ(f.append(std::string_view("0123456789")), fill_error::none);
  object_meta m = meta_for(10);
  m.status = 200;
  m.range = content_range{0, 9, 1000};
  m.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
  m.flags = 7;
  const commit_result r = f.commit_wait(m);
  ASSERT_TRUE(r.ok());
  const auto o = store_->lookup("http://h/p-bytes=0-9");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->meta, m);
  EXPECT_EQ(o->key, "http://h/p-bytes=0-9");
  EXPECT_EQ(o->url, "http://h/p");
  EXPECT_EQ(o->ref, r.ref);
}

TEST_F(StoreBasic, NothingVisibleBeforeCommit) {
  fill f = store_->begin_fill("http://h/pending", "http://h/pending");
  ASSERT_EQ(stream(f, seed_of("http://h/pending"), 3 * cs + 1), fill_error::none);
  store_->flush();  // every chunk is in LMDB now
  EXPECT_FALSE(store_->lookup("http://h/pending").has_value());
  ASSERT_TRUE(f.commit_wait(meta_for(3 * cs + 1)).ok());
  EXPECT_TRUE(store_->lookup("http://h/pending").has_value());
}

TEST_F(StoreBasic, AbortLeavesNothingAndChunksAreReclaimed) {
  {
    fill f = store_->begin_fill("http://h/a", "http://h/a");
    ASSERT_EQ(stream(f, 1, 10 * cs), fill_error::none);
    f.abort();
    EXPECT_FALSE(f.active());
    EXPECT_EQ(f.append(std::string_view("x")), fill_error::aborted);
  }
  {
    fill g = store_->begin_fill("http://h/b", "http://h/b");
    ASSERT_EQ(stream(g, 1, 5 * cs), fill_error::none);
    // destroyed uncommitted
  }
  store_->flush();
  store_->flush();  // the reclaim step runs after the batch that carried the abort
  EXPECT_FALSE(store_->peek("http://h/a").has_value());
  EXPECT_FALSE(store_->peek("http://h/b").has_value());
  const store_stats st = store_->stats();
  EXPECT_EQ(st.aborted_fills, 2u);
  EXPECT_EQ(st.objects, 0u);
  EXPECT_EQ(st.reclaimed_chunks, 15u);
  EXPECT_EQ(st.charged_bytes, 0u);
  reopen();
  EXPECT_EQ(store_->report().dead_objects_swept + store_->report().orphan_objects_swept, 0u);
}

TEST_F(StoreBasic, LengthMismatchCommitsNothing) {
  fill f = store_->begin_fill("http://h/short", "http://h/short");
  ASSERT_EQ(stream(f, 1, cs + 10), fill_error::none);
  EXPECT_EQ(f.commit_wait(meta_for(cs + 11)).error, fill_error::length_mismatch);
  EXPECT_FALSE(store_->lookup("http://h/short").has_value());
}

TEST_F(StoreBasic, TooLargeIsRefused) {
  fill f = store_->begin_fill("http://h/huge", "http://h/huge", {settings_.max_size});
  EXPECT_FALSE(f.active());
  EXPECT_EQ(f.error(), fill_error::too_large);
  // A limit well under the writer queue's, so that only the size can stop the stream.
  store_.reset();
  settings_.max_object_size = 4 << 20;
  store_ = store::open(settings_);
  fill g = store_->begin_fill("http://h/huge2", "http://h/huge2");  // length unknown up front
  EXPECT_EQ(stream(g, 1, settings_.max_object_size + 1, 1 << 20), fill_error::too_large);
  EXPECT_FALSE(g.active());
  store_->flush();
  EXPECT_FALSE(store_->lookup("http://h/huge2").has_value());
}

TEST_F(StoreBasic, ReplaceIsAtomicAndOldReaderSeesGone) {
  ASSERT_TRUE(put(*store_, "http://h/x", "http://h/x", 20 * cs, 1).ok());
  const auto v1 = store_->lookup("http://h/x");
  ASSERT_TRUE(v1.has_value());
  reader rd(*store_);
  // Start streaming version 1...
  std::vector<std::byte> buf(cs);
  ASSERT_EQ(rd.read_copy(v1->ref, 0, buf).status, read_status::ok);
  // ...replace it (different body) and let the writer reclaim the old chunks.
  ASSERT_TRUE(put(*store_, "http://h/x", "http://h/x", 7 * cs + 3, 2).ok());
  store_->flush();
  store_->flush();
  const auto v2 = store_->lookup("http://h/x");
  ASSERT_TRUE(v2.has_value());
  EXPECT_NE(v2->ref.id, v1->ref.id);
  EXPECT_EQ(gen_of(*v2), 2u);
  EXPECT_TRUE(verify(rd, *v2));
  // The old stream cannot go on with bytes of another version.
  const read_result r = rd.read_copy(v1->ref, cs, buf);
  EXPECT_EQ(r.status, read_status::gone);
  EXPECT_GE(store_->stats().lost_mid_stream, 1u);
  EXPECT_EQ(store_->stats().objects, 1u);
}

TEST_F(StoreBasic, UpdateChangesMetadataKeepsBody) {
  ASSERT_TRUE(put(*store_, "http://h/u", "http://h/u", 2 * cs).ok());
  const auto o = store_->lookup("http://h/u");
  object_meta m = o->meta;
  m.headers.push_back({"X-Revalidated", "yes"});
  m.date += std::chrono::seconds(100);
  m.freshness_lifetime = std::chrono::seconds(7);
  EXPECT_EQ(store_->update_wait("http://h/u", o->ref, m), update_status::updated);
  const auto after = store_->lookup("http://h/u");
  EXPECT_EQ(after->meta, m);
  EXPECT_EQ(after->ref, o->ref);
  reader rd(*store_);
  EXPECT_TRUE(verify(rd, *after));
  // A stale ref (the object was replaced since) is refused.
  ASSERT_TRUE(put(*store_, "http://h/u", "http://h/u", cs, 1).ok());
  EXPECT_EQ(store_->update_wait("http://h/u", o->ref, m), update_status::gone);
  EXPECT_EQ(store_->update_wait("http://h/none", o->ref, m), update_status::gone);
}

TEST_F(StoreBasic, PurgeKeyUrlAndAll) {
  const std::string url = "http://h/v.mp4";
  ASSERT_TRUE(put(*store_, url, url, 3 * cs).ok());
  for (const char* r : {"-bytes=0-99", "-bytes=100-199", "-bytes=5000-"})
    ASSERT_TRUE(put(*store_, url + r, url, 100).ok());
  ASSERT_TRUE(put(*store_, "http://h/other", "http://h/other", 10).ok());
  ASSERT_TRUE(put(*store_, "http://h/other-bytes=0-1", "http://h/other", 2).ok());

  EXPECT_EQ(store_->purge_wait(url + "-bytes=0-99"), 1u);
  EXPECT_FALSE(store_->lookup(url + "-bytes=0-99").has_value());
  EXPECT_TRUE(store_->lookup(url + "-bytes=100-199").has_value());
  EXPECT_EQ(store_->purge_wait(url + "-bytes=0-99"), 0u);

  EXPECT_EQ(store_->purge_url_wait(url), 3u);  // the full object and two ranges left
  EXPECT_FALSE(store_->lookup(url).has_value());
  EXPECT_FALSE(store_->lookup(url + "-bytes=5000-").has_value());
  EXPECT_TRUE(store_->lookup("http://h/other").has_value());
  EXPECT_EQ(count_objects(), 2u);

  EXPECT_EQ(store_->purge_all_wait(), 2u);
  EXPECT_EQ(count_objects(), 0u);
  store_->flush();
  store_->flush();
  EXPECT_EQ(store_->stats().charged_bytes, 0u);
  // Still usable afterwards, and it all survives a restart.
  ASSERT_TRUE(put(*store_, url, url, cs + 1, 3).ok());
  reopen();
  const auto o = store_->lookup(url);
  ASSERT_TRUE(o.has_value());
  reader rd(*store_);
  EXPECT_TRUE(verify(rd, *o));
  EXPECT_EQ(count_objects(), 1u);
}

TEST_F(StoreBasic, PurgeUrlRangesKeepsTheCompleteObjectAndCurrentVersion) {
  const std::string url = "http://h/w.bin";
  auto put_range = [&](std::uint64_t first, std::uint64_t gen) {
    const std::string key =
        url + "-bytes=" + std::to_string(first) + "-" + std::to_string(first + 9);
    fill f = store_->begin_fill(key, url);
    EXPECT_EQ(stream(f, seed_of(key, gen), 10), fill_error::none);
    object_meta m = meta_for(10, gen);  // ETag "g<gen>"
    m.range = content_range{first, first + 9, 2 * cs};
    return f.commit_wait(m).ok();
  };
  ASSERT_TRUE(put(*store_, url, url, 2 * cs, 5).ok());
  ASSERT_TRUE(put_range(0, 5));   // the current version
  ASSERT_TRUE(put_range(10, 4));  // older versions
  ASSERT_TRUE(put_range(20, 3));
  EXPECT_EQ(store_->purge_url_ranges_wait(url, "\"g5\""), 2u);
  EXPECT_TRUE(store_->lookup(url).has_value());
  EXPECT_TRUE(store_->lookup(url + "-bytes=0-9").has_value());
  EXPECT_FALSE(store_->lookup(url + "-bytes=10-19").has_value());
  // Consolidating: every range goes, the complete object stays.
  EXPECT_EQ(store_->purge_url_ranges_wait(url), 1u);
  EXPECT_TRUE(store_->lookup(url).has_value());
  EXPECT_EQ(count_objects(), 1u);
}

TEST_F(StoreBasic, FillRunningDuringPurgeDoesNotCommit) {
  fill f = store_->begin_fill("http://h/p-bytes=0-99", "http://h/p");
  ASSERT_EQ(f.append(std::string(100, 'x')), fill_error::none);
  EXPECT_EQ(store_->purge_url_wait("http://h/p"), 0u);
  EXPECT_EQ(f.commit_wait(meta_for(100)).error, fill_error::purged);
  EXPECT_FALSE(store_->lookup("http://h/p-bytes=0-99").has_value());

  fill g = store_->begin_fill("http://h/q", "http://h/q");
  ASSERT_EQ(stream(g, 1, 2 * cs), fill_error::none);
  store_->purge_all_wait();
  ASSERT_EQ(g.append(std::string(10, 'y')), fill_error::none);  // the writer has not seen it yet
  EXPECT_EQ(g.commit_wait(meta_for(2 * cs + 10)).error, fill_error::purged);
  // A fill begun after the purge commits normally.
  EXPECT_TRUE(put(*store_, "http://h/q", "http://h/q", 10).ok());
}

TEST_F(StoreBasic, RestartKeepsEveryCommittedObject) {
  std::set<std::string> keys;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "http://h/restart/" + std::to_string(i);
    ASSERT_TRUE(put(*store_, key, key, static_cast<std::uint64_t>(i) * 9973, i).ok());
    keys.insert(key);
  }
  for (sync_mode mode : {sync_mode::none, sync_mode::meta, sync_mode::full}) {
    settings_.sync = mode;
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

TEST_F(StoreBasic, StatsCountHitsMissesAndBatches) {
  ASSERT_TRUE(put(*store_, "http://h/s", "http://h/s", 100).ok());
  store_->lookup("http://h/s");
  store_->lookup("http://h/s");
  store_->lookup("http://h/missing");
  EXPECT_FALSE(store_->peek("http://h/missing").has_value());  // peek does not count
  const store_stats st = store_->stats();
  EXPECT_EQ(st.hits, 2u);
  EXPECT_EQ(st.misses, 1u);
  EXPECT_EQ(st.commits, 1u);
  EXPECT_EQ(st.objects, 1u);
  EXPECT_EQ(st.bytes, 100u);
  EXPECT_GE(st.write_batches, 1u);
  EXPECT_GT(st.charged_bytes, 100u);
}

TEST_F(StoreBasic, CommitCallbackRunsOnceWithTheRef) {
  fill f = store_->begin_fill("http://h/cb", "http://h/cb");
  ASSERT_EQ(f.append(std::string_view("abc")), fill_error::none);
  std::promise<commit_result> p;
  std::atomic<int> calls{0};
  ASSERT_EQ(f.commit(meta_for(3),
                     [&](const commit_result& r) {
                       ++calls;
                       p.set_value(r);
                     }),
            fill_error::none);
  const commit_result r = p.get_future().get();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.ref.length, 3u);
  store_->flush();
  EXPECT_EQ(calls.load(), 1);
  // A second commit on the same handle is refused and calls nothing.
  EXPECT_NE(f.commit(meta_for(3), [&](const commit_result&) { ++calls; }), fill_error::none);
  store_->flush();
  EXPECT_EQ(calls.load(), 1);
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

TEST_F(StoreBasic, FillOutlivingTheStoreFailsCleanly) {
  fill f = store_->begin_fill("http://h/late", "http://h/late");
  ASSERT_EQ(f.append(std::string_view("abc")), fill_error::none);
  store_->close();
  EXPECT_NE(f.commit_wait(meta_for(3)).error, fill_error::none);
  store_.reset();
  // And the unfinished fill is gone after a restart.
  store_ = store::open(settings_);
  EXPECT_FALSE(store_->lookup("http://h/late").has_value());
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
