// A worker's access-log lines are gathered and written many at a time: every line reaches
// the log it was formatted for, whole and in order, when the batch is full, when the log is
// replaced, and when the batch is written out (the idle sweep, the end of the worker).
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <deque>
#include <sstream>
#include <string>
#include <vector>

#include "proxy/access_log.hpp"

using namespace rangecache;

namespace {

struct captured_log {
  std::ostringstream text;
  std::shared_ptr<const proxy::access_log> log;

  explicit captured_log(config::access_log_format format) {
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(text));
    logger->set_pattern("%v");
    log = std::make_shared<const proxy::access_log>(logger, format);
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(text.str());
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
};

// An entry's fields are views: the targets they name live here for the whole test program.
proxy::access_entry entry(int n) {
  static std::deque<std::string> targets;
  proxy::access_entry e;
  e.client = "192.0.2.7";
  e.method = "GET";
  e.host = "h.example";
  e.target = targets.emplace_back("/n/" + std::to_string(n));
  e.status = 200;
  e.cache = "HIT_FULL";
  return e;
}

TEST(AccessBatch, LinesWaitForWriteOutThenArriveWholeAndInOrder) {
  captured_log a(config::access_log_format::json);
  proxy::access_batch batch;
  for (int i = 0; i < 3; ++i) batch.add(a.log, entry(i));
  EXPECT_TRUE(a.text.str().empty());
  batch.write_out();
  const auto lines = a.lines();
  ASSERT_EQ(lines.size(), 3u) << a.text.str();
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(lines[i].find("/n/" + std::to_string(i) + "\""), std::string::npos) << lines[i];
    EXPECT_EQ(lines[i].front(), '{');
    EXPECT_EQ(lines[i].back(), '}');
  }
  batch.write_out();  // nothing new: nothing written
  EXPECT_EQ(a.lines().size(), 3u);
}

TEST(AccessBatch, AReplacedLogGetsTheLinesFormattedForIt) {
  captured_log a(config::access_log_format::json);
  captured_log b(config::access_log_format::combined);
  proxy::access_batch batch;
  batch.add(a.log, entry(1));
  batch.add(a.log, entry(2));
  batch.add(b.log, entry(3));  // a reload: a's lines go to a first
  ASSERT_EQ(a.lines().size(), 2u);
  EXPECT_TRUE(b.text.str().empty());
  batch.write_out();
  const auto lines = b.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].front(), '1') << lines[0];  // combined: the client address first
  EXPECT_NE(lines[0].find("\"GET "), std::string::npos) << lines[0];
}

TEST(AccessBatch, AFullBatchIsWrittenWithoutWaiting) {
  captured_log a(config::access_log_format::line);
  proxy::access_batch batch;
  int added = 0;
  while (a.text.str().empty() && added < 10000) batch.add(a.log, entry(added++));
  ASSERT_FALSE(a.text.str().empty());
  EXPECT_GT(added, 100);                                         // lines are gathered first...
  EXPECT_EQ(a.lines().size(), static_cast<std::size_t>(added));  // ...and none is lost
}

TEST(AccessBatch, EndingWritesWhatIsLeft) {
  captured_log a(config::access_log_format::line);
  {
    proxy::access_batch batch;
    batch.add(a.log, entry(7));
  }
  ASSERT_EQ(a.lines().size(), 1u);
  EXPECT_NE(a.lines()[0].find("/n/7"), std::string::npos);
}

}  // namespace
