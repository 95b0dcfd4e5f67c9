#include "rangecache/cache/record.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rangecache/cache/field_rules.hpp"

namespace rangecache::cache {
namespace {

std::string rendered(const object_meta& meta) {
  std::string out(replayed_size(meta), '\0');
  write_replayed(meta, out.data());
  return out;
}

// What a record gives back for `o`: the object, with the fields an answer repeats rendered.
cached_object as_read(cached_object o) {
  o.replayed = rendered(o.meta);
  return o;
}

cached_object sample() {
  cached_object o;
  o.key = "http://videos.example.com/a/b.mp4-bytes=0-99";
  o.url = "http://videos.example.com/a/b.mp4";
  o.meta.status = 200;
  o.meta.headers = {{"Content-Type", "video/mp4"},
                    {"Cache-Control", "max-age=60, public"},
                    {"X-Empty", ""},
                    {"Set-Cookie", std::string(3000, 'c')}};
  o.meta.content_length = 100;
  o.meta.stored_at = std::chrono::sys_seconds{std::chrono::seconds{1'700'000'000}};
  o.meta.date = std::chrono::sys_seconds{std::chrono::seconds{1'699'999'990}};
  o.meta.freshness_lifetime = std::chrono::seconds{60};
  o.meta.etag = "W/\"abc\"";
  o.meta.last_modified = "Tue, 14 Nov 2023 22:13:20 GMT";
  o.meta.range = content_range{0, 99, 12345};
  o.meta.flags = 0xA5;
  o.meta.variant = "n15:accept-encodingv4:gzip";
  o.ref = {{}, 42, 100, 65520};
  o.last_access = std::chrono::sys_seconds{std::chrono::seconds{1'700'000'100}};
  return o;
}

std::vector<std::byte> encode(const cached_object& o) {
  std::vector<std::byte> buf(encoded_size(o));
  encode_record(o, buf);
  return buf;
}

TEST(Record, RoundTripsEveryField) {
  const cached_object o = sample();
  const auto buf = encode(o);
  cached_object back;
  ASSERT_EQ(decode_record(buf, back), decode_status::ok);
  EXPECT_EQ(back, as_read(o));
  EXPECT_EQ(back.replayed,
            "Content-Type: video/mp4\r\nCache-Control: max-age=60, public\r\n"
            "X-Empty: \r\nSet-Cookie: " +
                std::string(3000, 'c') + "\r\n");
}

// The rendering is made from the headers being written, whatever the object held.
TEST(Record, ReplayedFieldsAreRenderedFromTheHeaders) {
  cached_object o = sample();
  o.replayed = "X-Stale: from another version\r\n";
  o.meta.headers = {{"ETag", "\"v2\""}, {"Content-Length", "100"},
                    {"Via", "1.1 up"},  {"Connection", "close"},
                    {"Age", "5"},       {"Content-Range", "bytes 0-99/200"}};
  cached_object back;
  ASSERT_EQ(decode_record(encode(o), back), decode_status::ok);
  EXPECT_EQ(back.replayed, "ETag: \"v2\"\r\n");
  EXPECT_EQ(back.meta.headers, o.meta.headers);
}

// A record written before the rendered fields were kept: the same bytes less those, and
// has_replayed clear. It still decodes, with nothing rendered (the answer renders them).
TEST(Record, ARecordWithoutRenderedFieldsStillDecodes) {
  const cached_object o = sample();
  auto buf = encode(o);
  buf.resize(buf.size() - 4 - rendered(o.meta).size());
  buf[88] &= std::byte{1};
  cached_object back;
  back.replayed = "left over";
  ASSERT_EQ(decode_record(buf, back), decode_status::ok);
  EXPECT_EQ(back, o);
  EXPECT_TRUE(back.replayed.empty());
}

TEST(Record, AnUnknownPlaceBitIsDamage) {
  auto buf = encode(sample());
  buf[88] |= std::byte{4};
  cached_object back;
  EXPECT_EQ(decode_record(buf, back), decode_status::inconsistent);
}

TEST(Record, RoundTripsMinimalObject) {
  cached_object o;
  o.ref = {{}, 1, 0, 65520};
  const auto buf = encode(o);
  cached_object back;
  back.meta.headers = {{"stale", "left over"}};  // decoding into a used object replaces all
  back.meta.range = content_range{1, 2, 3};
  ASSERT_EQ(decode_record(buf, back), decode_status::ok);
  EXPECT_EQ(back, o);
  EXPECT_FALSE(back.meta.range.has_value());
}

TEST(Record, UnknownTotalRangeSurvives) {
  cached_object o = sample();
  o.meta.range = content_range{5, 9, content_range::unknown_total};
  cached_object back;
  ASSERT_EQ(decode_record(encode(o), back), decode_status::ok);
  EXPECT_EQ(back.meta.range->total, content_range::unknown_total);
}

// Records written before variants existed held has_range as a u32 where the variant's length
// now is: with no variant the bytes are the same, so those records still decode.
TEST(Record, LayoutWithoutVariantIsTheEarlierOne) {
  cached_object o = sample();
  o.meta.variant.clear();
  const auto buf = encode(o);
  EXPECT_EQ(buf[88], std::byte{3});  // a range, and the rendered fields
  EXPECT_EQ(buf[89], std::byte{0});
  EXPECT_EQ(buf[90], std::byte{0});
  EXPECT_EQ(buf[91], std::byte{0});
  cached_object back;
  ASSERT_EQ(decode_record(buf, back), decode_status::ok);
  EXPECT_EQ(back, as_read(o));
}

TEST(Record, BodyInAFileRoundTrips) {
  cached_object obj = sample();
  obj.ref.in_file = true;
  cached_object back;
  ASSERT_EQ(decode_record(encode(obj), back), decode_status::ok);
  EXPECT_TRUE(back.ref.in_file);
  ASSERT_EQ(decode_record(encode(sample()), back), decode_status::ok);
  EXPECT_FALSE(back.ref.in_file);
}

TEST(Record, AnUnknownBodyPlaceIsDamage) {
  auto buf = encode(sample());
  buf[89] = std::byte{2};
  cached_object back;
  EXPECT_EQ(decode_record(buf, back), decode_status::inconsistent);
}

TEST(Record, OtherVersionIsRejected) {
  auto buf = encode(sample());
  buf[0] = std::byte{record_format_version + 1};
  cached_object back;
  EXPECT_EQ(decode_record(buf, back), decode_status::bad_version);
  record_header h;
  EXPECT_EQ(decode_record_header(buf, h), decode_status::bad_version);
}

TEST(Record, EveryTruncationIsRejected) {
  const auto buf = encode(sample());
  for (std::size_t n = 0; n < buf.size(); ++n) {
    cached_object back;
    const auto st = decode_record(std::span(buf.data(), n), back);
    EXPECT_NE(st, decode_status::ok) << n;
  }
}

TEST(Record, TrailingBytesAreRejected) {
  auto buf = encode(sample());
  buf.push_back(std::byte{0});
  cached_object back;
  EXPECT_EQ(decode_record(buf, back), decode_status::inconsistent);
}

TEST(Record, ChunkCountMustMatchLength) {
  auto buf = encode(sample());
  buf[12] = std::byte{7};  // chunk_count: 100 bytes need 1 chunk
  record_header h;
  EXPECT_EQ(decode_record_header(buf, h), decode_status::inconsistent);
}

TEST(Record, HugeHeaderCountDoesNotAllocate) {
  auto buf = encode(sample());
  for (int i = 0; i < 4; ++i) buf[92 + i] = std::byte{0xFF};  // header_count
  cached_object back;
  EXPECT_EQ(decode_record(buf, back), decode_status::truncated);
}

TEST(Record, HeaderHasFixedFields) {
  const cached_object o = sample();
  const auto buf = encode(o);
  record_header h;
  ASSERT_EQ(decode_record_header(buf, h), decode_status::ok);
  EXPECT_EQ(h.object_id, 42u);
  EXPECT_EQ(h.content_length, 100u);
  EXPECT_EQ(h.chunk_size, 65520u);
  EXPECT_EQ(h.chunk_count, 1u);
  EXPECT_EQ(h.last_access, 1'700'000'100);
}

TEST(Record, LastAccessLivesAtItsDocumentedOffset) {
  auto buf = encode(sample());
  const std::int64_t t = 1'800'000'000;
  for (int i = 0; i < 8; ++i)
    buf[record_last_access_offset + i] =
        static_cast<std::byte>(static_cast<std::uint64_t>(t) >> (8 * i));
  cached_object back;
  ASSERT_EQ(decode_record(buf, back), decode_status::ok);
  EXPECT_EQ(back.last_access.time_since_epoch().count(), t);
}

}  // namespace
}  // namespace rangecache::cache
