// Bodies sent from files of their own (cache.zero_copy: on) and from the map (off), under the
// races that could mix versions: a slow client reading a large object while it is purged,
// replaced by a new version and evicted, with the daemon restarted between rounds. Each
// client gets exactly one version's bytes, or a cut connection after a prefix of them.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <filesystem>

#include "cache_checks.hpp"
#include "content.hpp"
#include "daemon_fixture.hpp"
#include "files.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t object_size = 20ull << 20;

class ZeroCopy : public daemon_per_test<ZeroCopy>, public ::testing::WithParamInterface<bool> {
 protected:
  bool files() const { return GetParam(); }

  std::unique_ptr<proxy_daemon> start_on(const std::filesystem::path& cache) {
    daemon_options o = defaults();
    o.rule_extra = "    cache_range_requests: {}\n";
    o.max_size = "128MiB";
    o.cache_path = cache.string();
    o.cache_extra = std::string(", zero_copy: ") + (files() ? "on" : "off");
    o.purge_allow = "[\"127.0.0.1/32\"]";
    return std::make_unique<proxy_daemon>(o);
  }
};

// A client that asked for the whole object and then stops reading, with a small receive
// buffer, so most of the body is still to be sent while the test changes the store.
struct slow_client {
  connection c;
  std::string received;
  slow_client(std::uint16_t port, const std::string& target) : c("127.0.0.1", port, 30s) {
    const int small = 16 << 10;
    ::setsockopt(c.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    EXPECT_TRUE(c.send_request("GET", target));
    // The head and the first bytes: the answer is under way before anything changes.
    received = c.read_available(2s, 64 << 10);
    EXPECT_EQ(received.rfind("HTTP/1.1 200", 0), 0u) << received.substr(0, 200);
  }
};

// What a slow client got, read to its end: the whole of `version`, or (a cut connection) a
// prefix of it. Never a byte of another version or another object.
::testing::AssertionResult one_version(const std::string& head_and_body, std::string_view name,
                                       std::string_view version, bool& complete) {
  const auto split = head_and_body.find("\r\n\r\n");
  if (split == std::string::npos) return ::testing::AssertionFailure() << "no response head";
  const std::string_view body = std::string_view(head_and_body).substr(split + 4);
  if (body.size() > object_size)
    return ::testing::AssertionFailure() << "a body of " << body.size() << " bytes";
  complete = body.size() == object_size;
  if (body != expected_bytes(name, 0, body.size(), version))
    return ::testing::AssertionFailure()
           << "the " << body.size() << " bytes received are not a prefix of version '" << version
           << "'";
  return ::testing::AssertionSuccess();
}

// Reads until the whole body is there, or the daemon cut the connection.
std::string read_to_end(slow_client& s) {
  s.c.set_timeout(20s);
  for (;;) {
    const auto split = s.received.find("\r\n\r\n");
    if (split == std::string::npos) return s.received;
    const std::uint64_t body = s.received.size() - split - 4;
    if (body >= object_size) return s.received;
    std::string more = s.c.read_available(5s, object_size - body);
    if (more.empty()) return s.received;
    s.received += more;
  }
}

TEST_P(ZeroCopy, SlowClientsGetOneVersionWhileTheObjectIsPurgedReplacedAndEvicted) {
  temp_dir cache("rc-zero-copy");
  std::uint64_t complete_v1 = 0, complete_v2 = 0;
  for (int round = 0; round < 2; ++round) {
    auto d = start_on(cache.path());  // a restart between rounds, on the same store
    const std::string name = unique_gen(object_size, ".bin");
    const std::string target = name + "?switch_at=2&switch_to=v2";
    auto first = get_hashed(d->port(), target);
    ASSERT_EQ(first.body_sha256, expected_sha256(name, 0, object_size)) << first;
    auto hit = get_hashed(d->port(), target);
    ASSERT_EQ(x_cache(hit), "HIT_FULL") << hit;
    ASSERT_EQ(hit.body_sha256, first.body_sha256);

    slow_client old_version(d->port(), target);
    EXPECT_EQ(request(d->port(), "PURGE", target).status, 200);
    // The origin's second request: version v2 replaces v1 under the same key.
    auto replaced = get_hashed(d->port(), target);
    ASSERT_EQ(replaced.body_sha256, expected_sha256(name, 0, object_size, "v2")) << replaced;
    slow_client new_version(d->port(), target);
    // Enough other objects to evict v2 from a 128 MiB store.
    for (int i = 0; i < 6; ++i) {
      const std::string other = unique_gen(object_size, ".bin");
      ASSERT_EQ(get_hashed(d->port(), other).body_size, object_size);
    }

    bool complete = false;
    EXPECT_TRUE(one_version(read_to_end(old_version), name, "", complete));
    complete_v1 += complete ? 1 : 0;
    EXPECT_TRUE(one_version(read_to_end(new_version), name, "v2", complete));
    complete_v2 += complete ? 1 : 0;
    EXPECT_TRUE(d->proc().running()) << d->proc().stderr_text();
  }
  // A body in a file is opened once per answer and never changes, so those answers run to
  // their end whatever happens to the object; from the map they are cut once its chunks
  // are reclaimed (how far they got depends on timing, so only their bytes are checked).
  if (files()) {
    EXPECT_EQ(complete_v1, 2u);
    EXPECT_EQ(complete_v2, 2u);
  }
}

// After a restart, an object whose body is in a file is still served, byte-exact, as a hit;
// one purged before the restart is not, and its file is gone.
TEST_P(ZeroCopy, BodiesSurviveARestartAndPurgedOnesLeaveNoFile) {
  temp_dir cache("rc-zero-copy");
  const std::string kept = unique_gen(3ull << 20, ".bin");
  const std::string purged = unique_gen(3ull << 20, ".bin");
  {
    auto d = start_on(cache.path());
    for (const auto& path : {kept, purged})
      ASSERT_EQ(get_hashed(d->port(), path).body_sha256, expected_sha256(path, 0, 3ull << 20));
    EXPECT_EQ(request(d->port(), "PURGE", purged).status, 200);
  }
  auto d = start_on(cache.path());
  auto hit = get(d->port(), kept, {{"Range", "bytes=1000000-2999999"}});
  EXPECT_EQ(x_cache(hit), "HIT_FULL") << hit;
  EXPECT_TRUE(is_partial(hit, kept, 1000000, 2999999, 3ull << 20));
  std::size_t files_left = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator(cache.path() / "bodies"))
    ++files_left;
  EXPECT_EQ(files_left, files() ? 1u : 0u);
  auto miss = get(d->port(), purged, {{"Range", "bytes=0-99"}});
  EXPECT_EQ(x_cache(miss), "MISS") << miss;
}

INSTANTIATE_TEST_SUITE_P(SendPaths, ZeroCopy, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "files" : "map"; });

}  // namespace
