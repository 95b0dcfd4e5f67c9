// What writing one access-log line costs a hit, per format: formatting alone, and the whole
// write through the file logger. "previous" is the line as it was written before the
// formats existed (one spdlog format call), to show the default did not get dearer.
#include <benchmark/benchmark.h>

#include <spdlog/sinks/basic_file_sink.h>

#include <cstdio>
#include <filesystem>

#include "proxy/access_log.hpp"

namespace {

using namespace rangecache;
using config::access_log_format;

proxy::access_entry hit_entry() {
  proxy::access_entry e;
  e.client = "192.0.2.7";
  e.method = "GET";
  e.host = "videos.example.com";
  e.target = "/v/2026/11/a-long-enough-name.mp4?token=abcdef0123456789";
  e.range = "bytes=1048576-1114111";
  e.user_agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
  e.status = 206;
  e.bytes = 65536;
  e.cache = "HIT_FULL";
  e.first_byte = e.start;
  return e;
}

void BM_Format(benchmark::State& state) {
  const auto format = static_cast<access_log_format>(state.range(0));
  const auto e = hit_entry();
  for (auto _ : state) {
    fmt::memory_buffer out;
    proxy::format_access(format, e, proxy::measure_access(e, format), out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Format)->Arg(0)->Arg(1)->Arg(2)->ArgNames({"line/json/combined"});

std::shared_ptr<spdlog::logger> file_logger(const char* pattern) {
  const auto path = std::filesystem::temp_directory_path() / "rc-access-bench.log";
  auto logger = std::make_shared<spdlog::logger>(
      "bench", std::make_shared<spdlog::sinks::basic_file_sink_mt>(path.string(), true));
  logger->set_pattern(pattern, spdlog::pattern_time_type::utc);
  return logger;
}

// As a worker writes: lines gathered in its batch, handed to the logger 32 KiB at a time.
void BM_WriteLine(benchmark::State& state) {
  const auto format = static_cast<access_log_format>(state.range(0));
  const auto log = std::make_shared<const proxy::access_log>(file_logger("%v"), format);
  proxy::access_batch batch;
  const auto e = hit_entry();
  for (auto _ : state) batch.add(log, e);
}
BENCHMARK(BM_WriteLine)->Arg(0)->Arg(1)->Arg(2)->ArgNames({"line/json/combined"});

void BM_WriteLinePrevious(benchmark::State& state) {
  auto log = file_logger("%Y-%m-%dT%H:%M:%S.%e%z %v");
  const auto e = hit_entry();
  for (auto _ : state) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - e.start)
                  .count();
    log->info("{} {} {}{}{} {} {} {}.{:03} {} {}", e.client, e.method,
              e.host.empty() ? "" : "http://", e.host, e.target, e.status, e.bytes, us / 1000,
              us % 1000, e.cache,
              e.upstream_status ? std::to_string(e.upstream_status) : std::string("-"));
  }
}
BENCHMARK(BM_WriteLinePrevious);

}  // namespace

BENCHMARK_MAIN();
