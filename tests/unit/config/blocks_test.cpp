// remap[].blocks (block mode): the defaults, each key, sizes with units, and each error at
// its line.
#include "config_test_util.hpp"

namespace rangecache::config {
namespace {

using testing::load;

constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t mib = kib * 1024;
constexpr std::uint64_t gib = mib * 1024;
constexpr std::uint64_t tib = gib * 1024;

// A file whose remap rules start at line 3.
std::string with_base(std::string_view rules) {
  return "listen: \"127.0.0.1:8080\"\nremap:\n" + testing::doc(rules);
}

// One rule, on line 3, with `blocks: <blocks>` and `extra` (more keys of the rule) before it.
std::string one_rule(std::string_view blocks, std::string_view extra = "") {
  return with_base("  - { from: \"http://c/\", to: \"http://127.0.0.1:8000/\", " +
                   std::string(extra) + "blocks: " + std::string(blocks) + " }\n");
}

TEST(ConfigBlocks, OnlyOnTheRulesThatHaveIt) {
  const auto cfg = load(one_rule("{}"));
  EXPECT_TRUE(cfg.remap[0].blocks);
  const auto plain =
      load(with_base("  - { from: \"http://c/\", to: \"http://127.0.0.1:8000/\" }\n"));
  EXPECT_FALSE(plain.remap[0].blocks);
}

TEST(ConfigBlocks, EmptyMapMeansDefaults) {
  const auto b = *load(one_rule("{}")).remap[0].blocks;
  EXPECT_EQ(b.size, 1 * mib);
  EXPECT_EQ(b.min_object, 256 * mib);
  EXPECT_EQ(b.read_ahead, 4u);
}

TEST(ConfigBlocks, BlockStyleWithEveryKey) {
  const auto cfg = load(with_base(R"(
  - from: http://c/
    to: http://127.0.0.1:8000/
    cache_range_requests: {}
    blocks:
      size: 4MiB
      min_object: 1GiB
      read_ahead: 8
  - from: http://d/
    to: http://127.0.0.1:8000/
)"));
  ASSERT_TRUE(cfg.remap[0].blocks);
  EXPECT_EQ(cfg.remap[0].blocks->size, 4 * mib);
  EXPECT_EQ(cfg.remap[0].blocks->min_object, 1 * gib);
  EXPECT_EQ(cfg.remap[0].blocks->read_ahead, 8u);
  EXPECT_FALSE(cfg.remap[1].blocks);  // per rule
}

TEST(ConfigBlocks, EachKeyAloneKeepsTheOtherDefaults) {
  struct row {
    const char* blocks;
    std::uint64_t size, min_object;
    std::uint32_t read_ahead;
  };
  const row table[] = {
      {"{ size: 2MiB }", 2 * mib, 256 * mib, 4},
      {"{ min_object: 0 }", 1 * mib, 0, 4},  // every object
      {"{ min_object: 10GiB }", 1 * mib, 10 * gib, 4},
      {"{ read_ahead: 0 }", 1 * mib, 256 * mib, 0},  // off
      {"{ read_ahead: 64 }", 1 * mib, 256 * mib, 64},
  };
  for (const auto& t : table) {
    const auto b = *load(one_rule(t.blocks)).remap[0].blocks;
    EXPECT_EQ(b.size, t.size) << t.blocks;
    EXPECT_EQ(b.min_object, t.min_object) << t.blocks;
    EXPECT_EQ(b.read_ahead, t.read_ahead) << t.blocks;
  }
}

TEST(ConfigBlocks, SizeUnits) {
  struct row {
    const char* text;
    std::uint64_t bytes;
  };
  const row table[] = {
      {"64KiB", 64 * kib},                                                 // the smallest
      {"65536", 64 * kib},                                                 // plain bytes
      {"512kib", 512 * kib}, {"1MiB", 1 * mib},      {"64MiB", 64 * mib},  // the largest
      {"1000KB", 1'000'000}, {"\"2 MiB\"", 2 * mib},
  };
  for (const auto& t : table) {
    const auto b = *load(one_rule(std::string("{ size: ") + t.text + " }")).remap[0].blocks;
    EXPECT_EQ(b.size, t.bytes) << t.text;
  }
  EXPECT_EQ(load(one_rule("{ min_object: 2TiB }")).remap[0].blocks->min_object, 2 * tib);
  EXPECT_EQ(load(one_rule("{ min_object: 300MB }")).remap[0].blocks->min_object, 300'000'000u);
}

TEST(ConfigBlocks, Errors) {
  struct row {
    const char* blocks;
    const char* fragment;
  };
  const row table[] = {
      {"{ size: 32KiB }", "remap[0].blocks.size: expected a block size from 64KiB to 64MiB"},
      {"{ size: 65535 }", "from 64KiB to 64MiB, got '65535'"},
      {"{ size: 65MiB }", "from 64KiB to 64MiB, got '65MiB'"},
      {"{ size: 1GiB }", "from 64KiB to 64MiB"},
      {"{ size: 0 }", "from 64KiB to 64MiB"},
      {"{ size: big }", "remap[0].blocks.size: expected a size like"},
      {"{ size: 1.5MiB }", "expected a size like"},
      {"{ min_object: -1 }", "remap[0].blocks.min_object: expected a size like"},
      {"{ min_object: [ 1 ] }", "expected a size like"},
      {"{ read_ahead: 65 }", "remap[0].blocks.read_ahead: expected a whole number from 0 to 64"},
      {"{ read_ahead: -1 }", "from 0 to 64"},
      {"{ read_ahead: 2MiB }", "from 0 to 64"},
      {"{ block_size: 1MiB }",
       "remap[0].blocks.block_size: unknown key (expected one of: size, "
       "min_object, read_ahead)"},
      {"{ size: 1MiB, size: 2MiB }", "key given twice"},
      {"true", "remap[0].blocks: expected a map like { size: 1MiB"},
      {"1MiB", "({} for the defaults), got '1MiB'"},
      {"[ 1MiB ]", "got a list"},
  };
  for (const auto& t : table) EXPECT_CONFIG_ERROR(one_rule(t.blocks), 3, t.fragment);
}

TEST(ConfigBlocks, ErrorLinesInBlockStyle) {
  const std::string head = R"(
  - from: http://c/
    to: http://127.0.0.1:8000/
    blocks:
)";
  EXPECT_CONFIG_ERROR_AT(with_base(head + "      size: 128MiB\n"), 6, 13, "blocks.size");
  EXPECT_CONFIG_ERROR_AT(with_base(head + "      size: 1MiB\n      read_ahead: 100\n"), 7, 19,
                         "blocks.read_ahead");
  EXPECT_CONFIG_ERROR_AT(with_base(head + "      size: 1MiB\n      readahead: 2\n"), 7, 7,
                         "blocks.readahead: unknown key");
  // An empty value points at its key, not at whatever the next line holds.
  EXPECT_CONFIG_ERROR_AT(with_base(head + "  - from: http://d/\n    to: http://127.0.0.1:8000/\n"),
                         5, 5, "remap[0].blocks: expected a map like");
}

TEST(ConfigBlocks, NoModifyCachekeyIsRefused) {
  // With Range in the key the no_modify_cachekey check of its own passes: this one must
  // still refuse it, naming both places.
  EXPECT_CONFIG_ERROR(with_base(R"(
  - from: http://c/
    to: http://127.0.0.1:8000/
    cache_range_requests: { no_modify_cachekey: true }
    cache_key: { headers: [Range] }
    blocks: { size: 1MiB }
)"),
                      7,
                      "remap[0].blocks: cannot be used with "
                      "cache_range_requests.no_modify_cachekey: true (line 5): block mode keys "
                      "every block by its own aligned range");
  // Without Range in the key too, the blocks error is the one given.
  EXPECT_CONFIG_ERROR(one_rule("{}", "cache_range_requests: { no_modify_cachekey: true }, "), 3,
                      "block mode keys every block by its own aligned range");
  // no_modify_cachekey: false, or range caching with its defaults, goes with blocks.
  EXPECT_TRUE(load(one_rule("{}", "cache_range_requests: { no_modify_cachekey: false }, "))
                  .remap[0]
                  .blocks);
  EXPECT_TRUE(load(one_rule("{}", "cache_range_requests: true, ")).remap[0].blocks);
}

}  // namespace
}  // namespace rangecache::config
