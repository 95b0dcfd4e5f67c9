// Block mode end to end: the real daemon, the scripted test origin (whose every byte the
// tests can compute) and a real LMDB store. Objects are kept as aligned 1 MiB blocks.
#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <set>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t MiB = 1u << 20;
using strings = std::vector<std::string>;

std::string block_rule(std::string_view min_object = "0", int read_ahead = 4) {
  return "    blocks: { size: 1MiB, min_object: " + std::string(min_object) +
         ", read_ahead: " + std::to_string(read_ahead) + " }\n";
}

// The aligned Range a block is asked for with.
std::string aligned(std::uint64_t k) {
  return "bytes=" + std::to_string(k * MiB) + "-" + std::to_string((k + 1) * MiB - 1);
}

// Every Range the origin saw is a whole aligned block.
::testing::AssertionResult all_aligned(const strings& ranges) {
  static const std::regex form(R"(bytes=(\d+)-(\d+))");
  for (const auto& r : ranges) {
    std::smatch m;
    if (!std::regex_match(r, m, form))
      return ::testing::AssertionFailure() << "not a block request: " << r;
    const auto first = std::stoull(m[1]), last = std::stoull(m[2]);
    if (first % MiB != 0 || last != first + MiB - 1)
      return ::testing::AssertionFailure() << "not aligned: " << r;
  }
  return ::testing::AssertionSuccess();
}

// A sample of the admin listener's text, labels included ("name{rule=...,event=\"hit\"}").
double block_metric(std::uint16_t admin_port, std::string_view event) {
  auto r = get(admin_port, "/metrics");
  const std::regex line("rangecache_rule_blocks_total\\{rule=\"[^\"]*\",event=\"" +
                        std::string(event) + "\"\\} (\\d+)");
  std::smatch m;
  return std::regex_search(r.body, m, line) ? std::stod(m[1]) : 0;
}

class Blocks : public daemon_suite<Blocks> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = block_rule();
    o.purge_allow = "[\"127.0.0.1/32\"]";
    return o;
  }
};

}  // namespace

TEST_F(Blocks, RandomRangesAreByteExactFromAlignedBlocks) {
  const std::uint64_t size = 24 * MiB + 4321;  // a short last block
  const auto path = unique_gen(size, ".bin");
  std::mt19937_64 rng(7);
  std::set<std::uint64_t> touched;
  for (int i = 0; i < 40; ++i) {
    const auto first = rng() % size;
    const auto last = std::min(size - 1, first + rng() % (3 * MiB));
    auto r =
        range_get(path, "bytes=" + std::to_string(first) + "-" + std::to_string(last), {}, 30s);
    ASSERT_TRUE(is_partial(r, path, first, last, size)) << i;
    for (auto k = first / MiB; k <= last / MiB; ++k) touched.insert(k);
  }
  const auto ranges = origin_->ranges(path);
  EXPECT_TRUE(all_aligned(ranges));
  // Each block came from the origin once: origin bytes are at most the blocks touched.
  EXPECT_LE(ranges.size(), touched.size());
  EXPECT_EQ(std::set<std::string>(ranges.begin(), ranges.end()).size(), ranges.size());
}

TEST_F(Blocks, EveryKindOfRangeIsAnsweredFromTheBlocks) {
  const std::uint64_t size = 5 * MiB + 17;
  const auto path = unique_gen(size, ".bin");
  const std::string etag = expected_etag(path, size);
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    EXPECT_TRUE(is_partial(range_get(path, "bytes=1048570-1048585"), path, 1048570, 1048585, size));
    EXPECT_TRUE(is_partial(range_get(path, "bytes=-100"), path, size - 100, size - 1, size));
    EXPECT_TRUE(is_partial(range_get(path, "bytes=5242000-"), path, 5242000, size - 1, size));
    EXPECT_TRUE(is_unsatisfiable(range_get(path, "bytes=9999999-"), size));
    auto multi = range_get(path, "bytes=0-9,3145720-3145739");
    EXPECT_TRUE(is_multi(multi, path, size, {{0, 9}, {3145720, 3145739}}));
    EXPECT_TRUE(is_whole(get(daemon_->port(), path, {}, 30s), path, size));
    auto h = head(daemon_->port(), path);
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.header("Content-Length"), std::to_string(size));
    EXPECT_TRUE(
        is_partial(range_get(path, "bytes=10-19", {{"If-Range", etag}}), path, 10, 19, size));
    EXPECT_TRUE(
        is_whole(range_get(path, "bytes=10-19", {{"If-Range", "\"other\""}}, 30s), path, size));
    EXPECT_EQ(get(daemon_->port(), path, {{"If-None-Match", etag}}).status, 304);
  }
  // The second round was served from the stored blocks.
  EXPECT_EQ(x_cache(range_get(path, "bytes=0-5242896")), "HIT");
  EXPECT_TRUE(all_aligned(origin_->ranges(path)));
  EXPECT_LE(origin_->count(path), 6);
}

TEST_F(Blocks, ConcurrentRequestsShareOneFetchPerBlock) {
  const std::uint64_t size = 8 * MiB;
  const auto path = unique_gen(size, ".bin");
  constexpr std::size_t n = 50;
  std::vector<response> rs(n);
  run_together(n, [&](std::size_t i) {
    const auto first = (i % 4) * MiB + i * 1000;
    rs[i] = range_get(path, "bytes=" + std::to_string(first) + "-" + std::to_string(first + 999),
                      {}, 30s);
  });
  for (std::size_t i = 0; i < n; ++i) {
    const auto first = (i % 4) * MiB + i * 1000;
    EXPECT_TRUE(is_partial(rs[i], path, first, first + 999, size)) << i;
  }
  auto ranges = origin_->ranges(path);
  std::sort(ranges.begin(), ranges.end());
  EXPECT_EQ(ranges, (strings{aligned(0), aligned(1), aligned(2), aligned(3)}));
}

TEST_F(Blocks, ASequentialReaderMeetsStoredBlocks) {
  const std::uint64_t size = 32 * MiB;
  const auto path = unique_gen(size, ".bin");
  const auto hits_before = block_metric(daemon_->admin_port(), "read_ahead_used");
  connection c("127.0.0.1", daemon_->port(), 30s);
  constexpr std::uint64_t step = 256 * 1024;
  int stored = 0, counted = 0;
  for (std::uint64_t first = 0; first < 16 * MiB; first += step) {
    const auto last = first + step - 1;
    ASSERT_TRUE(c.send_request(
        "GET", path, {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(last)}}));
    auto r = c.read_response();
    ASSERT_TRUE(is_partial(r, path, first, last, size)) << first;
    if (first < 2 * MiB) continue;
    ++counted;
    stored += x_cache(r) == "HIT";
  }
  EXPECT_GE(stored * 100, counted * 80) << stored << " of " << counted;
  // Read-ahead stops `read_ahead` blocks past the reader: the origin sent at most the 16
  // blocks read and 5 more, whenever it is looked at.
  const auto bound = [&] { return origin_->ranges(path).size() <= 16 + 5; };
  EXPECT_TRUE(bound());
  EXPECT_TRUE(all_aligned(origin_->ranges(path)));
  EXPECT_GT(block_metric(daemon_->admin_port(), "read_ahead_used"), hits_before);
  EXPECT_GT(block_metric(daemon_->admin_port(), "hit"), 0);
}

TEST_F(Blocks, PurgeRemovesEveryBlock) {
  const std::uint64_t size = 3 * MiB;
  const auto path = unique_gen(size, ".bin");
  EXPECT_TRUE(is_whole(get(daemon_->port(), path, {}, 30s), path, size));
  EXPECT_EQ(x_cache(range_get(path, "bytes=0-" + std::to_string(size - 1))), "HIT");
  auto p = request(daemon_->port(), "PURGE", path);
  EXPECT_EQ(p.status, 200) << p;
  auto again = range_get(path, "bytes=2097152-2097160");
  EXPECT_TRUE(is_partial(again, path, 2097152, 2097160, size));
  EXPECT_EQ(x_cache(again), "MISS");
  EXPECT_EQ(origin_->count(path), 4);
}

namespace {

class BlocksPerTest : public daemon_per_test<BlocksPerTest> {};

// One response of a reader of `path` while its version changes: complete and exactly one
// version's bytes, or cut short (never bytes of two versions).
::testing::AssertionResult one_version_or_cut(const response& r, const std::string& path,
                                              std::uint64_t first, std::uint64_t length) {
  if (!r.complete) return ::testing::AssertionSuccess();
  if (r.body == expected_bytes(path, first, length) ||
      r.body == expected_bytes(path, first, length, "v2"))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "bytes of neither version (or of both): " << r;
}

}  // namespace

TEST_F(BlocksPerTest, AVersionChangeMidAnswerCutsTheClientAndTheNextAnswerIsTheNewVersion) {
  auto d = start(block_rule("0", 0));
  const std::uint64_t size = 4 * MiB;
  const auto path = unique_gen(size, ".bin");
  // From the origin's third request for this target on, the object is another version.
  const auto target = path + "?switch_at=3&switch_to=v2";
  auto b0 = get(d->port(), target, {{"Range", "bytes=0-99"}}, 30s);
  EXPECT_TRUE(is_partial(b0, path, 0, 99, size));
  auto b1 = get(d->port(), target, {{"Range", "bytes=1048576-1048675"}}, 30s);
  EXPECT_TRUE(is_partial(b1, path, 1048576, 1048675, size));
  // Blocks 0 and 1 are stored; block 2 comes back as v2 after the first 2 MiB were sent.
  auto whole = get(d->port(), target, {}, 30s);
  EXPECT_EQ(whole.status, 200);
  EXPECT_FALSE(whole.complete) << whole;
  EXPECT_TRUE(one_version_or_cut(whole, path, 0, size));
  // The next answer is all v2: the old blocks were dropped, nothing of them is served.
  auto next = get(d->port(), target, {}, 30s);
  EXPECT_TRUE(is_whole(next, path, size, "v2"));
  auto hit = get(d->port(), target, {{"Range", "bytes=0-99"}}, 30s);
  EXPECT_TRUE(is_partial(hit, path, 0, 99, size, "v2"));
  EXPECT_EQ(x_cache(hit), "HIT");
}

TEST_F(BlocksPerTest, AVersionChangeBeforeTheFirstByteRestartsOnTheNewVersion) {
  auto d = start(block_rule("0", 0));
  const std::uint64_t size = 4 * MiB;
  const auto path = unique_gen(size, ".bin");
  const auto target = path + "?switch_at=2&switch_to=v2";
  EXPECT_TRUE(
      is_partial(get(d->port(), target, {{"Range", "bytes=0-99"}}, 30s), path, 0, 99, size));
  // Block 1 is not stored: its fetch finds v2 before anything was sent, so the answer is
  // v2 from the start.
  auto r = get(d->port(), target, {{"Range", "bytes=1048586-1048616"}}, 30s);
  EXPECT_TRUE(is_partial(r, path, 1048586, 1048616, size, "v2"));
  auto first = get(d->port(), target, {{"Range", "bytes=0-99"}}, 30s);
  EXPECT_TRUE(is_partial(first, path, 0, 99, size, "v2"));
}

TEST_F(BlocksPerTest, SequentialReadsAcrossAVersionChangeNeverMixBytes) {
  auto d = start(block_rule("0", 4));
  const std::uint64_t size = 12 * MiB;
  const auto path = unique_gen(size, ".bin");
  const auto target = path + "?switch_at=5&switch_to=v2";
  constexpr std::uint64_t step = 512 * 1024;
  int complete = 0;
  for (std::uint64_t first = 0; first < size; first += step) {
    auto r =
        get(d->port(), target,
            {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(first + step - 1)}},
            30s);
    EXPECT_TRUE(one_version_or_cut(r, path, first, step)) << first;
    complete += r.complete;
  }
  EXPECT_GT(complete, 0);
  // In the end the object is v2 throughout.
  EXPECT_TRUE(is_whole(get(d->port(), target, {}, 30s), path, size, "v2"));
}

TEST_F(BlocksPerTest, RestartKeepsTheBlocks) {
  temp_dir cache("rc-blocks-cache");
  auto o = defaults();
  o.rule_extra = block_rule();
  o.cache_path = cache.path().string();
  const std::uint64_t size = 3 * MiB;
  const auto path = unique_gen(size, ".bin");
  {
    proxy_daemon d(o);
    EXPECT_TRUE(is_whole(get(d.port(), path, {}, 30s), path, size));
  }
  const auto before = suite_origin().count(path);
  proxy_daemon d(o);
  auto r = get(d.port(), path, {{"Range", "bytes=1000000-2100000"}}, 30s);
  EXPECT_TRUE(is_partial(r, path, 1000000, 2100000, size));
  EXPECT_EQ(x_cache(r), "HIT");
  EXPECT_EQ(suite_origin().count(path), before);
}

TEST_F(BlocksPerTest, ObjectsBelowMinObjectTakeTheOrdinaryPath) {
  auto d = start(block_rule("4MiB") + "    cache_range_requests: {}\n");
  const std::uint64_t size = 2 * MiB;
  const auto path = unique_gen(size, ".bin");
  auto r = get(d->port(), path, {{"Range", "bytes=100-199"}}, 30s);
  EXPECT_TRUE(is_partial(r, path, 100, 199, size));
  auto r2 = get(d->port(), path, {{"Range", "bytes=300-399"}}, 30s);
  EXPECT_TRUE(is_partial(r2, path, 300, 399, size));
  // One block request told the length; then the client's own ranges went upstream.
  auto ranges = suite_origin().ranges(path);
  std::sort(ranges.begin(), ranges.end());
  EXPECT_EQ(ranges, (strings{aligned(0), "bytes=100-199", "bytes=300-399"}));
}

TEST_F(BlocksPerTest, AnOriginThatIgnoresRangeIsServedAsUsual) {
  auto d = start(block_rule());
  const std::uint64_t size = 2 * MiB;
  const auto path = unique_gen(size, ".bin");
  const auto target = path + "?ignore_range=1";
  auto r = get(d->port(), target, {{"Range", "bytes=100-199"}}, 30s);
  EXPECT_TRUE(is_partial(r, path, 100, 199, size)) << r;
  auto w = get(d->port(), target, {}, 30s);
  EXPECT_TRUE(is_whole(w, path, size));
}

TEST_F(BlocksPerTest, ARangePastTheEndOfAColdObjectIs416FromTheOrdinaryPath) {
  auto d = start(block_rule());
  const std::uint64_t size = 2 * MiB;
  const auto path = unique_gen(size, ".bin");
  auto r = get(d->port(), path, {{"Range", "bytes=5000000-"}}, 30s);
  EXPECT_TRUE(is_unsatisfiable(r, size));
  // The block holding the first byte asked for told nothing to keep; the request went on.
  auto ranges = suite_origin().ranges(path);
  std::sort(ranges.begin(), ranges.end());
  EXPECT_EQ(ranges, (strings{aligned(4), "bytes=5000000-"}));
  // Within the object, block mode goes on as usual.
  auto in = get(d->port(), path, {{"Range", "bytes=10-19"}}, 30s);
  EXPECT_TRUE(is_partial(in, path, 10, 19, size));
}
