// Read-while-write: the bytes of a fill in progress that are already durable can be read
// through fill::progress_ref() before its record commits, as fill::progress() says.
#include <atomic>
#include <chrono>
#include <thread>

#include "store_conformance.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;

// Reads [off, off + len) of `ref` batch by batch and checks it against the pattern.
::testing::AssertionResult read_range(reader& r, const object_ref& ref, std::uint64_t seed,
                                      std::uint64_t off, std::uint64_t len) {
  const std::uint64_t end = off + len;
  while (off < end) {
    std::int64_t bad = -1;
    const read_result res = r.read(ref, off, end - off, [&](std::span<const mapped_slice> s) {
      std::size_t n = 0;
      for (const mapped_slice& m : s) {
        if (bad < 0) bad = first_difference(seed, off + n, {m.data, m.size});
        n += m.size;
      }
      return n;
    });
    if (res.status != read_status::ok)
      return ::testing::AssertionFailure()
             << "read status " << static_cast<int>(res.status) << " at " << off;
    if (bad >= 0) return ::testing::AssertionFailure() << "byte " << bad << " differs";
    if (res.bytes == 0) return ::testing::AssertionFailure() << "no progress at " << off;
    off += res.bytes;
  }
  return ::testing::AssertionSuccess();
}

std::uint64_t durable(const fill_progress& p) {
  return p.durable_bytes.load(std::memory_order_acquire);
}
int state(const fill_progress& p) {
  return p.state.load(std::memory_order_acquire);
}

TEST_P(StoreConformance, DurableChunksReadableBeforeCommit) {
  auto& s = store_;
  reader r(*s);
  ASSERT_TRUE(r.valid());
  const std::string key = "http://p/a";
  const std::uint64_t seed = seed_of(key);
  const std::uint64_t len = 8 * cs + 123;
  fill f = s->begin_fill(key, "http://p/a", {len});
  ASSERT_TRUE(f.active());
  const auto p = f.progress();
  ASSERT_TRUE(p);
  const object_ref ref = f.progress_ref();
  EXPECT_EQ(ref.hash, hash_key(key));
  EXPECT_NE(ref.id, 0u);
  EXPECT_EQ(ref.length, len);
  EXPECT_EQ(ref.chunk_size, cs);
  EXPECT_EQ(durable(*p), 0u);
  EXPECT_EQ(state(*p), fill_progress::filling);

  ASSERT_EQ(stream(f, seed, 5 * cs + 77), fill_error::none);  // 5 chunks queued, 77 staged
  s->flush();
  EXPECT_EQ(durable(*p), 5 * cs);
  EXPECT_EQ(state(*p), fill_progress::filling);
  EXPECT_FALSE(s->peek(key));  // not visible yet
  EXPECT_TRUE(read_range(r, ref, seed, 0, 5 * cs));
  EXPECT_TRUE(read_range(r, ref, seed, 3 * cs - 5, cs + 10));  // across a chunk boundary
  // Past what is durable the chunks are not there (yet).
  EXPECT_EQ(r.read(ref, 5 * cs, 1, [](std::span<const mapped_slice>) { return 0; }).status,
            read_status::gone);

  // The rest, as the commit writes it.
  std::vector<std::byte> rest(len - (5 * cs + 77));
  pattern(seed, 5 * cs + 77, rest);
  ASSERT_EQ(f.append(std::span<const std::byte>(rest)), fill_error::none);
  const commit_result c = f.commit_wait(meta_for(len));
  ASSERT_TRUE(c.ok()) << to_string(c.error);
  EXPECT_EQ(state(*p), fill_progress::committed);
  EXPECT_EQ(durable(*p), len);
  EXPECT_EQ(c.ref, ref);
  EXPECT_EQ(f.progress_ref(), ref);
  EXPECT_TRUE(read_range(r, ref, seed, 0, len));
  const auto o = s->peek(key);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->ref, ref);
}

TEST_P(StoreConformance, ReadWhileWriteOfUnknownLength) {
  auto& s = store_;
  reader r(*s);
  const std::string key = "http://p/unknown";
  const std::uint64_t seed = seed_of(key);
  const std::uint64_t len = 3 * cs + 100;
  fill f = s->begin_fill(key, key);
  const auto p = f.progress();
  const object_ref ref = f.progress_ref();
  EXPECT_EQ(ref.length, object_ref::unknown_length);
  ASSERT_EQ(stream(f, seed, len), fill_error::none);
  s->flush();
  EXPECT_EQ(durable(*p), 3 * cs);
  EXPECT_TRUE(read_range(r, ref, seed, 0, 3 * cs));

  ASSERT_TRUE(f.commit_wait(meta_for(len)).ok());
  EXPECT_EQ(state(*p), fill_progress::committed);
  EXPECT_EQ(durable(*p), len);
  EXPECT_EQ(f.progress_ref().length, len);
  // The ref of unknown length still reads everything, and stops at the short last chunk.
  EXPECT_TRUE(read_range(r, ref, seed, 0, len));
  std::vector<std::byte> buf(len + 5000);
  const read_result all = r.read_copy(ref, 0, buf);
  EXPECT_EQ(all.status, read_status::ok);
  EXPECT_EQ(all.bytes, len);
  EXPECT_EQ(first_difference(seed, 0, {buf.data(), len}), -1);
  const read_result tail = r.read_copy(ref, len - 10, {buf.data(), 100});
  EXPECT_EQ(tail.status, read_status::ok);
  EXPECT_EQ(tail.bytes, 10u);
  EXPECT_EQ(r.read_copy(ref, len, {buf.data(), 100}).bytes, 0u);
}

TEST_P(StoreConformance, AbortFailsFollowersAndChunksGo) {
  auto& s = store_;
  reader r(*s);
  const std::string key = "http://p/abort";
  const std::uint64_t seed = seed_of(key);
  std::shared_ptr<const fill_progress> p;
  object_ref ref;
  {
    fill f = s->begin_fill(key, key, {10 * cs});
    p = f.progress();
    ref = f.progress_ref();
    ASSERT_EQ(stream(f, seed, 4 * cs), fill_error::none);
    s->flush();
    EXPECT_EQ(durable(*p), 4 * cs);
    EXPECT_TRUE(read_range(r, ref, seed, 0, 4 * cs));
    f.abort();
    EXPECT_EQ(state(*p), fill_progress::failed);
  }  // the progress outlives the handle
  s->flush();
  EXPECT_EQ(state(*p), fill_progress::failed);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  read_status st = read_status::ok;
  std::byte b[16];
  while (std::chrono::steady_clock::now() < deadline) {
    st = r.read_copy(ref, 0, b).status;
    if (st == read_status::gone) break;
    s->flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(st, read_status::gone);
  EXPECT_FALSE(s->peek(key));
}

TEST_P(StoreConformance, DestroyedHandleAndRefusedCommitFail) {
  auto& s = store_;
  std::shared_ptr<const fill_progress> p1, p2;
  {
    fill f = s->begin_fill("http://p/d", "http://p/d", {2 * cs});
    p1 = f.progress();
    ASSERT_EQ(stream(f, 1, cs), fill_error::none);
  }
  EXPECT_EQ(state(*p1), fill_progress::failed);

  // The writer refuses the commit (a purge of the key happened while filling).
  fill f = s->begin_fill("http://p/e", "http://p/e", {2 * cs});
  p2 = f.progress();
  ASSERT_EQ(stream(f, 2, 2 * cs), fill_error::none);
  s->purge_wait("http://p/e");
  const commit_result c = f.commit_wait(meta_for(2 * cs));
  EXPECT_EQ(c.error, fill_error::purged);
  EXPECT_EQ(state(*p2), fill_progress::failed);

  fill never;
  EXPECT_FALSE(never.progress());
  EXPECT_FALSE(never.progress_ref().valid());
}

TEST_P(StoreConformance, FollowerReadsWhileFilling) {
  auto& s = store_;
  const std::string key = "http://p/big";
  const std::uint64_t seed = seed_of(key);
  constexpr std::uint64_t len = 32ull << 20;
  fill f = s->begin_fill(key, key, {len});
  ASSERT_TRUE(f.active());
  const auto p = f.progress();
  const object_ref ref = f.progress_ref();

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> followed{0}, polls_with_progress{0};
  std::string follower_error;
  std::thread follower([&] {
    reader r(*s);
    if (!r.valid()) {
      follower_error = "no reader slot";
      return;
    }
    std::uint64_t done = 0, last_durable = 0;
    for (;;) {
      const int st = state(*p);  // before durable_bytes: committed implies all durable
      const std::uint64_t d = durable(*p);
      if (d < last_durable) {
        follower_error = "durable_bytes went back";
        return;
      }
      last_durable = d;
      if (d > done) {
        ++polls_with_progress;
        if (auto res = read_range(r, ref, seed, done, d - done); !res) {
          follower_error = res.message();
          return;
        }
        done = d;
        followed = done;
      }
      if (st == fill_progress::committed && done == len) return;
      if (st == fill_progress::failed) {
        follower_error = "fill failed";
        return;
      }
      if (stop) {
        follower_error = "stopped at " + std::to_string(done);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });

  std::vector<std::byte> buf(100003);  // not a multiple of the chunk size
  for (std::uint64_t off = 0; off < len;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), len - off));
    pattern(seed, off, {buf.data(), n});
    ASSERT_EQ(f.append(std::span<const std::byte>(buf.data(), n)), fill_error::none);
    off += n;
    std::this_thread::sleep_for(std::chrono::microseconds(2000));
  }
  const commit_result c = f.commit_wait(meta_for(len));
  EXPECT_TRUE(c.ok()) << to_string(c.error);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (followed.load() < len && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop = true;
  follower.join();
  EXPECT_EQ(follower_error, "");
  EXPECT_EQ(followed.load(), len);
  EXPECT_EQ(state(*p), fill_progress::committed);
  EXPECT_GT(polls_with_progress.load(), 10u);  // it really followed, not read at the end
}

// Followers wait on listeners rather than polling: every step of a fill must wake them,
// and by the time a commit (or abort) returns they have heard its outcome.
TEST_P(StoreConformance, ProgressListenersHearEveryStep) {
  const std::string key = "http://p/listened";
  fill f = store_->begin_fill(key, key, {3 * cs + 5});
  const auto p = f.progress();
  std::atomic<int> calls{0};
  std::atomic<std::uint64_t> heard_durable{0};
  std::atomic<int> heard_state{fill_progress::filling};
  const auto id = p->listen([&] {
    ++calls;
    heard_durable = durable(*p);
    heard_state = state(*p);
  });
  ASSERT_EQ(stream(f, seed_of(key), 3 * cs + 5), fill_error::none);
  store_->flush();
  EXPECT_GE(calls.load(), 1);
  EXPECT_EQ(heard_durable.load(), 3 * cs);
  EXPECT_EQ(heard_state.load(), fill_progress::filling);
  ASSERT_TRUE(f.commit_wait(meta_for(3 * cs + 5)).ok());
  EXPECT_EQ(heard_durable.load(), 3 * cs + 5);
  EXPECT_EQ(heard_state.load(), fill_progress::committed);
  p->unlisten(id);

  fill g = store_->begin_fill(key + "/aborted", key + "/aborted");
  const auto q = g.progress();
  std::atomic<int> heard_failed{0};
  const auto qid = q->listen([&] {
    if (state(*q) == fill_progress::failed) ++heard_failed;
  });
  ASSERT_EQ(stream(g, 1, cs), fill_error::none);
  g.abort();
  EXPECT_GE(heard_failed.load(), 1);
  store_->flush();
  q->unlisten(qid);
}

}  // namespace
}  // namespace rc_store_test
