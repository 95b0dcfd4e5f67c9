// A randomized property test: thousands of random ranges of every form through the proxy,
// each answer byte-exact against the origin's content, over files that are cold (range
// objects only) and warm (the complete object stored). A model of what the cache holds
// says which answers must be hits and how many requests may reach the origin.
//
// RC_PROPERTY_SEED and RC_PROPERTY_ITERATIONS override the fixed seed and the count.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::strtoull(v, nullptr, 0);
}

// One generated request: the Range value as sent and what it means.
struct gen_range {
  std::string value;
  std::vector<asked_range> specs;
};

struct file_state {
  std::string path;
  std::uint64_t size = 0;
  bool warm = false;
  std::set<std::string> stored;  // canonical ranges stored as range objects (cold files)
  std::int64_t origin_requests = 0;
  std::vector<gen_range> asked;  // for repeats
};

class range_generator {
 public:
  explicit range_generator(std::uint64_t seed) : rng_(seed) {}

  std::uint64_t below(std::uint64_t n) { return n ? rng_() % n : 0; }
  bool chance(unsigned percent) { return below(100) < percent; }

  // A number as the client writes it: sometimes with leading zeros.
  std::string number(std::uint64_t n) {
    std::string s = std::to_string(n);
    if (chance(5)) s.insert(0, 1 + below(3), '0');
    return s;
  }

  // A length biased toward small values, sometimes large.
  std::uint64_t length(std::uint64_t size) {
    switch (below(4)) {
      case 0:
        return 1 + below(16);
      case 1:
        return 1 + below(4096);
      case 2:
        return 1 + below(70000);
      default:
        return 1 + below(size + 1);
    }
  }

  gen_range single(std::uint64_t size) {
    gen_range g;
    asked_range a;
    std::string spec;
    const auto kind = below(100);
    if (kind < 45) {  // closed, inside
      a.first = below(size);
      a.last = std::min(size - 1, a.first + length(size) - 1);
      spec = number(a.first) + "-" + number(a.last);
    } else if (kind < 55) {  // closed, past the end
      a.first = below(size);
      a.last = size + below(100000);
      spec = number(a.first) + "-" + number(a.last);
    } else if (kind < 67) {  // open
      a.first = size > 70000 && chance(70) ? size - 1 - below(70000) : below(size);
      spec = number(a.first) + "-";
    } else if (kind < 82) {  // suffix, sometimes longer than the file
      a.suffix = true;
      a.first = chance(15) ? size + 1 + below(1000) : std::min(size, length(size));
      spec = "-" + number(a.first);
    } else {  // unsatisfiable
      a.first = size + below(1000);
      if (chance(50)) {
        a.last = a.first + below(1000);
        spec = number(a.first) + "-" + number(a.last);
      } else {
        spec = number(a.first) + "-";
      }
    }
    g.value = unit() + spec;
    g.specs.push_back(a);
    return g;
  }

  // 2 to 4 ascending, non-overlapping closed ranges (adjacent ones allowed).
  gen_range multi(std::uint64_t size) {
    gen_range g;
    const auto n = 2 + below(3);
    std::uint64_t at = below(size / 2);
    std::string list;
    for (std::uint64_t i = 0; i < n; ++i) {
      asked_range a;
      a.first = at;
      a.last = at + below(std::max<std::uint64_t>(1, size / (2 * n)));
      at = a.last + 1 + (chance(20) ? 0 : below(size / (2 * n) + 1));
      list += (i ? (chance(30) ? ", " : ",") : "") + std::to_string(a.first) + "-" +
              std::to_string(a.last);
      g.specs.push_back(a);
    }
    g.value = unit() + list;
    return g;
  }

 private:
  std::string unit() { return chance(5) ? "Bytes=" : "bytes="; }

  std::mt19937_64 rng_;
};

std::string canonical(const asked_range& a) {
  if (a.suffix) return "bytes=-" + std::to_string(a.first);
  if (a.last == UINT64_MAX) return "bytes=" + std::to_string(a.first) + "-";
  return "bytes=" + std::to_string(a.first) + "-" + std::to_string(a.last);
}

std::string describe(const gen_range& g) {
  std::string out;
  for (const auto& a : g.specs) out += " " + canonical(a);
  return out;
}

class CacheProperty : public daemon_suite<CacheProperty> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }
};

}  // namespace

TEST_F(CacheProperty, RandomRangesAreByteExactColdAndWarm) {
  const auto seed = env_number("RC_PROPERTY_SEED", 0x5eed2024);
  const auto iterations = env_number("RC_PROPERTY_ITERATIONS", 2000);
  std::cout << "[ property ] seed " << seed << " (RC_PROPERTY_SEED), " << iterations
            << " requests\n";
  ::testing::Test::RecordProperty("seed", std::to_string(seed));

  std::vector<file_state> files;
  for (auto [size, warm] : {std::pair<std::uint64_t, bool>{1000003, false},
                            {65536, false},
                            {4097, false},
                            {1000003, true},
                            {65536, true},
                            {131073, true},
                            {1, true}}) {
    file_state f;
    f.path = "/gen/" + std::to_string(size) + "/prop-" + (warm ? "warm" : "cold") + "-" +
             std::to_string(files.size());
    f.size = size;
    f.warm = warm;
    if (warm) {
      auto r = get(daemon_->port(), f.path, {}, 30s);
      ASSERT_TRUE(is_whole(r, f.path, size));
      ASSERT_EQ(x_cache(r), "MISS");
      f.origin_requests = 1;
    }
    files.push_back(std::move(f));
  }

  range_generator gen(seed);
  std::vector<std::unique_ptr<connection>> conns(4);
  int failures = 0;
  std::map<std::string, int> results;
  for (std::uint64_t i = 0; i < iterations && failures < 10; ++i) {
    auto& f = files[gen.below(files.size())];
    gen_range g;
    if (!f.asked.empty() && gen.chance(12))
      g = f.asked[gen.below(f.asked.size())];  // cold: its range object is a hit now
    else
      g = gen.chance(15) ? gen.multi(f.size) : gen.single(f.size);
    f.asked.push_back(g);

    auto& c = conns[gen.below(conns.size())];
    if (!c) c = std::make_unique<connection>("127.0.0.1", daemon_->port());
    response r;
    if (c->send_request("GET", f.path, {{"Range", g.value}})) r = c->read_response();
    if (!r.complete || iequals(r.header("Connection").value_or(""), "close")) c.reset();
    const auto cache = x_cache(r);
    ++results[cache];

    // What the answer must be.
    ::testing::AssertionResult ok = ::testing::AssertionSuccess();
    const bool single = g.specs.size() == 1;
    std::optional<std::pair<std::uint64_t, std::uint64_t>> span;
    if (single) span = clamp(g.specs[0], f.size);
    if (!single)
      ok = is_multi(r, f.path, f.size, g.specs);
    else if (span)
      ok = is_partial(r, f.path, span->first, span->second, f.size);
    else
      ok = is_unsatisfiable(r, f.size);

    // Where it must come from.
    std::string want_cache;
    if (f.warm) {
      want_cache = "HIT_FULL";
    } else if (single && span) {
      const auto key = canonical(g.specs[0]);
      want_cache = f.stored.count(key) ? "HIT" : "MISS";
      if (want_cache == "MISS") {
        f.stored.insert(key);
        ++f.origin_requests;
      }
    } else {
      ++f.origin_requests;  // multi-range and 416 misses go to the origin, unstored
      if (cache == "HIT" || cache == "HIT_FULL") want_cache = "not a hit";
    }
    if (ok && !want_cache.empty() && want_cache != "not a hit" && cache != want_cache)
      ok = ::testing::AssertionFailure() << "X-Cache " << cache << ", expected " << want_cache;
    if (ok && want_cache == "not a hit")
      ok = ::testing::AssertionFailure() << "X-Cache " << cache << " for an uncacheable answer";
    if (!ok) {
      ++failures;
      ADD_FAILURE() << "request " << i << " (seed " << seed << "): GET " << f.path
                    << " Range: " << g.value << " (" << describe(g) << " ) of " << f.size
                    << " bytes: " << ok.message();
    }
  }

  for (const auto& f : files)
    EXPECT_EQ(origin_->count(f.path), f.origin_requests)
        << f.path << (f.warm ? " (warm)" : " (cold)") << ", seed " << seed;
  std::cout << "[ property ]";
  for (const auto& [k, v] : results) std::cout << " " << k << "=" << v;
  std::cout << "\n";
}
