// The measurement behind the default eviction policy: LRU against S3-FIFO on a synthetic
// trace of Zipf-popular objects (16 KiB..1 MiB) with periodic scans of objects read once
// (a crawler, a bulk download). Reported as counters: hit_ratio and byte_hit_ratio.
// bench_cache --benchmark_filter=Policy
#include <benchmark/benchmark.h>

#include "cache/policies.hpp"
#include "cache/trace_sim.hpp"

namespace {

using namespace rangecache::cache;

// range(0): 0 = LRU, 1 = S3-FIFO (promote after 1 use, the default), 2 = S3-FIFO (after 2)
// range(1): Zipf alpha × 100; range(2): cache size in % of the popular set;
// range(3): scan length in % of the popular set's object count (0 = no scans).
void BM_PolicySim(benchmark::State& state) {
  sim::trace_params t;
  t.alpha = double(state.range(1)) / 100;
  t.cache_fraction = double(state.range(2)) / 100;
  t.scan_length = t.objects * static_cast<std::uint64_t>(state.range(3)) / 100;
  if (t.scan_length == 0) t.scan_every = 0;
  const auto capacity =
      static_cast<std::uint64_t>(double(sim::popular_bytes(t)) * t.cache_fraction);
  sim::sim_result r;
  for (auto _ : state) {
    std::unique_ptr<eviction_policy> p;
    switch (state.range(0)) {
      case 0:
        p = detail::make_lru_policy();
        break;
      case 1:
        p = detail::make_s3fifo_policy(capacity, 1);
        break;
      default:
        p = detail::make_s3fifo_policy(capacity, 2);
        break;
    }
    r = sim::simulate(*p, t, capacity);
  }
  static const char* names[] = {"lru", "s3fifo", "s3fifo-promote2"};
  state.SetLabel(names[std::min<std::int64_t>(state.range(0), 2)]);
  state.counters["hit_ratio"] = r.hit_ratio();
  state.counters["byte_hit_ratio"] = r.byte_hit_ratio();
  state.counters["requests"] = double(r.requests);
}
BENCHMARK(BM_PolicySim)
    ->ArgNames({"policy", "alpha100", "cache_pct", "scan_pct"})
    ->ArgsProduct({{0, 1, 2}, {70, 90, 110}, {5, 20}, {0, 20}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
