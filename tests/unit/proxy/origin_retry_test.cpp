// When a request may use a pooled origin connection, and when a failed try is repeated.
#include <gtest/gtest.h>

#include "rangecache/origin/retry.hpp"

using namespace rangecache::origin;

TEST(OriginRetry, IdempotentMethodsAreThoseOfRfc9110) {
  for (const char* m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
    EXPECT_TRUE(is_idempotent(m)) << m;
  for (const char* m : {"POST", "PATCH", "CONNECT", "PURGE", "get", "Put", "LOCK", ""})
    EXPECT_FALSE(is_idempotent(m)) << m;
}

TEST(OriginRetry, OnlyRequestsThatCanBeRepeatedUsePooledConnections) {
  struct row {
    const char* method;
    bool replayable;
    bool reuse;
  };
  for (const auto& r : std::initializer_list<row>{{"GET", true, true},
                                                  {"PUT", true, true},
                                                  {"DELETE", true, true},
                                                  {"PUT", false, false},  // a streamed body
                                                  {"GET", false, false},
                                                  {"POST", true, false},
                                                  {"POST", false, false},
                                                  {"PATCH", true, false}})
    EXPECT_EQ(may_reuse(r.method, r.replayable), r.reuse) << r.method << " " << r.replayable;
}

TEST(OriginRetry, RetriedOnlyWhenAPooledConnectionWasClosedUnderIt) {
  struct row {
    failed_try f;
    bool retry;
  };
  for (const auto& r : std::initializer_list<row>{
           {{true, failure_at::request, true}, true},          // reset while sending
           {{true, failure_at::response_head, true}, true},    // closed before any answer
           {{false, failure_at::response_head, true}, false},  // a fresh one: a real failure
           {{false, failure_at::request, true}, false},
           {{true, failure_at::response_head, false}, false},  // a timeout: maybe working on it
           {{true, failure_at::connect, true}, false},
       })
    EXPECT_EQ(worth_retry(r.f), r.retry)
        << r.f.reused << " " << static_cast<int>(r.f.at) << " " << r.f.closed;
}
