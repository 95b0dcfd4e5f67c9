// Block mode against a real web server: Debian's nginx serving a 1 GiB file (skipped when
// /usr/sbin/nginx is not installed). The file holds the test origin's generated content, so
// every byte is checked; nginx's access log shows every request that reached it.
#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <set>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"
#include "files.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t MiB = 1u << 20;
constexpr std::uint64_t GiB = 1u << 30;

// The block numbers of the aligned whole-block requests in `ranges`; empty when one of
// them is not one.
std::optional<std::vector<std::uint64_t>> aligned_blocks(const std::vector<std::string>& ranges) {
  static const std::regex form(R"(bytes=(\d+)-(\d+))");
  std::vector<std::uint64_t> out;
  for (const auto& r : ranges) {
    std::smatch m;
    if (!std::regex_match(r, m, form)) return std::nullopt;
    const auto first = std::stoull(m[1]), last = std::stoull(m[2]);
    if (first % MiB != 0 || last != first + MiB - 1) return std::nullopt;
    out.push_back(first / MiB);
  }
  return out;
}

class BlocksNginx : public nginx_suite<BlocksNginx> {
 public:
  static void write_files(nginx_origin& nginx) {
    nginx.write_generated("1g.bin", GiB);
    nginx.write_generated("seq.bin", 64 * MiB);
    nginx.write_generated("cold.bin", 16 * MiB);
  }
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    blocks: { size: 1MiB, min_object: 8MiB, read_ahead: 4 }\n";
    o.max_size = "2GiB";
    return o;
  }

 protected:
  static response range_get(const std::string& target, std::uint64_t first, std::uint64_t last) {
    return get(daemon_->port(), target,
               {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(last)}}, 60s);
  }
};

}  // namespace

TEST_F(BlocksNginx, RandomRangesOverAGiBAreByteExactFromAlignedBlocks) {
  std::mt19937_64 rng(20261130);
  std::set<std::uint64_t> touched;
  for (int i = 0; i < 60; ++i) {
    const auto first = rng() % GiB;
    const auto last = std::min(GiB - 1, first + rng() % (2 * MiB));
    auto r = range_get("/1g.bin", first, last);
    ASSERT_TRUE(is_partial(r, "/1g.bin", first, last, GiB)) << i;
    for (auto k = first / MiB; k <= last / MiB; ++k) touched.insert(k);
  }
  // Again, now from the stored blocks: nothing more reaches nginx.
  const auto before = nginx_->count("/1g.bin");
  for (auto k : touched) {
    auto r = range_get("/1g.bin", k * MiB + 7, k * MiB + 7 + 99);
    EXPECT_EQ(x_cache(r), "HIT") << k;
  }
  EXPECT_EQ(nginx_->count("/1g.bin"), before);
  const auto blocks = aligned_blocks(nginx_->ranges("/1g.bin"));
  ASSERT_TRUE(blocks) << "a request to nginx was not an aligned block";
  // Origin bytes are at most the blocks touched times the block size: each block once.
  EXPECT_LE(blocks->size(), touched.size());
  EXPECT_EQ(std::set<std::uint64_t>(blocks->begin(), blocks->end()).size(), blocks->size());
}

TEST_F(BlocksNginx, ASequentialReaderMeetsStoredBlocksAndOriginBytesStayBounded) {
  connection c("127.0.0.1", daemon_->port(), 60s);
  constexpr std::uint64_t step = 256 * 1024;
  int stored = 0, counted = 0;
  for (std::uint64_t first = 0; first < 16 * MiB; first += step) {
    ASSERT_TRUE(c.send_request(
        "GET", "/seq.bin",
        {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(first + step - 1)}}));
    auto r = c.read_response();
    ASSERT_TRUE(is_partial(r, "/seq.bin", first, first + step - 1, 64 * MiB)) << first;
    if (first < 2 * MiB) continue;
    ++counted;
    stored += x_cache(r) == "HIT";
  }
  EXPECT_GE(stored * 100, counted * 80) << stored << " of " << counted;
  // 16 MiB read, and read-ahead at most read_ahead + 1 blocks beyond.
  const auto blocks = aligned_blocks(nginx_->ranges("/seq.bin"));
  ASSERT_TRUE(blocks);
  EXPECT_LE(blocks->size(), 16u + 5u);
}

TEST_F(BlocksNginx, FiftyRequestsIntoFourColdBlocksMakeFourOriginRequests) {
  constexpr std::size_t n = 50;
  std::vector<response> rs(n);
  run_together(n, [&](std::size_t i) {
    const auto first = (i % 4) * MiB + i * 997;
    rs[i] = range_get("/cold.bin", first, first + 4095);
  });
  for (std::size_t i = 0; i < n; ++i) {
    const auto first = (i % 4) * MiB + i * 997;
    EXPECT_TRUE(is_partial(rs[i], "/cold.bin", first, first + 4095, 16 * MiB)) << i;
  }
  // nginx logs a request once its answer is out, which may be after the clients have their
  // bytes: wait for the four lines.
  wait_until([&] { return nginx_->count("/cold.bin") >= 4; }, 10s);
  auto blocks = aligned_blocks(nginx_->ranges("/cold.bin"));
  ASSERT_TRUE(blocks);
  std::sort(blocks->begin(), blocks->end());
  EXPECT_EQ(*blocks, (std::vector<std::uint64_t>{0, 1, 2, 3}));
}
