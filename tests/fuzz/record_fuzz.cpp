// libFuzzer target for the stored-record codec. Records are read back from a memory-mapped
// file that a crash, a full disk or an older build may have left damaged, so decoding any
// bytes must fail cleanly; and whatever decodes must encode back to the same record.
// The first input byte picks the mode: even = decode the rest as a record, odd = build an
// object from the rest and round-trip it.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "check.hpp"
#include "rangecache/cache/chunk_math.hpp"
#include "rangecache/cache/field_rules.hpp"
#include "rangecache/cache/record.hpp"

namespace {

using namespace rangecache::cache;

// Bytes 64..87 hold the range and are ignored when the record has none; byte 88 says
// whether there is one (bit 0) and whether the rendered fields follow the headers (bit 1).
constexpr std::size_t range_begin = 64, range_end = 88, places_at = 88;

std::vector<std::byte> encode(const cached_object& o) {
  std::vector<std::byte> buf(encoded_size(o));
  encode_record(o, buf);
  return buf;
}

void decode_arbitrary(std::span<const std::byte> in) {
  record_header h;
  const decode_status header_status = decode_record_header(in, h);
  cached_object o;
  const decode_status status = decode_record(in, o);
  // The full decode never accepts what the fixed part alone refuses.
  if (header_status != decode_status::ok) FUZZ_CHECK(status == header_status);
  if (status != decode_status::ok) return;

  FUZZ_CHECK(o.ref.valid() && o.ref.chunk_size != 0);
  FUZZ_CHECK(h.chunk_count == chunk_count(o.ref.length, o.ref.chunk_size));
  FUZZ_CHECK(o.meta.content_length == o.ref.length);
  FUZZ_CHECK(o.last_access.time_since_epoch().count() == h.last_access);

  // Encoding the decoded object gives back the input, bar an absent range's ignored bytes
  // and the rendered fields at the end, which encoding renders anew from the headers (a
  // record written before they were kept has none).
  const auto again = encode(o);
  const bool has_range = (in[places_at] & std::byte{1}) != std::byte{0};
  const bool has_replayed = (in[places_at] & std::byte{2}) != std::byte{0};
  const std::size_t before_replayed = in.size() - (has_replayed ? 4 + o.replayed.size() : 0);
  FUZZ_CHECK(again.size() >= before_replayed + 4);
  for (std::size_t i = 0; i < before_replayed; ++i) {
    if (!has_range && i >= range_begin && i < range_end) continue;
    if (i == places_at) continue;
    FUZZ_CHECK(again[i] == in[i]);
  }
  FUZZ_CHECK((again[places_at] & std::byte{1}) == (in[places_at] & std::byte{1}));
  cached_object rendered;
  FUZZ_CHECK(decode_record(again, rendered) == decode_status::ok);
  rendered.replayed = o.replayed;
  FUZZ_CHECK(rendered == o);

  // Decoding into an object that holds another record replaces every field.
  cached_object reused;
  reused.meta.headers.assign(3, header_field{"stale", "left over"});
  reused.meta.range = content_range{1, 2, 3};
  reused.key = "stale";
  FUZZ_CHECK(decode_record(in, reused) == decode_status::ok);
  FUZZ_CHECK(reused == o);
}

cached_object build(FuzzedDataProvider& in) {
  cached_object o;
  o.ref.id = in.ConsumeIntegralInRange<std::uint64_t>(1, UINT64_MAX);
  o.ref.chunk_size = in.ConsumeIntegralInRange<std::uint32_t>(1, UINT32_MAX);
  o.ref.length = in.ConsumeIntegral<std::uint64_t>();
  // The store never writes an object of more than 2^32-1 chunks (nor a length near 2^64):
  // keep the length where the record's u32 chunk count holds.
  const std::uint64_t max_length = std::uint64_t{o.ref.chunk_size} * 0xFFFFFFFFull;
  if (o.ref.length > max_length) o.ref.length %= max_length + 1;
  o.meta.content_length = o.ref.length;
  o.meta.status = in.ConsumeIntegral<std::uint16_t>();
  o.meta.flags = in.ConsumeIntegral<std::uint32_t>();
  o.meta.stored_at =
      std::chrono::sys_seconds{std::chrono::seconds{in.ConsumeIntegral<std::int64_t>()}};
  o.meta.date = std::chrono::sys_seconds{std::chrono::seconds{in.ConsumeIntegral<std::int64_t>()}};
  o.last_access =
      std::chrono::sys_seconds{std::chrono::seconds{in.ConsumeIntegral<std::int64_t>()}};
  o.meta.freshness_lifetime = std::chrono::seconds{in.ConsumeIntegral<std::int64_t>()};
  if (in.ConsumeBool()) {
    o.meta.range =
        content_range{in.ConsumeIntegral<std::uint64_t>(), in.ConsumeIntegral<std::uint64_t>(),
                      in.ConsumeIntegral<std::uint64_t>()};
  }
  o.key = in.ConsumeRandomLengthString(512);
  o.url = in.ConsumeRandomLengthString(512);
  o.meta.etag = in.ConsumeRandomLengthString(64);
  o.meta.last_modified = in.ConsumeRandomLengthString(64);
  o.meta.variant = in.ConsumeRandomLengthString(128);
  const auto headers = in.ConsumeIntegralInRange<std::size_t>(0, 16);
  for (std::size_t i = 0; i < headers && in.remaining_bytes() > 0; ++i)
    o.meta.headers.push_back({in.ConsumeRandomLengthString(64), in.ConsumeRandomLengthString(256)});
  return o;
}

void round_trip(FuzzedDataProvider& in) {
  const cached_object o = build(in);
  const auto buf = encode(o);
  cached_object back;
  FUZZ_CHECK(decode_record(buf, back) == decode_status::ok);
  // ref.hash is not stored: both are the default. The record adds the rendered fields.
  cached_object expected = o;
  expected.replayed.assign(replayed_size(o.meta), '\0');
  write_replayed(o.meta, expected.replayed.data());
  FUZZ_CHECK(back == expected);
  record_header h;
  FUZZ_CHECK(decode_record_header(buf, h) == decode_status::ok);
  FUZZ_CHECK(h.object_id == o.ref.id && h.content_length == o.ref.length);
  // A record cut short, or with a byte to spare, is refused.
  FUZZ_CHECK(decode_record(std::span(buf).first(buf.size() - 1), back) != decode_status::ok);
  auto longer = buf;
  longer.push_back(std::byte{0});
  FUZZ_CHECK(decode_record(longer, back) != decode_status::ok);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if ((data[0] & 1) == 0) {
    decode_arbitrary({reinterpret_cast<const std::byte*>(data + 1), size - 1});
  } else {
    FuzzedDataProvider in(data + 1, size - 1);
    round_trip(in);
  }
  return 0;
}
