// A synthetic trace (Zipf popularity plus periodic scans of one-time objects) and a cache
// simulator driving an eviction_policy by bytes. Used to choose the default policy
// (bench/cache/policy_sim.cpp) and by a unit test. Header-only: not part of the store.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "rangecache/cache/policy.hpp"

namespace rangecache::cache::sim {

struct trace_params {
  std::uint64_t objects = 100'000;     // popular set, ranked by Zipf
  double alpha = 0.9;                  // Zipf exponent
  std::uint64_t requests = 1'000'000;  // Zipf requests (scans come on top)
  std::uint64_t scan_every = 100'000;  // Zipf requests between two scans
  std::uint64_t scan_length = 20'000;  // distinct objects read once per scan
  std::uint64_t min_size = 16 << 10;   // object sizes: log-uniform in [min, max]
  std::uint64_t max_size = 1 << 20;
  double cache_fraction = 0.1;  // cache bytes / popular set bytes
  std::uint64_t seed = 1;
};

struct sim_result {
  std::uint64_t requests = 0, hits = 0;
  std::uint64_t bytes = 0, hit_bytes = 0;
  double hit_ratio() const { return requests ? double(hits) / double(requests) : 0; }
  double byte_hit_ratio() const { return bytes ? double(hit_bytes) / double(bytes) : 0; }
};

inline std::uint64_t object_size(const trace_params& p, std::uint64_t id) {
  std::uint64_t x = id * 0x9E3779B97F4A7C15ULL + p.seed;
  x = (x ^ (x >> 31)) * 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 29;
  const double u = double(x >> 11) / double(1ULL << 53);
  return static_cast<std::uint64_t>(double(p.min_size) *
                                    std::pow(double(p.max_size) / double(p.min_size), u));
}

inline std::uint64_t popular_bytes(const trace_params& p) {
  std::uint64_t total = 0;
  for (std::uint64_t i = 0; i < p.objects; ++i) total += object_size(p, i);
  return total;
}

// Calls visit(id, size) for each request: Zipf requests over ids [0, objects), and every
// scan_every of them a scan over fresh ids (never requested again).
template <class Visit>
void generate(const trace_params& p, Visit&& visit) {
  std::vector<double> cdf(p.objects);
  double sum = 0;
  for (std::uint64_t i = 0; i < p.objects; ++i)
    cdf[i] = sum += 1.0 / std::pow(double(i + 1), p.alpha);
  for (double& c : cdf) c /= sum;
  // Popularity rank is not id order, so popular objects are not all small or all large.
  std::vector<std::uint64_t> rank_to_id(p.objects);
  for (std::uint64_t i = 0; i < p.objects; ++i) rank_to_id[i] = i;
  std::mt19937_64 rng(p.seed);
  std::shuffle(rank_to_id.begin(), rank_to_id.end(), rng);
  std::uniform_real_distribution<double> u(0, 1);
  std::uint64_t next_scan_id = p.objects;
  for (std::uint64_t r = 0; r < p.requests; ++r) {
    if (p.scan_every && r > 0 && r % p.scan_every == 0)
      for (std::uint64_t s = 0; s < p.scan_length; ++s, ++next_scan_id)
        visit(next_scan_id, object_size(p, next_scan_id));
    const auto rank =
        static_cast<std::uint64_t>(std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin());
    const std::uint64_t id = rank_to_id[std::min(rank, p.objects - 1)];
    visit(id, object_size(p, id));
  }
}

// A cache of `capacity` bytes: a miss inserts, evicting until the object fits.
inline sim_result simulate(eviction_policy& policy, const trace_params& p, std::uint64_t capacity) {
  sim_result r;
  generate(p, [&](std::uint64_t id, std::uint64_t size) {
    const key_hash k{0, id};
    ++r.requests;
    r.bytes += size;
    if (policy.contains(k)) {
      ++r.hits;
      r.hit_bytes += size;
      policy.access(k);
      return;
    }
    if (size > capacity) return;
    while (policy.bytes() + size > capacity && policy.evict()) {
    }
    policy.insert(k, size);
  });
  return r;
}

}  // namespace rangecache::cache::sim
