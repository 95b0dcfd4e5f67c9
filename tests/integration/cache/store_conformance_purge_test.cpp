// Purges: by key, by URL (the object and its ranges), every range of a URL but the complete
// object (and those of the current ETag), everything; and fills running across a purge.
#include <future>

#include "store_conformance.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;

// A 10-byte range object of `url`, version `gen` (ETag "g<gen>").
commit_result put_range(object_store& s, const std::string& url, std::uint64_t first,
                        std::uint64_t gen) {
  const std::string key = url + "-bytes=" + std::to_string(first) + "-" + std::to_string(first + 9);
  fill f = s.begin_fill(key, url);
  if (const fill_error e = stream(f, seed_of(key, gen), 10); e != fill_error::none) return {e, {}};
  object_meta m = meta_for(10, gen);
  m.range = content_range{first, first + 9, 2 * cs};
  return f.commit_wait(m);
}

TEST_P(StoreConformance, PurgeKeyUrlAndAll) {
  const std::string url = "http://h/v.mp4";
  ASSERT_TRUE(put(*store_, url, url, 3 * cs).ok());
  for (const char* r : {"-bytes=0-99", "-bytes=100-199", "-bytes=5000-"})
    ASSERT_TRUE(put(*store_, url + r, url, 100).ok());
  ASSERT_TRUE(put(*store_, "http://h/other", "http://h/other", 10).ok());
  ASSERT_TRUE(put(*store_, "http://h/other-bytes=0-1", "http://h/other", 2).ok());

  const auto range = store_->lookup(url + "-bytes=0-99");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(store_->purge_wait(url + "-bytes=0-99"), 1u);
  EXPECT_FALSE(store_->lookup(url + "-bytes=0-99").has_value());
  settle();
  reader rd(*store_);
  std::byte b[16];
  EXPECT_EQ(rd.read_copy(range->ref, 0, b).status, read_status::gone);
  EXPECT_TRUE(store_->lookup(url + "-bytes=100-199").has_value());
  EXPECT_EQ(store_->purge_wait(url + "-bytes=0-99"), 0u);

  EXPECT_EQ(store_->purge_url_wait(url), 3u);  // the full object and two ranges left
  EXPECT_FALSE(store_->lookup(url).has_value());
  EXPECT_FALSE(store_->lookup(url + "-bytes=5000-").has_value());
  EXPECT_TRUE(store_->lookup("http://h/other").has_value());
  EXPECT_EQ(count_objects(), 2u);
  EXPECT_EQ(store_->purge_url_wait(url), 0u);

  EXPECT_EQ(store_->purge_all_wait(), 2u);
  EXPECT_EQ(count_objects(), 0u);
  settle();
  const store_stats st = store_->stats();
  EXPECT_EQ(st.purged_objects, 6u);
  EXPECT_EQ(st.objects, 0u);
  EXPECT_EQ(st.bytes, 0u);
  EXPECT_EQ(st.charged_bytes, 0u);
  // Still usable afterwards.
  ASSERT_TRUE(put(*store_, url, url, cs + 1, 3).ok());
  EXPECT_TRUE(verify(rd, *store_->lookup(url)));
  EXPECT_EQ(count_objects(), 1u);
}

TEST_P(StoreConformance, PurgeCallbacksGetTheCount) {
  ASSERT_TRUE(put(*store_, "http://h/a", "http://h/a", 10).ok());
  ASSERT_TRUE(put_range(*store_, "http://h/a", 0, 0).ok());
  std::promise<std::uint64_t> by_url, by_all;
  store_->purge_url("http://h/a", [&](std::uint64_t n) { by_url.set_value(n); });
  EXPECT_EQ(by_url.get_future().get(), 2u);
  store_->purge_all([&](std::uint64_t n) { by_all.set_value(n); });
  EXPECT_EQ(by_all.get_future().get(), 0u);
}

TEST_P(StoreConformance, PurgeUrlRangesKeepsTheCompleteObjectAndCurrentVersion) {
  const std::string url = "http://h/w.bin";
  ASSERT_TRUE(put(*store_, url, url, 2 * cs, 5).ok());
  ASSERT_TRUE(put_range(*store_, url, 0, 5).ok());   // the current version
  ASSERT_TRUE(put_range(*store_, url, 10, 4).ok());  // older versions
  ASSERT_TRUE(put_range(*store_, url, 20, 3).ok());
  ASSERT_TRUE(put_range(*store_, "http://h/elsewhere", 0, 4).ok());  // another URL
  EXPECT_EQ(store_->tidy_url_wait(url, redundant_ranges("", "\"g5\"")), 2u);
  EXPECT_TRUE(store_->lookup(url).has_value());
  EXPECT_TRUE(store_->lookup(url + "-bytes=0-9").has_value());
  EXPECT_FALSE(store_->lookup(url + "-bytes=10-19").has_value());
  EXPECT_FALSE(store_->lookup(url + "-bytes=20-29").has_value());
  // Consolidating: every range goes, the complete object stays.
  EXPECT_EQ(store_->tidy_url_wait(url, redundant_ranges("", "")), 1u);
  EXPECT_TRUE(store_->lookup(url).has_value());
  EXPECT_TRUE(store_->lookup("http://h/elsewhere-bytes=0-9").has_value());
  EXPECT_EQ(count_objects(), 2u);
  EXPECT_EQ(store_->stats().purged_objects, 3u);
}

TEST_P(StoreConformance, PurgeUrlRangesLeavesFillsInProgressBe) {
  const std::string url = "http://h/t.bin";
  fill f = store_->begin_fill(url + "-bytes=0-9", url);
  ASSERT_EQ(stream(f, seed_of(url + "-bytes=0-9"), 10), fill_error::none);
  EXPECT_EQ(store_->tidy_url_wait(url, redundant_ranges("", "")), 0u);
  object_meta m = meta_for(10);
  m.range = content_range{0, 9, 100};
  EXPECT_TRUE(f.commit_wait(m).ok());
  EXPECT_TRUE(store_->lookup(url + "-bytes=0-9").has_value());
}

TEST_P(StoreConformance, FillRunningDuringPurgeDoesNotCommit) {
  fill f = store_->begin_fill("http://h/p-bytes=0-99", "http://h/p");
  ASSERT_EQ(f.append(std::string(100, 'x')), fill_error::none);
  EXPECT_EQ(store_->purge_url_wait("http://h/p"), 0u);
  EXPECT_EQ(f.commit_wait(meta_for(100)).error, fill_error::purged);
  EXPECT_FALSE(store_->lookup("http://h/p-bytes=0-99").has_value());

  fill k = store_->begin_fill("http://h/k", "http://h/k");
  ASSERT_EQ(stream(k, 1, cs + 1), fill_error::none);
  EXPECT_EQ(store_->purge_wait("http://h/k"), 0u);
  EXPECT_EQ(k.commit_wait(meta_for(cs + 1)).error, fill_error::purged);
  EXPECT_FALSE(store_->lookup("http://h/k").has_value());

  fill g = store_->begin_fill("http://h/q", "http://h/q");
  ASSERT_EQ(stream(g, 1, 2 * cs), fill_error::none);
  store_->purge_all_wait();
  ASSERT_EQ(g.append(std::string(10, 'y')), fill_error::none);  // a part chunk: only staged
  EXPECT_EQ(g.commit_wait(meta_for(2 * cs + 10)).error, fill_error::purged);
  EXPECT_EQ(store_->stats().failed_fills, 3u);
  // A fill begun after the purge commits normally.
  EXPECT_TRUE(put(*store_, "http://h/q", "http://h/q", 10).ok());
  settle();
  EXPECT_EQ(store_->stats().objects, 1u);
}

}  // namespace
}  // namespace rc_store_test
