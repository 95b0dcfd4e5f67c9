// The store conformance suite, run against each backend; this file instantiates it and holds
// the life of one fill: lookups, visibility at commit, abort, refusals, the commit callback.
#include <atomic>
#include <future>

#include "store_conformance.hpp"

namespace rc_store_test {

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance,
                         ::testing::Values(backend::lmdb, backend::lmdb_files, backend::memory),
                         backend_name);

namespace {

constexpr std::uint64_t cs = default_chunk_size;

TEST_P(StoreConformance, EmptyStoreMissesEverywhere) {
  cached_object o;
  EXPECT_EQ(store_->lookup("http://h/none", o), lookup_status::miss);
  EXPECT_FALSE(store_->lookup("http://h/none").has_value());
  EXPECT_FALSE(store_->peek("http://h/none").has_value());
  reader rd(*store_);
  ASSERT_TRUE(rd.valid());
  EXPECT_EQ(rd.lookup("http://h/none", o), lookup_status::miss);
  EXPECT_EQ(store_->stats().misses, 3u);  // peek does not count
  EXPECT_EQ(count_objects(), 0u);
}

TEST_P(StoreConformance, MetadataRoundTrips) {
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
  EXPECT_EQ(o->ref.hash, hash_key("http://h/p-bytes=0-9"));
  EXPECT_EQ(store_->peek("http://h/p-bytes=0-9"), o);
  reader rd(*store_);
  cached_object via_reader;
  ASSERT_EQ(rd.lookup("http://h/p-bytes=0-9", via_reader), lookup_status::hit);
  EXPECT_EQ(via_reader.ref, r.ref);
}

TEST_P(StoreConformance, NothingVisibleBeforeCommit) {
  fill f = store_->begin_fill("http://h/pending", "http://h/pending");
  ASSERT_EQ(stream(f, seed_of("http://h/pending"), 3 * cs + 1), fill_error::none);
  store_->flush();  // every chunk is stored now
  EXPECT_FALSE(store_->lookup("http://h/pending").has_value());
  EXPECT_EQ(count_objects(), 0u);
  ASSERT_TRUE(f.commit_wait(meta_for(3 * cs + 1)).ok());
  EXPECT_TRUE(store_->lookup("http://h/pending").has_value());
  EXPECT_FALSE(f.active());
}

TEST_P(StoreConformance, AbortLeavesNothingAndChunksAreReclaimed) {
  {
    fill f = store_->begin_fill("http://h/a", "http://h/a");
    ASSERT_EQ(stream(f, 1, 10 * cs), fill_error::none);
    f.abort();
    EXPECT_FALSE(f.active());
    EXPECT_EQ(f.error(), fill_error::aborted);
    EXPECT_EQ(f.append(std::string_view("x")), fill_error::aborted);
  }
  {
    fill g = store_->begin_fill("http://h/b", "http://h/b");
    ASSERT_EQ(stream(g, 1, 5 * cs), fill_error::none);
    // destroyed uncommitted
  }
  settle();
  EXPECT_FALSE(store_->peek("http://h/a").has_value());
  EXPECT_FALSE(store_->peek("http://h/b").has_value());
  const store_stats st = store_->stats();
  EXPECT_EQ(st.aborted_fills, 2u);
  EXPECT_EQ(st.failed_fills, 0u);
  EXPECT_EQ(st.objects, 0u);
  // Chunks in LMDB are deleted; bodies in files are unlinked.
  EXPECT_EQ(st.reclaimed_chunks, GetParam() == backend::lmdb_files ? 0u : 15u);
  EXPECT_EQ(st.charged_bytes, 0u);
  EXPECT_EQ(count_body_files(), 0u);
}

TEST_P(StoreConformance, LengthMismatchCommitsNothing) {
  fill f = store_->begin_fill("http://h/short", "http://h/short");
  ASSERT_EQ(stream(f, 1, cs + 10), fill_error::none);
  EXPECT_EQ(f.commit_wait(meta_for(cs + 11)).error, fill_error::length_mismatch);
  EXPECT_FALSE(store_->lookup("http://h/short").has_value());
  EXPECT_EQ(f.error(), fill_error::length_mismatch);
}

TEST_P(StoreConformance, TooLargeIsRefused) {
  fill f = store_->begin_fill("http://h/huge", "http://h/huge", {settings_.max_size});
  EXPECT_FALSE(f.active());
  EXPECT_EQ(f.error(), fill_error::too_large);
  EXPECT_FALSE(f.progress());
  // A limit well under the LMDB writer queue's, so that only the size can stop the stream.
  store_settings s = settings_;
  s.max_object_size = 4 << 20;
  open(s);
  fill g = store_->begin_fill("http://h/huge2", "http://h/huge2");  // length unknown up front
  EXPECT_EQ(stream(g, 1, s.max_object_size + 1, 1 << 20), fill_error::too_large);
  EXPECT_FALSE(g.active());
  settle();
  EXPECT_FALSE(store_->lookup("http://h/huge2").has_value());
  EXPECT_EQ(store_->stats().failed_fills, 1u);
}

TEST_P(StoreConformance, CommitCallbackRunsOnceWithTheRef) {
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
  EXPECT_EQ(f.progress_ref(), r.ref);
  store_->flush();
  EXPECT_EQ(calls.load(), 1);
  // A second commit on the same handle is refused and calls nothing.
  EXPECT_NE(f.commit(meta_for(3), [&](const commit_result&) { ++calls; }), fill_error::none);
  store_->flush();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(store_->stats().commits, 1u);
}

TEST_P(StoreConformance, FillOutlivingTheStoreFailsCleanly) {
  fill f = store_->begin_fill("http://h/late", "http://h/late");
  ASSERT_EQ(f.append(std::string_view("abc")), fill_error::none);
  store_->close();
  EXPECT_NE(f.commit_wait(meta_for(3)).error, fill_error::none);
  EXPECT_EQ(store_->begin_fill("http://h/later", "http://h/later").error(), fill_error::closed);
  cached_object o;
  EXPECT_EQ(store_->lookup("http://h/late", o), lookup_status::error);
  store_.reset();
  // The handle may even outlive the store object itself.
  EXPECT_FALSE(f.active());
}

}  // namespace
}  // namespace rc_store_test
