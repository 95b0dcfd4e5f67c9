#include "rangecache/plan/block_plan.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace rangecache::plan {
namespace {

using range::byte_range_spec;
constexpr std::uint64_t MiB = 1 << 20;

TEST(BlockPlan, CountAndBytesOfEachBlock) {
  struct row {
    std::uint64_t index, size, total;
    std::optional<cache::content_range> want;
  };
  const std::vector<row> rows = {
      {0, MiB, 3 * MiB, cache::content_range{0, MiB - 1, 3 * MiB}},
      {2, MiB, 3 * MiB, cache::content_range{2 * MiB, 3 * MiB - 1, 3 * MiB}},
      {3, MiB, 3 * MiB, std::nullopt},  // past the end
      {2, MiB, 2 * MiB + 5, cache::content_range{2 * MiB, 2 * MiB + 4, 2 * MiB + 5}},  // short
      {0, MiB, 1, cache::content_range{0, 0, 1}},
      {0, MiB, 0, std::nullopt},  // an empty object has no blocks
  };
  for (const auto& r : rows)
    EXPECT_EQ(block_bytes(r.index, r.size, r.total), r.want) << r.index << " of " << r.total;
  EXPECT_EQ(block_count(3 * MiB, MiB), 3u);
  EXPECT_EQ(block_count(3 * MiB + 1, MiB), 4u);
  EXPECT_EQ(block_count(0, MiB), 0u);
}

TEST(BlockPlan, EveryBlockIsAskedForAligned) {
  EXPECT_EQ(block_request_range(0, MiB), "bytes=0-1048575");
  EXPECT_EQ(block_request_range(3, 64 * 1024), "bytes=196608-262143");
}

TEST(BlockPlan, BlocksCoveringARange) {
  struct row {
    std::uint64_t offset, length;
    block_span want;
  };
  const std::vector<row> rows = {
      {0, 1, {0, 1}},       {0, MiB, {0, 1}},
      {0, MiB + 1, {0, 2}}, {MiB - 1, 2, {0, 2}},  // crosses a boundary
      {MiB, MiB, {1, 1}},   {5 * MiB + 7, 3 * MiB, {5, 4}},
      {10, 0, {}},
  };
  for (const auto& r : rows)
    EXPECT_EQ(blocks_covering(r.offset, r.length, MiB), r.want) << r.offset << "+" << r.length;
}

TEST(BlockPlan, FirstBlockOfAColdRequest) {
  const std::vector<byte_range_spec> closed = {byte_range_spec::closed_range(3 * MiB + 1, 4 * MiB)};
  const std::vector<byte_range_spec> open = {byte_range_spec::open_range(MiB)};
  const std::vector<byte_range_spec> suffix = {byte_range_spec::suffix_range(100)};
  const std::vector<byte_range_spec> multi = {byte_range_spec::closed_range(2 * MiB, 2 * MiB),
                                              byte_range_spec::closed_range(0, 0)};
  EXPECT_EQ(first_block_needed(closed, MiB), 3u);
  EXPECT_EQ(first_block_needed(open, MiB), 1u);
  EXPECT_EQ(first_block_needed(suffix, MiB), 0u);
  EXPECT_EQ(first_block_needed(multi, MiB), 2u);
  EXPECT_EQ(first_block_needed({}, MiB), 0u);
}

TEST(BlockPlan, IdentityIsAStrongETagElseLastModifiedWithTheLength) {
  const std::string lm = "Tue, 01 Dec 2026 00:00:00 GMT";
  EXPECT_EQ(identity_of("\"a\"", lm, 9), (block_identity{"\"a\"", 9}));
  EXPECT_EQ(identity_of("W/\"a\"", lm, 9), (block_identity{"lm:" + lm, 9}));
  EXPECT_EQ(identity_of("", lm, 9), (block_identity{"lm:" + lm, 9}));
  EXPECT_EQ(identity_of("W/\"a\"", "", 9), std::nullopt);
  EXPECT_EQ(identity_of("", "", 9), std::nullopt);
  // The same validator with another length is another version.
  EXPECT_NE(identity_of("\"a\"", "", 9), identity_of("\"a\"", "", 10));
  // An ETag that looks like a Last-Modified identity is still an ETag.
  EXPECT_NE(identity_of("\"lm:x\"", "", 9), identity_of("", "x", 9));
}

TEST(BlockPlan, AStoredBlockFitsOnlyItsOwnBytesAndVersion) {
  const block_identity id{"\"v1\"", 2 * MiB + 10};
  auto block = [](std::uint64_t first, std::uint64_t last, std::uint64_t total, std::string etag) {
    cache::object_meta m;
    m.status = 206;
    m.etag = std::move(etag);
    m.range = cache::content_range{first, last, total};
    m.content_length = last - first + 1;
    return m;
  };
  EXPECT_TRUE(block_fits(block(MiB, 2 * MiB - 1, id.total, "\"v1\""), id, 1, MiB));
  EXPECT_TRUE(block_fits(block(2 * MiB, 2 * MiB + 9, id.total, "\"v1\""), id, 2, MiB));
  EXPECT_FALSE(block_fits(block(MiB, 2 * MiB - 1, id.total, "\"v2\""), id, 1, MiB));
  EXPECT_FALSE(block_fits(block(MiB, 2 * MiB - 1, id.total + 1, "\"v1\""), id, 1, MiB));
  EXPECT_FALSE(block_fits(block(0, MiB - 1, id.total, "\"v1\""), id, 1, MiB));  // another block
  EXPECT_FALSE(block_fits(block(MiB, 2 * MiB - 2, id.total, "\"v1\""), id, 1, MiB));  // short
  auto whole = block(0, id.total - 1, id.total, "\"v1\"");
  whole.range.reset();
  EXPECT_FALSE(block_fits(whole, id, 0, MiB));
}

TEST(BlockPlan, SequentialReaders) {
  const reader_mark last{"u", 4096, 100};
  struct row {
    std::string_view url;
    std::uint64_t first;
    std::int64_t now;
    bool want;
  };
  const std::vector<row> rows = {
      {"u", 4096, 100, true},  {"u", 4096, 105, true}, {"u", 4096, 106, false},  // too long after
      {"u", 4097, 100, false},                                                   // a gap
      {"u", 0, 100, false},                                                      // went back
      {"v", 4096, 100, false},                                                   // another URL
      {"u", 4096, 99, false},  // before it (a clock that went back)
  };
  for (const auto& r : rows)
    EXPECT_EQ(continues(last, r.url, r.first, r.now), r.want) << r.url << " " << r.first;
  EXPECT_FALSE(continues({}, "", 0, 0));
}

TEST(BlockPlan, ReadAheadStopsAtTheEnd) {
  EXPECT_EQ(read_ahead_span(3, 4, 100), (block_span{4, 4}));
  EXPECT_EQ(read_ahead_span(97, 4, 100), (block_span{98, 2}));
  EXPECT_EQ(read_ahead_span(99, 4, 100), block_span{});
  EXPECT_EQ(read_ahead_span(3, 0, 100), block_span{});
}

}  // namespace
}  // namespace rangecache::plan
