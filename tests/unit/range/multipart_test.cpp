#include "rangecache/range/multipart.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "rangecache/range/parse.hpp"
#include "rangecache/range/resolve.hpp"

namespace rangecache::range {
namespace {

std::string representation(std::uint64_t length) {
  std::string body;
  for (std::uint64_t i = 0; i < length; ++i) body.push_back(static_cast<char>('a' + i % 26));
  return body;
}

// What the proxy does with a plan: header, body bytes, header, body bytes, ..., trailer.
std::string assemble(const multipart_plan& plan, const std::string& body) {
  std::string out;
  for (const auto& part : plan.parts) {
    out += part.header;
    out += body.substr(part.offset, part.length);
  }
  out += plan.trailer;
  return out;
}

TEST(Multipart, BoundaryIsDeterministicInTheSeedAndTokenSafe) {
  EXPECT_EQ(make_boundary(1).view(), make_boundary(1).view());
  EXPECT_NE(make_boundary(1).view(), make_boundary(2).view());
  std::set<std::string> seen;
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    auto b = make_boundary(seed);
    EXPECT_EQ(b.view().size(), 32u);
    for (char c : b.view()) {
      EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    }
    seen.emplace(b.view());
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Multipart, UnseededBoundariesDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.emplace(make_boundary().view());
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Multipart, ContentType) {
  EXPECT_EQ(multipart_content_type("THIS_STRING_SEPARATES"),
            "multipart/byteranges; boundary=THIS_STRING_SEPARATES");
}

// RFC 9110 §14.6 example, byte for byte (with our leading CRLF before the first boundary,
// which RFC 2046 allows as an empty preamble).
TEST(Multipart, RfcExampleShape) {
  std::vector<byte_slice> slices{{500, 500}, {7000, 1000}};
  multipart_plan plan = plan_multipart(slices, 8000, "application/pdf", "THIS_STRING_SEPARATES");
  ASSERT_EQ(plan.parts.size(), 2u);
  EXPECT_EQ(plan.parts[0].header,
            "\r\n--THIS_STRING_SEPARATES\r\n"
            "Content-Type: application/pdf\r\n"
            "Content-Range: bytes 500-999/8000\r\n\r\n");
  EXPECT_EQ(plan.parts[0].offset, 500u);
  EXPECT_EQ(plan.parts[0].length, 500u);
  EXPECT_EQ(plan.parts[1].header,
            "\r\n--THIS_STRING_SEPARATES\r\n"
            "Content-Type: application/pdf\r\n"
            "Content-Range: bytes 7000-7999/8000\r\n\r\n");
  EXPECT_EQ(plan.trailer, "\r\n--THIS_STRING_SEPARATES--\r\n");
  std::uint64_t expected =
      plan.parts[0].header.size() + 500 + plan.parts[1].header.size() + 1000 + plan.trailer.size();
  EXPECT_EQ(plan.content_length, expected);
  EXPECT_EQ(multipart_length(slices, 8000, "application/pdf", "THIS_STRING_SEPARATES"), expected);
}

TEST(Multipart, NoContentTypeLineWithoutAType) {
  std::vector<byte_slice> slices{{0, 1}, {5, 2}};
  multipart_plan plan = plan_multipart(slices, 10, "", "B");
  EXPECT_EQ(plan.parts[0].header, "\r\n--B\r\nContent-Range: bytes 0-0/10\r\n\r\n");
  EXPECT_EQ(plan.parts[1].header, "\r\n--B\r\nContent-Range: bytes 5-6/10\r\n\r\n");
  std::string body = assemble(plan, representation(10));
  EXPECT_EQ(body,
            "\r\n--B\r\nContent-Range: bytes 0-0/10\r\n\r\na"
            "\r\n--B\r\nContent-Range: bytes 5-6/10\r\n\r\nfg"
            "\r\n--B--\r\n");
  EXPECT_EQ(plan.content_length, body.size());
  EXPECT_EQ(multipart_length(slices, 10, "", "B"), body.size());
}

// Plan lengths against assembled output, for resolved random lists.
TEST(Multipart, LengthMatchesAssembledBody) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 2000; ++i) {
    std::uint64_t length = 1 + rng() % 300;
    std::string header = "bytes=";
    int count = 2 + static_cast<int>(rng() % 6);
    for (int k = 0; k < count; ++k) {
      std::uint64_t a = rng() % 320, b = rng() % 320;
      header +=
          (k ? "," : "") + std::to_string(std::min(a, b)) + "-" + std::to_string(std::max(a, b));
    }
    range_limits lax;
    lax.max_overlaps = 100;
    resolved_ranges r = resolve(parse_range(header).specs, length, lax);
    if (r.status != resolve_status::partial) continue;
    std::string type = (i % 3 == 0) ? "" : "video/mp4; codecs=\"avc1\"";
    auto boundary = make_boundary(static_cast<std::uint64_t>(i));
    multipart_plan plan = plan_multipart(r.slices, length, type, boundary.view());
    std::string body = assemble(plan, representation(length));
    ASSERT_EQ(plan.content_length, body.size()) << header;
    ASSERT_EQ(multipart_length(r.slices, length, type, boundary.view()), body.size()) << header;
    ASSERT_EQ(plan.parts.size(), r.slices.size());
  }
}

TEST(Multipart, EmptyListIsJustTheTrailer) {
  multipart_plan plan = plan_multipart({}, 10, "text/plain", "B");
  EXPECT_TRUE(plan.parts.empty());
  EXPECT_EQ(plan.content_length, plan.trailer.size());
  EXPECT_EQ(multipart_length({}, 10, "text/plain", "B"), plan.trailer.size());
}

}  // namespace
}  // namespace rangecache::range
