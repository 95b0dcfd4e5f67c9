// kill -9 at random points while a child process fills, replaces, aborts and purges: the
// store must reopen consistent, every visible object byte-exact, every object the child saw
// committed (and did not purge since) still there.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "store_fixture.hpp"

namespace rc_store_test {
namespace {

constexpr std::uint64_t cs = default_chunk_size;
constexpr int key_count = 30;

std::string key_of(int k) {
  return "http://crash/" + std::to_string(k % 5) + "/" + std::to_string(k);
}
std::string url_of(int k) {
  return "http://crash/" + std::to_string(k % 5) + "/" + std::to_string(k);
}

// Runs in the forked child until killed. The log gets "C key gen" after a commit returned
// and "P key" before a purge is queued, with unbuffered writes: a SIGKILL keeps what
// write() returned (the page cache survives the process).
[[noreturn]] void child(const store_settings& set, const std::string& log, int round,
                        int ready_fd) {
  auto s = store::open(set);
  FILE* out = std::fopen(log.c_str(), "a");
  if (!out) ::_exit(2);
  std::setvbuf(out, nullptr, _IONBF, 0);
  const char ok = 'k';
  if (::write(ready_fd, &ok, 1) != 1) ::_exit(3);
  std::mt19937_64 rng(static_cast<std::uint64_t>(round) * 7919 +
                      static_cast<std::uint64_t>(::getpid()));
  for (std::uint64_t n = 0;; ++n) {
    const int k = static_cast<int>(rng() % key_count);
    const std::uint64_t gen = static_cast<std::uint64_t>(round) * 1'000'000 + n;
    const unsigned what = static_cast<unsigned>(rng() % 20);
    if (what == 0) {
      std::fprintf(out, "P %s\n", key_of(k).c_str());
      s->purge(key_of(k));
      continue;
    }
    const std::uint64_t len = rng() % (6 * cs) + (rng() % 3 == 0 ? 0 : 1);
    fill f = s->begin_fill(key_of(k), url_of(k), {len});
    if (stream(f, seed_of(key_of(k), gen), len, 1 + rng() % (2 * cs)) != fill_error::none)
      ::_exit(4);
    if (what == 1) {
      f.abort();
      continue;
    }
    if (what == 2) continue;  // destroyed uncommitted
    const commit_result r = f.commit_wait(meta_for(len, gen));
    if (!r.ok()) ::_exit(5);
    std::fprintf(out, "C %s %llu\n", key_of(k).c_str(), static_cast<unsigned long long>(gen));
  }
}

struct expectation {
  bool present = false;
  std::uint64_t min_gen = 0;
};

std::map<std::string, expectation> read_log(const std::string& path) {
  std::map<std::string, expectation> m;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag, key;
    std::uint64_t gen = 0;
    ls >> tag >> key;
    if (tag == "C" && (ls >> gen)) m[key] = {true, gen};
    if (tag == "P") m[key] = {false, 0};  // a purge may or may not have happened
  }
  return m;
}

TEST(StoreCrash, AnotherProcessCannotOpenAStoreInUse) {
  temp_dir dir;
  const store_settings set = settings_for(dir, 64ull << 20);
  int to_child[2], from_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(from_child), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = store::open(set);
    char c = 'k';
    if (::write(from_child[1], &c, 1) != 1) ::_exit(2);
    if (::read(to_child[0], &c, 1) != 1) ::_exit(3);  // hold it until told
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(from_child[0], &c, 1), 1);
  EXPECT_THROW(store::open(set), store_error);
  ASSERT_EQ(::write(to_child[1], &c, 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_NO_THROW(store::open(set));  // free again once that process is gone
  for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) ::close(fd);
}

// Every body file is named by a record that says so, and every such record's file is there
// with the object's length.
void expect_files_match_records(object_store& s, const std::string& path, int round) {
  std::set<std::string> named;
  s.for_each([&](const cached_object& o) {
    if (!o.ref.in_file) return;
    char name[17];
    std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(o.ref.id));
    named.insert(name);
    std::error_code ec;
    EXPECT_EQ(std::filesystem::file_size(path + "/bodies/" + name, ec), o.ref.length)
        << "round " << round << ": " << o.key;
  });
  std::set<std::string> found;
  for (const auto& e : std::filesystem::directory_iterator(path + "/bodies"))
    found.insert(e.path().filename().string());
  EXPECT_EQ(found, named) << "round " << round;
}

// One round per kill: a child fills, replaces, aborts and purges until killed, then the
// store reopens. With `files`, bodies of two chunks or more are files of their own.
void kill_nine_rounds(bool files) {
  temp_dir dir;
  const std::string log = dir.path() + "/committed.log";
  std::mt19937_64 rng(12345);
  constexpr int rounds = 10;
  std::uint64_t swept = 0, checked = 0, in_files = 0;
  auto settings = [&](int round) {
    store_settings set = settings_for(dir, 256ull << 20);
    set.sync = static_cast<sync_mode>(round % 3);  // none, meta, full
    if (files) set.file_bodies_from = 2 * cs;
    return set;
  };
  for (int round = 0; round < rounds; ++round) {
    const store_settings set = settings(round);
    int pipefd[2];
    ASSERT_EQ(::pipe(pipefd), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(pipefd[0]);
      child(set, log, round, pipefd[1]);
    }
    ::close(pipefd[1]);
    char c = 0;
    ASSERT_EQ(::read(pipefd[0], &c, 1), 1) << "child did not start";
    ::close(pipefd[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 300));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited by itself with " << WEXITSTATUS(status);

    auto s = store::open(set);
    const open_report& rep = s->report();
    ASSERT_FALSE(rep.moved_aside) << rep.reason;
    swept += rep.dead_objects_swept + rep.orphan_objects_swept + rep.orphan_files_swept;
    reader rd(*s);
    std::map<std::string, std::uint64_t> present;
    s->for_each([&](const cached_object& o) {
      EXPECT_TRUE(verify(rd, o)) << "round " << round;
      present[o.key] = gen_of(o);
      in_files += o.ref.in_file ? 1 : 0;
    });
    expect_files_match_records(*s, set.path, round);
    for (const auto& [key, e] : read_log(log)) {
      if (!e.present) continue;
      const auto it = present.find(key);
      ASSERT_NE(it, present.end()) << key << " committed (gen " << e.min_gen << ") but lost";
      EXPECT_GE(it->second, e.min_gen) << key;
      ++checked;
    }
    EXPECT_EQ(s->stats().objects, present.size());
    EXPECT_EQ(s->stats().evictions, 0u);
  }
  if (files) {
    EXPECT_GT(in_files, 0u);
  }
  // One more clean open after the last check: nothing left to sweep.
  auto s = store::open(settings(0));
  const open_report& rep = s->report();
  EXPECT_EQ(rep.dead_objects_swept + rep.orphan_objects_swept + rep.orphan_files_swept, 0u);
  EXPECT_EQ(rep.records_dropped, 0u);
  std::printf(
      "%d kills: %llu unfinished or dead objects swept at reopen, %llu committed objects "
      "checked present, %llu seen in files\n",
      rounds, static_cast<unsigned long long>(swept), static_cast<unsigned long long>(checked),
      static_cast<unsigned long long>(in_files));
}

TEST(StoreCrash, KillNineAtRandomPointsLeavesAConsistentStore) {
  kill_nine_rounds(false);
}

// A crash at any moment leaves no body file that no record names, and no record naming a
// missing file, after the next start.
TEST(StoreCrash, KillNineWithBodyFilesLeavesFilesAndRecordsMatching) {
  kill_nine_rounds(true);
}

}  // namespace
}  // namespace rc_store_test
