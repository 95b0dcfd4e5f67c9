// Background fetch of a multi-GiB object with flat memory, and a daemon stopped (SIGTERM)
// or killed (SIGKILL) in the middle of a fetch: after a restart on the same store, no
// partial object is ever served.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

std::string range_of(std::uint64_t first, std::uint64_t last) {
  return "bytes=" + std::to_string(first) + "-" + std::to_string(last);
}

// Samples a process's anonymous RSS every 50 ms on a thread of its own.
class rss_sampler {
 public:
  explicit rss_sampler(pid_t pid)
      : thread_([this, pid] {
          while (!stop_) {
            if (auto m = rss_kib(pid)) {
              peak_ = std::max<std::int64_t>(peak_, m->rss_anon_kib);
              ++samples_;
            }
            std::this_thread::sleep_for(50ms);
          }
        }) {}
  ~rss_sampler() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::int64_t peak_kib() const { return peak_; }
  int samples() const { return samples_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> peak_{0};
  std::atomic<int> samples_{0};
  std::thread thread_;
};

// A daemon per test: each measures the memory of a daemon that has fetched nothing else.
class FetchLarge : public daemon_per_test<FetchLarge> {
 protected:
  // Range objects and background fetch (logged to `log`), with room for 2 GiB objects.
  static daemon_options options(const std::filesystem::path& log) {
    daemon_options o = defaults();
    o.max_size = "16GiB";  // the largest object is a quarter of it
    o.rule_extra = "    cache_range_requests: {}\n    background_fetch: true\n";
    o.extra = "background_fetch: { log: " + log.string() + " }\n";
    return o;
  }
};

}  // namespace

TEST_F(FetchLarge, TwoGiBObjectIsFetchedWithFlatMemory) {
  constexpr std::uint64_t size = 2ull << 30;
  temp_dir logs("rc-fetch-large");
  const auto log = logs / "fetch.log";
  proxy_daemon d(options(log));

  const std::string path = "/gen/2147483648/big.bin";
  const auto baseline = rss_kib(d.proc().pid());
  ASSERT_TRUE(baseline);
  rss_sampler sampler(d.proc().pid());
  const auto started = std::chrono::steady_clock::now();
  auto miss = get(d.port(), path, {{"Range", "bytes=1000-1999"}}, 30s);
  EXPECT_TRUE(is_partial(miss, path, 1000, 1999, size)) << miss;
  auto end = wait_fetch_end(log, path, 120s);
  sampler.stop();
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(end) << read_file(log).value_or("<no fetch log>");
  EXPECT_EQ(end->result, "ok") << end->raw;
  EXPECT_EQ(end->bytes, size) << end->raw;
  std::cout << "[ report   ] 2 GiB fetch: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms, RssAnon baseline " << baseline->rss_anon_kib << " KiB, peak "
            << sampler.peak_kib() << " KiB over " << sampler.samples() << " samples" << std::endl;
  EXPECT_GT(sampler.samples(), 5);
  if (memory_bounds_apply) {
    EXPECT_LT(sampler.peak_kib(), 64 * 1024) << "memory grew with the object";
  }
  EXPECT_EQ(full_gets(suite_origin(), path), 1);

  // Served from the complete object, byte for byte, anywhere in it.
  for (std::uint64_t first :
       {std::uint64_t{0}, std::uint64_t{(1ull << 30) + 12345}, size - 65536}) {
    auto hit = get(d.port(), path, {{"Range", range_of(first, first + 65535)}}, 30s);
    EXPECT_TRUE(is_partial(hit, path, first, first + 65535, size)) << first;
    EXPECT_EQ(x_cache(hit), "HIT_FULL") << first;
  }
  const std::uint64_t mid = (3ull << 29) + 7;  // 1.5 GiB + 7: not chunk-aligned
  auto big = get_hashed(d.port(), path, {{"Range", range_of(mid, mid + (64u << 20) - 1)}}, 60s);
  EXPECT_EQ(big.status, 206) << big;
  EXPECT_EQ(big.body_size, 64u << 20);
  EXPECT_EQ(big.body_sha256, expected_sha256(path, mid, 64u << 20));
  EXPECT_EQ(x_cache(big), "HIT_FULL");
  EXPECT_EQ(suite_origin().count(path), 2);
}

TEST_F(FetchLarge, ConcurrentLargeFetchesAllComplete) {
  // Three 512 MiB objects fetched at once (max_concurrent is 4) from an origin faster than
  // the store's writer: the fetches must wait for the writer (back-pressure), not fail.
  constexpr std::uint64_t size = 512u << 20;
  temp_dir logs("rc-fetch-large");
  const auto log = logs / "fetch.log";
  proxy_daemon d(options(log));
  std::vector<std::string> paths;
  for (int i = 0; i < 3; ++i)
    paths.push_back("/gen/536870912/concurrent-" + std::to_string(i) + ".bin");
  rss_sampler sampler(d.proc().pid());
  const auto started = std::chrono::steady_clock::now();
  for (const auto& p : paths) {
    auto miss = get(d.port(), p, {{"Range", "bytes=0-999"}}, 30s);
    EXPECT_TRUE(is_partial(miss, p, 0, 999, size)) << miss;
  }
  std::vector<std::optional<fetch_log_line>> ends;
  for (const auto& p : paths) ends.push_back(wait_fetch_end(log, p, 120s));
  sampler.stop();
  std::cout << "[ report   ] 3 x 512 MiB concurrent fetches: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count()
            << " ms, RssAnon peak " << sampler.peak_kib() << " KiB; results:";
  for (const auto& e : ends) std::cout << " [" << (e ? e->result : "<no end>") << "]";
  std::cout << std::endl;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    ASSERT_TRUE(ends[i]) << paths[i] << "\n" << read_file(log).value_or("");
    EXPECT_EQ(ends[i]->result, "ok") << ends[i]->raw;
    EXPECT_EQ(ends[i]->bytes, size) << ends[i]->raw;
  }
  for (const auto& p : paths) {
    auto hit = get(d.port(), p, {{"Range", range_of(size - 65536, size - 1)}}, 30s);
    EXPECT_TRUE(is_partial(hit, p, size - 65536, size - 1, size)) << p;
    EXPECT_EQ(x_cache(hit), "HIT_FULL") << p;
  }
}

namespace {

// A daemon per test, stopped mid-fetch, then another on the same store.
class FetchShutdown : public daemon_per_test<FetchShutdown> {
 protected:
  daemon_options options() const {
    daemon_options o = defaults();
    o.max_size = "1GiB";
    o.cache_path = (store_ / "cache").string();
    o.rule_extra = "    cache_range_requests: {}\n    background_fetch: true\n";
    o.extra = "background_fetch: { log: " + log().string() + " }\n";
    return o;
  }
  std::filesystem::path log() const { return store_ / "fetch.log"; }

  // Starts a fetch of a 16 MiB object sent at 8 MB/s, stops the daemon with `sig` about
  // 0.7 s into it, restarts on the same store and checks what it serves.
  void interrupt_a_fetch(int sig) {
    constexpr std::uint64_t size = 16u << 20;
    const auto name = unique_gen(size);
    const auto path = name + "?slow=8000000";
    {
      proxy_daemon first(options());
      auto miss = get(first.port(), path, {{"Range", "bytes=0-65535"}}, 10s);
      ASSERT_TRUE(is_partial(miss, name, 0, 65535, size)) << miss;
      ASSERT_TRUE(wait_until([&] { return full_gets(suite_origin(), path) == 1; }, 10s));
      std::this_thread::sleep_for(700ms);
      ASSERT_TRUE(fetch_log_for(log(), path).size() == 1)
          << "the fetch ended before the signal: " << read_file(log()).value_or("");
      const auto signalled = std::chrono::steady_clock::now();
      ASSERT_TRUE(first.proc().signal(sig));
      auto status = first.proc().wait_exit(15s);
      ASSERT_TRUE(status) << "still running 15 s after signal " << sig;
      if (sig == SIGTERM) {
        EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
            << describe_wait_status(*status);
        EXPECT_LT(std::chrono::steady_clock::now() - signalled, 5s)
            << "a background fetch held up the drain";
      }
    }
    proxy_daemon second(options());
    // Inside and beyond what the interrupted fetch received: never a complete object yet.
    for (std::uint64_t first : {std::uint64_t{1'000'000}, std::uint64_t{12'000'000}}) {
      auto r = get(second.port(), path, {{"Range", range_of(first, first + 65535)}}, 10s);
      EXPECT_TRUE(is_partial(r, name, first, first + 65535, size)) << first << "\n" << r;
      EXPECT_NE(x_cache(r), "HIT_FULL") << first << ": a partial object was served";
    }
    auto whole_before = get_hashed(second.port(), path, {}, 30s);
    EXPECT_EQ(whole_before.status, 200) << whole_before;
    EXPECT_EQ(whole_before.body_size, size);
    EXPECT_EQ(whole_before.body_sha256, expected_sha256(name, 0, size));
    // The range object stored before the interruption is intact (or gone).
    auto old = get(second.port(), path, {{"Range", "bytes=0-65535"}}, 10s);
    EXPECT_TRUE(is_partial(old, name, 0, 65535, size)) << old;

    // The store still works: a fetch completes and serves the whole object.
    auto end = wait_until(
        [&] {
          for (const auto& l : fetch_log_for(log(), path))
            if (l.event == "end" && l.result == "ok") return true;
          return false;
        },
        20s);
    auto after = get_hashed(second.port(), path, {{"Range", "bytes=100-16000000"}}, 30s);
    EXPECT_EQ(after.status, 206) << after;
    EXPECT_EQ(after.body_sha256, expected_sha256(name, 100, 16000000 - 100 + 1));
    if (end) {
      EXPECT_EQ(x_cache(after), "HIT_FULL") << after;
    }
  }

  temp_dir store_{"rc-fetch-shutdown"};
};

}  // namespace

TEST_F(FetchShutdown, SigtermDuringAFetchLeavesNoPartialObject) {
  interrupt_a_fetch(SIGTERM);
}

TEST_F(FetchShutdown, SigkillDuringAFetchLeavesNoPartialObject) {
  interrupt_a_fetch(SIGKILL);
}
