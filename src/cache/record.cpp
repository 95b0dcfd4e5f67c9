// Record layout, little-endian:
//   0 u16 version      2 u16 status        4 u32 flags          8 u32 chunk_size
//  12 u32 chunk_count 16 u64 object_id    24 u64 content_length
//  32 i64 stored_at   40 i64 date         48 i64 last_access   56 i64 freshness_lifetime
//  64 u64 range first 72 u64 range last   80 u64 range total
//  88 u8 has_range (bit 0) and has_replayed (bit 1), u8 in_file, u16 variant_len,
//     u32 header_count
//  96 u32 key_len, url_len, etag_len, last_modified_len
// 112 key, url, etag, last_modified, variant, then per header: u32 name_len, u32 value_len,
//     name, value; then, with has_replayed, u32 replayed_len and the fields an answer
//     repeats, rendered (field_rules.hpp); records written before those were kept lack both
// (Records written before variants existed have has_range as a u32, so variant_len reads 0:
// they decode unchanged.)
#include "rangecache/cache/record.hpp"

#include <cstring>
#include <limits>
#include <type_traits>

#include "rangecache/cache/chunk_math.hpp"
#include "rangecache/cache/field_rules.hpp"

namespace rangecache::cache {
namespace {

constexpr std::size_t fixed_size = 112;
constexpr std::uint8_t has_range_bit = 1, has_replayed = 2;
static_assert(record_last_access_offset == 48);

class writer {
 public:
  explicit writer(std::span<std::byte> out) : p_(out.data()) {}
  template <class T>
  void at(std::size_t offset, T v) {
    unsigned char b[sizeof(T)];
    auto u = static_cast<std::make_unsigned_t<T>>(v);
    for (std::size_t i = 0; i < sizeof(T); ++i, u >>= 8) b[i] = static_cast<unsigned char>(u);
    std::memcpy(p_ + offset, b, sizeof(T));
  }
  void bytes(std::size_t& offset, std::string_view s) {
    if (!s.empty()) std::memcpy(p_ + offset, s.data(), s.size());
    offset += s.size();
  }
  void replayed(std::size_t offset, const object_meta& m) {
    write_replayed(m, reinterpret_cast<char*>(p_ + offset));
  }

 private:
  std::byte* p_;
};

class parser {
 public:
  explicit parser(std::span<const std::byte> in) : in_(in) {}
  template <class T>
  T at(std::size_t offset) const {
    unsigned char b[sizeof(T)];
    std::memcpy(b, in_.data() + offset, sizeof(T));
    std::make_unsigned_t<T> u = 0;
    for (std::size_t i = sizeof(T); i-- > 0;) u = static_cast<decltype(u)>((u << 8) | b[i]);
    return static_cast<T>(u);
  }
  bool take(std::size_t& offset, std::size_t len, std::string& out) const {
    if (len > in_.size() - offset) return false;
    out.assign(reinterpret_cast<const char*>(in_.data()) + offset, len);
    offset += len;
    return true;
  }

 private:
  std::span<const std::byte> in_;
};

std::uint32_t len32(std::size_t n) {
  return static_cast<std::uint32_t>(n);
}

}  // namespace

std::size_t encoded_size(const cached_object& obj) {
  std::size_t n = fixed_size + obj.key.size() + obj.url.size() + obj.meta.etag.size() +
                  obj.meta.last_modified.size() + obj.meta.variant.size();
  for (const auto& h : obj.meta.headers) n += 8 + h.name.size() + h.value.size();
  return n + 4 + replayed_size(obj.meta);
}

void encode_record(const cached_object& obj, std::span<std::byte> out) {
  writer w(out);
  const object_meta& m = obj.meta;
  w.at<std::uint16_t>(0, record_format_version);
  w.at<std::uint16_t>(2, m.status);
  w.at<std::uint32_t>(4, m.flags);
  w.at<std::uint32_t>(8, obj.ref.chunk_size);
  w.at<std::uint32_t>(12,
                      static_cast<std::uint32_t>(chunk_count(obj.ref.length, obj.ref.chunk_size)));
  w.at<std::uint64_t>(16, obj.ref.id);
  w.at<std::uint64_t>(24, obj.ref.length);
  w.at<std::int64_t>(32, m.stored_at.time_since_epoch().count());
  w.at<std::int64_t>(40, m.date.time_since_epoch().count());
  w.at<std::int64_t>(48, obj.last_access.time_since_epoch().count());
  w.at<std::int64_t>(56, m.freshness_lifetime.count());
  const content_range r = m.range.value_or(content_range{});
  w.at<std::uint64_t>(64, r.first);
  w.at<std::uint64_t>(72, r.last);
  w.at<std::uint64_t>(80, r.total);
  w.at<std::uint8_t>(88, (m.range ? 1u : 0u) | has_replayed);
  w.at<std::uint8_t>(89, obj.ref.in_file ? 1u : 0u);
  w.at<std::uint16_t>(90, static_cast<std::uint16_t>(m.variant.size()));
  w.at<std::uint32_t>(92, len32(m.headers.size()));
  w.at<std::uint32_t>(96, len32(obj.key.size()));
  w.at<std::uint32_t>(100, len32(obj.url.size()));
  w.at<std::uint32_t>(104, len32(m.etag.size()));
  w.at<std::uint32_t>(108, len32(m.last_modified.size()));
  std::size_t at = fixed_size;
  w.bytes(at, obj.key);
  w.bytes(at, obj.url);
  w.bytes(at, m.etag);
  w.bytes(at, m.last_modified);
  w.bytes(at, m.variant);
  for (const auto& h : m.headers) {
    w.at<std::uint32_t>(at, len32(h.name.size()));
    w.at<std::uint32_t>(at + 4, len32(h.value.size()));
    at += 8;
    w.bytes(at, h.name);
    w.bytes(at, h.value);
  }
  // Rendered from the headers being written, never taken from obj.replayed: a record's
  // rendering always says what its headers do.
  const std::size_t replayed = replayed_size(m);
  w.at<std::uint32_t>(at, len32(replayed));
  w.replayed(at + 4, m);
}

decode_status decode_record_header(std::span<const std::byte> in, record_header& out) {
  if (in.size() < 2) return decode_status::truncated;
  const parser p(in);
  out.version = p.at<std::uint16_t>(0);
  if (out.version != record_format_version) return decode_status::bad_version;
  if (in.size() < fixed_size) return decode_status::truncated;
  out.chunk_size = p.at<std::uint32_t>(8);
  out.chunk_count = p.at<std::uint32_t>(12);
  out.object_id = p.at<std::uint64_t>(16);
  out.content_length = p.at<std::uint64_t>(24);
  out.last_access = p.at<std::int64_t>(48);
  // A record must describe a body its chunks can hold: anything else is damage.
  if (out.object_id == 0 || out.chunk_size == 0 ||
      out.chunk_count != chunk_count(out.content_length, out.chunk_size))
    return decode_status::inconsistent;
  return decode_status::ok;
}

decode_status decode_record(std::span<const std::byte> in, cached_object& out) {
  record_header h;
  if (const auto st = decode_record_header(in, h); st != decode_status::ok) return st;
  const parser p(in);
  object_meta& m = out.meta;
  m.status = p.at<std::uint16_t>(2);
  m.flags = p.at<std::uint32_t>(4);
  out.ref.chunk_size = h.chunk_size;
  out.ref.id = h.object_id;
  out.ref.length = h.content_length;
  m.content_length = h.content_length;
  m.stored_at = std::chrono::sys_seconds{std::chrono::seconds{p.at<std::int64_t>(32)}};
  m.date = std::chrono::sys_seconds{std::chrono::seconds{p.at<std::int64_t>(40)}};
  out.last_access = std::chrono::sys_seconds{std::chrono::seconds{h.last_access}};
  m.freshness_lifetime = std::chrono::seconds{p.at<std::int64_t>(56)};
  const std::uint8_t places = p.at<std::uint8_t>(88);
  const std::uint8_t in_file = p.at<std::uint8_t>(89);
  if ((places & ~(has_range_bit | has_replayed)) != 0 || in_file > 1)
    return decode_status::inconsistent;
  const bool has_range = (places & has_range_bit) != 0;
  out.ref.in_file = in_file == 1;
  if (has_range)
    m.range =
        content_range{p.at<std::uint64_t>(64), p.at<std::uint64_t>(72), p.at<std::uint64_t>(80)};
  else
    m.range.reset();
  const std::uint32_t header_count = p.at<std::uint32_t>(92);
  std::size_t at = fixed_size;
  if (!p.take(at, p.at<std::uint32_t>(96), out.key) ||
      !p.take(at, p.at<std::uint32_t>(100), out.url) ||
      !p.take(at, p.at<std::uint32_t>(104), m.etag) ||
      !p.take(at, p.at<std::uint32_t>(108), m.last_modified) ||
      !p.take(at, p.at<std::uint16_t>(90), m.variant))
    return decode_status::truncated;
  // Each header takes at least 8 bytes: a count the rest cannot hold is damage, and checking
  // it first keeps a bad count from allocating.
  if (header_count > (in.size() - at) / 8) return decode_status::truncated;
  m.headers.resize(header_count);  // reuses the strings of a previous decode into `out`
  for (auto& field : m.headers) {
    if (in.size() - at < 8) return decode_status::truncated;
    const auto name_len = p.at<std::uint32_t>(at);
    const auto value_len = p.at<std::uint32_t>(at + 4);
    at += 8;
    if (!p.take(at, name_len, field.name) || !p.take(at, value_len, field.value))
      return decode_status::truncated;
  }
  // The rendered fields, after the headers (a record written before they were kept has
  // none: the answer renders them).
  out.replayed.clear();
  if ((places & has_replayed) != 0) {
    if (in.size() - at < 4) return decode_status::truncated;
    const auto replayed_len = p.at<std::uint32_t>(at);
    at += 4;
    if (!p.take(at, replayed_len, out.replayed)) return decode_status::truncated;
  }
  if (at != in.size()) return decode_status::inconsistent;
  return decode_status::ok;
}

}  // namespace rangecache::cache
