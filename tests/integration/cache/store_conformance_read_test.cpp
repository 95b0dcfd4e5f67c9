// Reading committed objects back, byte-exact: edge sizes, any append pattern, bounded
// batches, ranges across chunk boundaries, a visitor that consumes less than offered.
#include <algorithm>
#include <utility>
#include <vector>

#include "store_conformance.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;

TEST_P(StoreConformance, EdgeSizesRoundTripByteExact) {
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

TEST_P(StoreConformance, AppendPieceSizesDoNotMatter) {
  for (const std::size_t piece : {std::size_t{1}, std::size_t{4096}, std::size_t{cs},
                                  std::size_t{cs + 1}, std::size_t{1 << 20}}) {
    const std::string key = "http://h/piece-" + std::to_string(piece);
    const std::uint64_t len = (piece == 1) ? cs + 5 : 3 * cs + 5;
    ASSERT_TRUE(put(*store_, key, key, len, 0, piece).ok()) << piece;
    reader rd(*store_);
    EXPECT_TRUE(verify(rd, *store_->lookup(key)));
  }
}

TEST_P(StoreConformance, SixtyFourMebibytesByteExact) {
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

TEST_P(StoreConformance, ReadBatchesAreBoundedAndPointIntoOneObject) {
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

TEST_P(StoreConformance, RangesAcrossChunkBoundaries) {
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
  EXPECT_EQ(rd.read_copy(o->ref, len + 100, {&b, 1}).status, read_status::ok);
}

TEST_P(StoreConformance, ShortConsumptionResumesExactly) {
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

TEST_P(StoreConformance, ARefNamingNothingIsGoneOrAnError) {
  reader rd(*store_);
  std::byte b[8];
  object_ref never{hash_key("http://h/never"), 999999, 100, static_cast<std::uint32_t>(cs)};
  EXPECT_EQ(rd.read_copy(never, 0, b).status, read_status::gone);
  EXPECT_EQ(store_->stats().lost_mid_stream, 1u);
  object_ref no_chunks = never;
  no_chunks.chunk_size = 0;
  EXPECT_EQ(rd.read_copy(no_chunks, 0, b).status, read_status::error);
}

}  // namespace
}  // namespace rc_store_test
