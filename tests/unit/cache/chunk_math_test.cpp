#include "rangecache/cache/chunk_math.hpp"

#include <gtest/gtest.h>

namespace rangecache::cache {
namespace {

constexpr std::uint32_t cs = default_chunk_size;

static_assert(default_chunk_size == 65520);
static_assert(chunk_count(0, cs) == 0);
static_assert(chunk_count(1, cs) == 1);
static_assert(chunk_count(cs, cs) == 1);
static_assert(chunk_count(cs + 1, cs) == 2);

TEST(ChunkMath, Counts) {
  EXPECT_EQ(chunk_count(cs - 1, cs), 1u);
  EXPECT_EQ(chunk_count(64ull << 20, cs), 1025u);  // 64 MiB: 1024 full chunks and a 1024-byte tail
  EXPECT_EQ(chunk_count(2 * cs, cs), 2u);
}

TEST(ChunkMath, Lengths) {
  EXPECT_EQ(chunk_length(0, cs, 0), 0u);
  EXPECT_EQ(chunk_length(1, cs, 0), 1u);
  EXPECT_EQ(chunk_length(cs, cs, 0), cs);
  EXPECT_EQ(chunk_length(cs, cs, 1), 0u);
  EXPECT_EQ(chunk_length(cs + 1, cs, 0), cs);
  EXPECT_EQ(chunk_length(cs + 1, cs, 1), 1u);
  EXPECT_EQ(chunk_length(64ull << 20, cs, 1024), (64ull << 20) - 1024ull * cs);
}

TEST(ChunkMath, CoveringWithinOneChunk) {
  const chunk_span s = chunks_covering(10, 20, cs);
  EXPECT_EQ(s.first, 0u);
  EXPECT_EQ(s.count, 1u);
  EXPECT_EQ(s.first_offset, 10u);
}

TEST(ChunkMath, CoveringBoundaries) {
  // The last byte of chunk 0 alone; the first byte of chunk 1 alone; both.
  EXPECT_EQ(chunks_covering(cs - 1, 1, cs).first, 0u);
  EXPECT_EQ(chunks_covering(cs - 1, 1, cs).count, 1u);
  EXPECT_EQ(chunks_covering(cs - 1, 1, cs).first_offset, cs - 1);
  EXPECT_EQ(chunks_covering(cs, 1, cs).first, 1u);
  EXPECT_EQ(chunks_covering(cs, 1, cs).first_offset, 0u);
  EXPECT_EQ(chunks_covering(cs - 1, 2, cs).count, 2u);
  // Exactly one whole chunk, and one byte more.
  EXPECT_EQ(chunks_covering(0, cs, cs).count, 1u);
  EXPECT_EQ(chunks_covering(0, cs + 1, cs).count, 2u);
  // A 64 KiB range from an unaligned offset spans 2 chunks, sometimes 3.
  EXPECT_EQ(chunks_covering(1000, 65536, cs).count, 2u);
  EXPECT_EQ(chunks_covering(cs - 8, 65536, cs).count, 3u);
}

TEST(ChunkMath, EmptyRangeCoversNothing) {
  EXPECT_EQ(chunks_covering(5, 0, cs).count, 0u);
}

TEST(ChunkMath, CoveringMatchesBruteForce) {
  constexpr std::uint32_t small = 7;
  for (std::uint64_t off = 0; off < 30; ++off) {
    for (std::uint64_t len = 1; len < 30; ++len) {
      const chunk_span s = chunks_covering(off, len, small);
      std::uint64_t first = ~0ull, last = 0;
      for (std::uint64_t b = off; b < off + len; ++b) {
        first = std::min(first, b / small);
        last = std::max(last, b / small);
      }
      EXPECT_EQ(s.first, first) << off << "+" << len;
      EXPECT_EQ(s.count, last - first + 1) << off << "+" << len;
      EXPECT_EQ(s.first_offset, off - first * small) << off << "+" << len;
    }
  }
}

TEST(ChunkMath, StoredSizeFollowsLmdbPages) {
  EXPECT_EQ(stored_size(cs), 16u * 4096 + 24);     // 16 overflow pages, no waste
  EXPECT_EQ(stored_size(65536), 17u * 4096 + 24);  // a power of two wastes a page
  EXPECT_EQ(stored_size(4080), 4096u + 24);
  EXPECT_LT(stored_size(100), 200u);  // small values share a leaf page
}

}  // namespace
}  // namespace rangecache::cache
