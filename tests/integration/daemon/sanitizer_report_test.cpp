// The check that makes a sanitized daemon's reports fail the test that started it.
#include <gtest/gtest.h>

#include <algorithm>

#include "rc_test.hpp"

using rc_test::sanitizer_report;

TEST(SanitizerReport, NoneInAnOrdinaryLog) {
  EXPECT_EQ(sanitizer_report("[info] listening on 127.0.0.1:8080\n[info] stopping\n"), "");
}

TEST(SanitizerReport, AddressSanitizerFromItsFirstLine) {
  const std::string err =
      "[info] listening\n"
      "=================================================================\n"
      "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010\n"
      "    #0 0x55 in rangecache::proxy::session::purge src/proxy/purge.cpp:35\n"
      "SUMMARY: AddressSanitizer: heap-use-after-free src/proxy/purge.cpp:35\n";
  const auto report = sanitizer_report(err);
  EXPECT_TRUE(report.starts_with("==4242==ERROR: AddressSanitizer: heap-use-after-free")) << report;
  EXPECT_NE(report.find("purge.cpp:35"), std::string::npos);
}

TEST(SanitizerReport, LeaksAndUndefinedBehaviour) {
  EXPECT_NE(sanitizer_report("==1==ERROR: LeakSanitizer: detected memory leaks\n"), "");
  EXPECT_NE(sanitizer_report("src/range/parse.cpp:12:5: runtime error: signed integer overflow\n"),
            "");
}

TEST(SanitizerReport, KeepsAtMostTheLinesAskedFor) {
  std::string err = "==1==ERROR: AddressSanitizer: SEGV\n";
  for (int i = 0; i < 100; ++i) err += "    #" + std::to_string(i) + " frame\n";
  const auto report = sanitizer_report(err, 5);
  EXPECT_EQ(std::count(report.begin(), report.end(), '\n'), 5);
}
