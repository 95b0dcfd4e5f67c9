// Replacing an object while a reader streams it, and 304 revalidation (update): the new
// version is whole or absent, an old ref never reads another version's bytes.
#include <future>
#include <thread>
#include <vector>

#include "store_conformance.hpp"

#include "rangecache/cache/field_rules.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;

TEST_P(StoreConformance, ReplaceIsAtomicAndOldReaderSeesGone) {
  ASSERT_TRUE(put(*store_, "http://h/x", "http://h/x", 20 * cs, 1).ok());
  const auto v1 = store_->lookup("http://h/x");
  ASSERT_TRUE(v1.has_value());
  reader rd(*store_);
  // Start streaming version 1...
  std::vector<std::byte> buf(cs);
  ASSERT_EQ(rd.read_copy(v1->ref, 0, buf).status, read_status::ok);
  // ...replace it (different body) and let the old chunks be reclaimed.
  ASSERT_TRUE(put(*store_, "http://h/x", "http://h/x", 7 * cs + 3, 2).ok());
  settle();
  const auto v2 = store_->lookup("http://h/x");
  ASSERT_TRUE(v2.has_value());
  EXPECT_NE(v2->ref.id, v1->ref.id);
  EXPECT_EQ(gen_of(*v2), 2u);
  EXPECT_TRUE(verify(rd, *v2));
  // The old stream cannot go on with bytes of another version.
  const read_result r = rd.read_copy(v1->ref, cs, buf);
  EXPECT_EQ(r.status, read_status::gone);
  EXPECT_EQ(r.bytes, 0u);
  const store_stats st = store_->stats();
  EXPECT_GE(st.lost_mid_stream, 1u);
  EXPECT_EQ(st.objects, 1u);
  EXPECT_EQ(st.bytes, 7 * cs + 3);
  EXPECT_EQ(st.commits, 2u);
  EXPECT_EQ(st.purged_objects, 0u);  // a replacement is not a purge
  EXPECT_EQ(st.evictions, 0u);
}

// The visitor holding slices of the old version while the replacement commits: what it was
// offered stays those bytes until it returns.
TEST_P(StoreConformance, ReplaceDuringAVisitKeepsTheOfferedBytes) {
  ASSERT_TRUE(put(*store_, "http://h/v", "http://h/v", 3 * cs, 1).ok());
  const auto v1 = store_->lookup("http://h/v");
  ASSERT_TRUE(v1.has_value());
  const std::uint64_t seed = seed_of("http://h/v", 1);
  std::int64_t bad = 0;
  std::thread replacer;
  reader rd(*store_);
  const read_result r = rd.read(v1->ref, 0, cs, [&](std::span<const mapped_slice> s) {
    // The LMDB writer waits for no reader: the replacement commits (and its old chunks are
    // freed) while this visit is still running.
    replacer = std::thread([&] {
      EXPECT_TRUE(put(*store_, "http://h/v", "http://h/v", 3 * cs, 2).ok());
      settle();
    });
    replacer.join();
    bad = first_difference(seed, 0, {s[0].data, s[0].size});
    return s[0].size;
  });
  EXPECT_EQ(r.status, read_status::ok);
  EXPECT_EQ(bad, -1);
  std::byte b;
  EXPECT_EQ(rd.read_copy(v1->ref, cs, {&b, 1}).status, read_status::gone);
}

TEST_P(StoreConformance, UpdateChangesMetadataKeepsBody) {
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
  // A record's rendered fields are those of its headers as updated (the memory store keeps
  // no records: it renders nothing, and the answer renders them).
  std::string rendered(replayed_size(m), '\0');
  write_replayed(m, rendered.data());
  EXPECT_NE(rendered.find("X-Revalidated: yes\r\n"), std::string::npos);
  EXPECT_EQ(after->replayed, GetParam() == backend::memory ? std::string() : rendered);
  reader rd(*store_);
  EXPECT_TRUE(verify(rd, *after));
  const store_stats st = store_->stats();
  EXPECT_EQ(st.objects, 1u);
  EXPECT_EQ(st.bytes, 2 * cs);
  EXPECT_GT(st.charged_bytes, st.bytes);
}

TEST_P(StoreConformance, UpdateOfAnotherVersionOrLengthIsGone) {
  ASSERT_TRUE(put(*store_, "http://h/u", "http://h/u", 2 * cs).ok());
  const auto o = store_->lookup("http://h/u");
  object_meta m = o->meta;
  m.headers.push_back({"X-Revalidated", "yes"});
  // A body of another length cannot be revalidated into this one.
  object_meta longer = m;
  longer.content_length += 1;
  EXPECT_EQ(store_->update_wait("http://h/u", o->ref, longer), update_status::gone);
  EXPECT_EQ(store_->peek("http://h/u")->meta, o->meta);
  // A stale ref (the object was replaced since) is refused, and so is a key with nothing.
  ASSERT_TRUE(put(*store_, "http://h/u", "http://h/u", 2 * cs, 1).ok());
  EXPECT_EQ(store_->update_wait("http://h/u", o->ref, m), update_status::gone);
  EXPECT_EQ(gen_of(*store_->peek("http://h/u")), 1u);
  EXPECT_EQ(store_->update_wait("http://h/none", o->ref, m), update_status::gone);
  // The callback form says the same.
  std::promise<update_status> p;
  store_->update("http://h/none", o->ref, m, [&](update_status s) { p.set_value(s); });
  EXPECT_EQ(p.get_future().get(), update_status::gone);
}

TEST_P(StoreConformance, UpdateOfAPurgedObjectIsGone) {
  ASSERT_TRUE(put(*store_, "http://h/p", "http://h/p", 100).ok());
  const auto o = store_->lookup("http://h/p");
  ASSERT_EQ(store_->purge_wait("http://h/p"), 1u);
  EXPECT_EQ(store_->update_wait("http://h/p", o->ref, o->meta), update_status::gone);
  EXPECT_FALSE(store_->peek("http://h/p").has_value());
}

}  // namespace
}  // namespace rc_store_test
