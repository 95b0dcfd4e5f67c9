// The size bound and the books: eviction in policy order (least recently used first here),
// fills in progress never passing max_size, counters that agree with what for_each lists.
#include <set>
#include <vector>

#include "store_conformance.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t MiB = 1 << 20;

std::string key_of(int i) {
  return "http://b/" + std::to_string(i);
}

// 16 MiB, least recently used first: room for a dozen 1 MiB objects.
store_settings small_lru(const store_settings& base) {
  store_settings s = base;
  s.max_size = 16 * MiB;
  s.policy = eviction_policy_kind::lru;
  return s;
}

// Puts objects first..last of 1 MiB each, checking the bound after every one.
void put_keys(object_store& s, int first, int last, std::uint64_t max_size) {
  for (int i = first; i <= last; ++i) {
    ASSERT_TRUE(put(s, key_of(i), key_of(i), MiB).ok()) << i;
    ASSERT_LE(s.stats().charged_bytes, max_size) << i;
  }
}

std::vector<int> present(object_store& s, int last) {
  std::vector<int> out;
  for (int i = 0; i <= last; ++i)
    if (s.peek(key_of(i))) out.push_back(i);
  return out;
}

TEST_P(StoreConformance, EvictionTakesTheOldestFirstAndTheBooksAgree) {
  open(small_lru(settings_));
  const commit_result oldest = put(*store_, key_of(0), key_of(0), MiB);
  ASSERT_TRUE(oldest.ok());
  // 30 MiB through a 16 MiB store.
  ASSERT_NO_FATAL_FAILURE(put_keys(*store_, 1, 29, settings_.max_size));
  const std::vector<int> kept = present(*store_, 29);
  // What is left is the newest objects, without a gap: the oldest went first.
  ASSERT_GE(kept.size(), 8u);
  EXPECT_EQ(kept.back(), 29);
  EXPECT_EQ(kept.back() - kept.front() + 1, static_cast<int>(kept.size()));
  settle();
  const store_stats st = store_->stats();
  EXPECT_EQ(st.commits, 30u);
  EXPECT_EQ(st.evictions, 30u - kept.size());
  EXPECT_EQ(st.evicted_bytes, st.evictions * MiB);
  EXPECT_EQ(st.objects, kept.size());
  EXPECT_EQ(st.bytes, kept.size() * MiB);
  EXPECT_GT(st.charged_bytes, st.bytes);
  EXPECT_LE(st.charged_bytes, settings_.max_size);
  EXPECT_EQ(st.purged_objects, 0u);
  reader rd(*store_);
  std::uint64_t listed = 0, bytes = 0;
  store_->for_each([&](const cached_object& o) {
    ++listed;
    bytes += o.ref.length;
    EXPECT_TRUE(verify(rd, o));
  });
  EXPECT_EQ(listed, st.objects);
  EXPECT_EQ(bytes, st.bytes);
  // A reader still holding the first object's ref gets nothing of whatever took its place.
  std::byte b[16];
  EXPECT_EQ(rd.read_copy(oldest.ref, 0, b).status, read_status::gone);
}

TEST_P(StoreConformance, AHitKeepsAnObjectFromEviction) {
  open(small_lru(settings_));
  ASSERT_NO_FATAL_FAILURE(put_keys(*store_, 0, 29, settings_.max_size));
  const std::vector<int> kept = present(*store_, 29);
  ASSERT_GE(kept.size(), 2u);
  const int oldest = kept.front();
  ASSERT_TRUE(store_->lookup(key_of(oldest)).has_value());  // now the most recently used
  ASSERT_NO_FATAL_FAILURE(put_keys(*store_, 30, 33, settings_.max_size));
  EXPECT_TRUE(store_->peek(key_of(oldest)).has_value());
  EXPECT_FALSE(store_->peek(key_of(oldest + 1)).has_value());
}

TEST_P(StoreConformance, EverythingPurgedFreesEveryByte) {
  open(small_lru(settings_));
  ASSERT_NO_FATAL_FAILURE(put_keys(*store_, 0, 19, settings_.max_size));
  EXPECT_GT(store_->purge_all_wait(), 0u);
  settle();
  const store_stats st = store_->stats();
  EXPECT_EQ(st.objects, 0u);
  EXPECT_EQ(st.bytes, 0u);
  EXPECT_EQ(st.charged_bytes, 0u);
}

TEST_P(StoreConformance, FillsInProgressCannotPassMaxSize) {
  store_settings s = small_lru(settings_);
  s.max_size = 4 * MiB;
  s.max_object_size = 4 * MiB;
  open(s);
  fill f = store_->begin_fill("http://b/first", "http://b/first");
  ASSERT_EQ(stream(f, 1, 3 * MiB, 64 << 10), fill_error::none);
  fill g = store_->begin_fill("http://b/second", "http://b/second");
  // The refusal comes at once (memory) or from the writer (LMDB), at the latest at commit.
  fill_error e = stream(g, 2, 3 * MiB, 64 << 10);
  store_->flush();
  if (e == fill_error::none) e = g.commit_wait(meta_for(3 * MiB)).error;
  EXPECT_EQ(e, fill_error::no_space);
  EXPECT_FALSE(g.active());
  EXPECT_EQ(store_->stats().failed_fills, 1u);
  EXPECT_LE(store_->stats().charged_bytes, s.max_size);
  settle();
  EXPECT_FALSE(store_->peek("http://b/second").has_value());
  f.abort();
  settle();
  EXPECT_EQ(store_->stats().charged_bytes, 0u);
}

TEST_P(StoreConformance, ForEachListsEveryObjectOnceInHashOrder) {
  std::set<std::string> keys;
  for (int i = 0; i < 150; ++i) {  // more than one page of the listing
    const std::string key = "http://l/" + std::to_string(i);
    ASSERT_TRUE(put(*store_, key, key, static_cast<std::uint64_t>(i)).ok());
    keys.insert(key);
  }
  std::set<std::string> seen;
  std::vector<key_hash> order;
  store_->for_each([&](const cached_object& o) {
    EXPECT_TRUE(seen.insert(o.key).second) << o.key;
    order.push_back(o.ref.hash);
    // The visitor may call the store: nothing is held while it runs.
    EXPECT_TRUE(store_->peek(o.key).has_value());
  });
  EXPECT_EQ(seen, keys);
  for (std::size_t i = 1; i < order.size(); ++i)
    EXPECT_TRUE(order[i - 1].hi < order[i].hi ||
                (order[i - 1].hi == order[i].hi && order[i - 1].lo < order[i].lo));
}

TEST_P(StoreConformance, StatsCountHitsMissesAndCommits) {
  ASSERT_TRUE(put(*store_, "http://h/s", "http://h/s", 100).ok());
  store_->lookup("http://h/s");
  store_->lookup("http://h/s");
  store_->lookup("http://h/missing");
  EXPECT_FALSE(store_->peek("http://h/missing").has_value());  // peek does not count
  EXPECT_TRUE(store_->peek("http://h/s").has_value());
  reader rd(*store_);
  cached_object o;
  EXPECT_EQ(rd.lookup("http://h/s", o), lookup_status::hit);
  EXPECT_EQ(rd.lookup("http://h/missing", o), lookup_status::miss);
  const store_stats st = store_->stats();
  EXPECT_EQ(st.hits, 3u);
  EXPECT_EQ(st.misses, 2u);
  EXPECT_EQ(st.collisions, 0u);
  EXPECT_EQ(st.commits, 1u);
  EXPECT_EQ(st.objects, 1u);
  EXPECT_EQ(st.bytes, 100u);
  EXPECT_GT(st.charged_bytes, 100u);
  EXPECT_EQ(st.aborted_fills + st.failed_fills + st.evictions + st.purged_objects, 0u);
}

}  // namespace
}  // namespace rc_store_test
