// The background-fetch scheduler (include/rangecache/fetch/scheduler.hpp): one fetch per URL,
// back-off after a failure, a bounded FIFO queue, at most max_concurrent running.
#include "rangecache/fetch/scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace rangecache;
using fetch::offer_result;
using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

namespace {

fetch::job job_for(std::string url) {
  fetch::job j;
  j.url = url;
  j.key = url;
  j.target = url.substr(url.find('/', 7));
  j.host = "127.0.0.1";
  j.port = 8000;
  j.headers = {{"User-Agent", "test"}, {"Host", "origin.test"}};
  return j;
}

offer_result offer(fetch::scheduler& s, const std::string& url, clock_type::time_point now) {
  auto j = job_for(url);
  return s.offer(j, now);
}

const std::string A = "http://o/a", B = "http://o/b", C = "http://o/c", D = "http://o/d",
                  E = "http://o/e";

}  // namespace

TEST(FetchScheduler, FirstOfferStartsAtOnceAndKeepsTheJob) {
  fetch::scheduler s;
  s.configure(2, 4, milliseconds(1000));
  auto j = job_for(A);
  EXPECT_EQ(s.offer(j, clock_type::now()), offer_result::start_now);
  // The caller runs it: the job it passed is still whole.
  EXPECT_EQ(j.url, A);
  EXPECT_EQ(j.target, "/a");
  EXPECT_EQ(j.headers.size(), 2u);
  EXPECT_TRUE(s.in_flight(A));
  EXPECT_FALSE(s.in_flight(B));
  EXPECT_EQ(s.running(), 1u);
  EXPECT_EQ(s.queued(), 0u);
  EXPECT_EQ(s.stats().offered.load(), 1u);
  EXPECT_EQ(s.stats().started.load(), 1u);
}

TEST(FetchScheduler, OneFetchPerUrlAtATime) {
  fetch::scheduler s;
  s.configure(4, 4, milliseconds(1000));
  const auto now = clock_type::now();
  EXPECT_EQ(offer(s, A, now), offer_result::start_now);
  EXPECT_EQ(offer(s, A, now), offer_result::duplicate);
  EXPECT_EQ(offer(s, A, now), offer_result::duplicate);
  EXPECT_EQ(s.running(), 1u);
  EXPECT_EQ(s.stats().duplicates.load(), 2u);
  // Done: the URL is free again (a success sets no back-off).
  EXPECT_FALSE(s.finish(A, true, now));
  EXPECT_FALSE(s.in_flight(A));
  EXPECT_EQ(s.running(), 0u);
  EXPECT_EQ(offer(s, A, now), offer_result::start_now);
  EXPECT_EQ(s.stats().completed.load(), 1u);
}

TEST(FetchScheduler, QueueThenDropWhenFull) {
  fetch::scheduler s;
  s.configure(2, 2, milliseconds(1000));
  const auto now = clock_type::now();
  EXPECT_EQ(offer(s, A, now), offer_result::start_now);
  EXPECT_EQ(offer(s, B, now), offer_result::start_now);
  auto c = job_for(C);
  EXPECT_EQ(s.offer(c, now), offer_result::queued);
  EXPECT_EQ(offer(s, D, now), offer_result::queued);
  EXPECT_EQ(offer(s, E, now), offer_result::queue_full);
  EXPECT_EQ(s.running(), 2u);
  EXPECT_EQ(s.queued(), 2u);
  EXPECT_EQ(s.stats().dropped_queue_full.load(), 1u);
  // A queued URL counts as taken; a dropped one does not.
  EXPECT_TRUE(s.in_flight(C));
  EXPECT_EQ(offer(s, C, now), offer_result::duplicate);
  EXPECT_FALSE(s.in_flight(E));
  EXPECT_EQ(s.stats().dropped_queue_full.load(), 1u);
}

TEST(FetchScheduler, AFinishedSlotPassesToTheOldestQueuedJob) {
  fetch::scheduler s;
  s.configure(1, 3, milliseconds(1000));
  const auto t0 = clock_type::now();
  EXPECT_EQ(offer(s, A, t0), offer_result::start_now);
  EXPECT_EQ(offer(s, B, t0 + milliseconds(1)), offer_result::queued);
  EXPECT_EQ(offer(s, C, t0 + milliseconds(2)), offer_result::queued);

  auto next = s.finish(A, true, t0 + milliseconds(10));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->url, B);
  EXPECT_EQ(next->target, "/b");
  EXPECT_EQ(next->host, "127.0.0.1");
  EXPECT_EQ(next->port, 8000);
  EXPECT_EQ(next->headers.size(), 2u);
  EXPECT_EQ(next->queued_at, t0 + milliseconds(1));
  EXPECT_EQ(s.running(), 1u);
  EXPECT_EQ(s.queued(), 1u);
  EXPECT_TRUE(s.in_flight(B));
  EXPECT_FALSE(s.in_flight(A));
  // Still one slot: a new URL waits behind C.
  EXPECT_EQ(offer(s, D, t0 + milliseconds(11)), offer_result::queued);

  next = s.finish(B, false, t0 + milliseconds(20));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->url, C);
  next = s.finish(C, true, t0 + milliseconds(30));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->url, D);
  EXPECT_FALSE(s.finish(D, true, t0 + milliseconds(40)));
  EXPECT_EQ(s.running(), 0u);
  EXPECT_EQ(s.queued(), 0u);
  EXPECT_EQ(s.stats().started.load(), 4u);
  EXPECT_EQ(s.stats().completed.load(), 3u);
  EXPECT_EQ(s.stats().failed.load(), 1u);
}

TEST(FetchScheduler, AFailureBacksTheUrlOffForTheConfiguredTime) {
  fetch::scheduler s;
  s.configure(4, 4, milliseconds(2000));
  const auto t0 = clock_type::now();
  EXPECT_EQ(offer(s, A, t0), offer_result::start_now);
  EXPECT_FALSE(s.finish(A, false, t0 + milliseconds(100)));
  EXPECT_FALSE(s.in_flight(A));
  EXPECT_EQ(offer(s, A, t0 + milliseconds(100)), offer_result::backing_off);
  EXPECT_EQ(offer(s, A, t0 + milliseconds(2099)), offer_result::backing_off);
  EXPECT_EQ(s.stats().backing_off.load(), 2u);
  // Other URLs are not held back.
  EXPECT_EQ(offer(s, B, t0 + milliseconds(200)), offer_result::start_now);
  // The back-off is over: a fetch may start again.
  EXPECT_EQ(offer(s, A, t0 + milliseconds(2100)), offer_result::start_now);
  // And a second failure backs it off again, from the new failure.
  EXPECT_FALSE(s.finish(A, false, t0 + milliseconds(5000)));
  EXPECT_EQ(offer(s, A, t0 + milliseconds(6000)), offer_result::backing_off);
  EXPECT_EQ(offer(s, A, t0 + milliseconds(7001)), offer_result::start_now);
}

TEST(FetchScheduler, ASuccessAfterAFailureClearsNothingButIsNotBackedOff) {
  fetch::scheduler s;
  s.configure(1, 1, milliseconds(500));
  const auto t0 = clock_type::now();
  EXPECT_EQ(offer(s, A, t0), offer_result::start_now);
  s.finish(A, false, t0);
  EXPECT_EQ(offer(s, A, t0 + milliseconds(600)), offer_result::start_now);
  s.finish(A, true, t0 + milliseconds(700));
  EXPECT_EQ(offer(s, A, t0 + milliseconds(701)), offer_result::start_now);
}

TEST(FetchScheduler, ABackedOffOfferTakesNoSlotAndNoQueuePlace) {
  fetch::scheduler s;
  s.configure(1, 1, milliseconds(10'000));
  const auto t0 = clock_type::now();
  EXPECT_EQ(offer(s, A, t0), offer_result::start_now);
  s.finish(A, false, t0);
  EXPECT_EQ(offer(s, A, t0), offer_result::backing_off);
  EXPECT_EQ(s.running(), 0u);
  EXPECT_EQ(s.queued(), 0u);
  EXPECT_EQ(offer(s, B, t0), offer_result::start_now);
  EXPECT_EQ(offer(s, C, t0), offer_result::queued);
}

TEST(FetchScheduler, ZeroConcurrencyMeansOne) {
  fetch::scheduler s;
  s.configure(0, 1, milliseconds(1000));
  const auto now = clock_type::now();
  EXPECT_EQ(offer(s, A, now), offer_result::start_now);
  EXPECT_EQ(offer(s, B, now), offer_result::queued);
  EXPECT_EQ(offer(s, C, now), offer_result::queue_full);
}

TEST(FetchScheduler, ManyFailingUrlsDoNotBlockEachOther) {
  // The back-off memory is pruned past some size; whatever it keeps, a URL whose back-off
  // ran out can always start again.
  fetch::scheduler s;
  s.configure(1, 1, milliseconds(1000));
  const auto t0 = clock_type::now();
  for (int i = 0; i < 6000; ++i) {
    const auto url = "http://o/f" + std::to_string(i);
    const auto now = t0 + milliseconds(i);
    ASSERT_EQ(offer(s, url, now), offer_result::start_now) << i;
    s.finish(url, false, now);
  }
  // The most recent failures are still backed off.
  EXPECT_EQ(offer(s, "http://o/f5999", t0 + milliseconds(6500)), offer_result::backing_off);
  const auto late = t0 + milliseconds(6000 + 1000);
  EXPECT_EQ(offer(s, "http://o/f0", late), offer_result::start_now);
  s.finish("http://o/f0", true, late);
}

TEST(FetchScheduler, ConcurrentOffersStartEachUrlOnce) {
  fetch::scheduler s;
  s.configure(1000, 1000, milliseconds(1000));
  constexpr int urls = 200, threads = 8, rounds = 5;
  std::atomic<int> started{0}, duplicates{0}, other{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int r = 0; r < rounds; ++r)
        for (int i = 0; i < urls; ++i) {
          auto j = job_for("http://o/u" + std::to_string((i + t * 7) % urls));
          switch (s.offer(j, clock_type::now())) {
            case offer_result::start_now:
              ++started;
              break;
            case offer_result::duplicate:
              ++duplicates;
              break;
            default:
              ++other;
          }
        }
    });
  for (auto& t : pool) t.join();
  EXPECT_EQ(started.load(), urls);
  EXPECT_EQ(duplicates.load(), urls * threads * rounds - urls);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(s.running(), static_cast<std::size_t>(urls));
  EXPECT_EQ(s.stats().offered.load(), static_cast<std::uint64_t>(urls * threads * rounds));
}

TEST(FetchScheduler, ConcurrentFinishesHandOutEveryQueuedJobOnce) {
  fetch::scheduler s;
  s.configure(4, 10'000, milliseconds(1000));
  const auto now = clock_type::now();
  constexpr int total = 2000;
  std::vector<std::string> running;
  for (int i = 0; i < total; ++i) {
    auto url = "http://o/q" + std::to_string(i);
    auto r = offer(s, url, now);
    if (r == offer_result::start_now) running.push_back(url);
    ASSERT_TRUE(r == offer_result::start_now || r == offer_result::queued) << i;
  }
  ASSERT_EQ(running.size(), 4u);
  // Four "workers", each running its slot's chain of jobs to the end.
  std::atomic<int> ran{0};
  std::vector<std::thread> pool;
  for (const auto& first : running)
    pool.emplace_back([&, first] {
      std::optional<fetch::job> next = job_for(first);
      while (next) {
        ++ran;
        next = s.finish(next->url, true, clock_type::now());
      }
    });
  for (auto& t : pool) t.join();
  EXPECT_EQ(ran.load(), total);
  EXPECT_EQ(s.running(), 0u);
  EXPECT_EQ(s.queued(), 0u);
  EXPECT_EQ(s.stats().completed.load(), static_cast<std::uint64_t>(total));
}
