// Per-request costs of the pure range code: what the proxy pays on every range hit.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "rangecache/range/cache_key.hpp"
#include "rangecache/range/content_range.hpp"
#include "rangecache/range/multipart.hpp"
#include "rangecache/range/normalize.hpp"
#include "rangecache/range/parse.hpp"
#include "rangecache/range/resolve.hpp"
#include "rangecache/util/http_date.hpp"

namespace {

using namespace rangecache;

constexpr std::uint64_t length = 1'073'741'824;  // a 1 GiB object

void BM_ParseResolveSingle(benchmark::State& state) {
  std::string header = "bytes=1048576-2097151";
  for (auto _ : state) {
    benchmark::DoNotOptimize(header.data());
    range::parsed_range parsed = range::parse_range(header);
    range::resolved_ranges r = range::resolve(parsed.specs, length);
    benchmark::DoNotOptimize(r.slices.data());
  }
}
BENCHMARK(BM_ParseResolveSingle);

void BM_ParseResolveTen(benchmark::State& state) {
  std::string header =
      "bytes=0-1023, 8192-16383, 4096-6143, 65536-, -4096, 1048576-1049599, 2048-3071, "
      "300000-300999, 500000-599999, 1024-2047";
  for (auto _ : state) {
    benchmark::DoNotOptimize(header.data());
    range::parsed_range parsed = range::parse_range(header);
    range::resolved_ranges r = range::resolve(parsed.specs, length);
    benchmark::DoNotOptimize(r.slices.data());
  }
}
BENCHMARK(BM_ParseResolveTen);

void BM_NormalizeAndKey(benchmark::State& state) {
  std::string url = "http://origin.internal:8000/videos/2024/keynote/segment-000123.mp4";
  std::string header = "bytes=0-099999";
  for (auto _ : state) {
    benchmark::DoNotOptimize(header.data());
    auto text = range::normalize_range(header);
    std::string key = range::cache_key(url, text->view());
    benchmark::DoNotOptimize(key.data());
  }
}
BENCHMARK(BM_NormalizeAndKey);

void BM_FormatContentRange(benchmark::State& state) {
  range::byte_slice slice{1048576, 1048576};
  for (auto _ : state) {
    benchmark::DoNotOptimize(slice);
    auto text = range::format_content_range(slice, length);
    benchmark::DoNotOptimize(text.chars.data());
  }
}
BENCHMARK(BM_FormatContentRange);

void BM_ParseContentRange(benchmark::State& state) {
  std::string value = "bytes 1048576-2097151/1073741824";
  for (auto _ : state) {
    benchmark::DoNotOptimize(value.data());
    auto cr = range::parse_content_range(value);
    benchmark::DoNotOptimize(cr);
  }
}
BENCHMARK(BM_ParseContentRange);

void BM_MultipartPlanTen(benchmark::State& state) {
  range::parsed_range parsed = range::parse_range(
      "bytes=0-1023,8192-16383,40960-61439,65536-70000,100000-100999,1048576-1049599,"
      "2000000-2000999,3000000-3000999,5000000-5999999,9000000-");
  range::resolved_ranges r = range::resolve(parsed.specs, 10'000'000);
  auto boundary = range::make_boundary(42);
  for (auto _ : state) {
    auto plan = range::plan_multipart(r.slices, 10'000'000, "video/mp4", boundary.view());
    benchmark::DoNotOptimize(plan.content_length);
  }
}
BENCHMARK(BM_MultipartPlanTen);

void BM_FormatHttpDate(benchmark::State& state) {
  std::int64_t t = 1741370818;
  char buffer[util::http_date_length];
  for (auto _ : state) {
    benchmark::DoNotOptimize(t);
    util::format_http_date(t, std::span<char, util::http_date_length>(buffer));
    benchmark::DoNotOptimize(buffer);
    ++t;
  }
}
BENCHMARK(BM_FormatHttpDate);

void BM_HttpDateNow(benchmark::State& state) {
  for (auto _ : state) {
    auto now = util::http_date_now();
    benchmark::DoNotOptimize(now.data());
  }
}
BENCHMARK(BM_HttpDateNow);

void BM_ParseHttpDate(benchmark::State& state) {
  std::string value = "Fri, 07 Mar 2025 18:06:58 GMT";
  for (auto _ : state) {
    benchmark::DoNotOptimize(value.data());
    auto t = util::parse_http_date(value, 1767225600);
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_ParseHttpDate);

}  // namespace

BENCHMARK_MAIN();
