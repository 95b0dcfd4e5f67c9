// Helpers for the store's integration tests (either backend): a fresh directory per test, and
// object bodies derived from (seed, offset) so every byte can be checked without keeping a
// copy.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rangecache/cache/object_store.hpp"
#include "rangecache/cache/record.hpp"
#include "rangecache/cache/store.hpp"
#include "temp_dir.hpp"

namespace rc_store_test {

using namespace rangecache::cache;

// rc_test::temp_dir, plus the stores a test moved aside (they live beside it).
class temp_dir {
 public:
  temp_dir() : dir_("rc-store"), path_(dir_.path().string()) {}
  ~temp_dir() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/tmp", ec))
      if (e.path().string().rfind(path_ + ".damaged-", 0) == 0)
        std::filesystem::remove_all(e.path(), ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string store_path() const { return path_ + "/store"; }

 private:
  rc_test::temp_dir dir_;
  std::string path_;
};

inline std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// The seed of one version (`gen`) of one key's body.
inline std::uint64_t seed_of(std::string_view key, std::uint64_t gen = 0) {
  const key_hash h = hash_key(key);
  return mix(h.lo ^ mix(h.hi + gen));
}

inline std::byte byte_at(std::uint64_t seed, std::uint64_t offset) {
  return static_cast<std::byte>(mix(seed ^ (offset >> 3)) >> (8 * (offset & 7)));
}

inline void pattern(std::uint64_t seed, std::uint64_t offset, std::span<std::byte> out) {
  std::size_t i = 0;
  while (i < out.size() && ((offset + i) & 7) != 0) {
    out[i] = byte_at(seed, offset + i);
    ++i;
  }
  for (; i + 8 <= out.size(); i += 8) {
    const std::uint64_t w = mix(seed ^ ((offset + i) >> 3));
    std::memcpy(out.data() + i, &w, 8);  // little-endian: byte k is w >> 8k
  }
  for (; i < out.size(); ++i) out[i] = byte_at(seed, offset + i);
}

// Offset of the first byte that differs from the pattern, or -1.
inline std::int64_t first_difference(std::uint64_t seed, std::uint64_t offset,
                                     std::span<const std::byte> in) {
  std::byte buf[4096];
  for (std::size_t done = 0; done < in.size();) {
    const std::size_t n = std::min(in.size() - done, sizeof buf);
    pattern(seed, offset + done, {buf, n});
    if (std::memcmp(buf, in.data() + done, n) != 0) {
      for (std::size_t i = 0; i < n; ++i)
        if (buf[i] != in[done + i]) return static_cast<std::int64_t>(offset + done + i);
    }
    done += n;
  }
  return -1;
}

inline object_meta meta_for(std::uint64_t len, std::uint64_t gen = 0) {
  object_meta m;
  m.status = 200;
  m.content_length = len;
  m.headers = {{"Content-Type", "application/octet-stream"}, {"X-Gen", std::to_string(gen)}};
  m.etag = "\"g" + std::to_string(gen) + "\"";
  m.stored_at =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  m.date = m.stored_at;
  m.freshness_lifetime = std::chrono::seconds(3600);
  return m;
}

// The generation a stored object says it is (from its ETag).
inline std::uint64_t gen_of(const cached_object& o) {
  return std::stoull(o.meta.etag.substr(2, o.meta.etag.size() - 3));
}

// Streams a patterned body of `len` bytes into a fill, `piece` bytes per append.
inline fill_error stream(fill& f, std::uint64_t seed, std::uint64_t len,
                         std::size_t piece = 10007) {
  std::vector<std::byte> buf(piece);
  for (std::uint64_t off = 0; off < len;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(piece, len - off));
    pattern(seed, off, {buf.data(), n});
    if (const fill_error e = f.append(std::span<const std::byte>(buf.data(), n));
        e != fill_error::none)
      return e;
    off += n;
  }
  return fill_error::none;
}

inline commit_result put(object_store& s, std::string_view key, std::string_view url,
                         std::uint64_t len, std::uint64_t gen = 0, std::size_t piece = 10007) {
  fill f = s.begin_fill(key, url, {len});
  if (!f.active()) return {f.error(), {}};
  if (const fill_error e = stream(f, seed_of(key, gen), len, piece); e != fill_error::none)
    return {e, {}};
  return f.commit_wait(meta_for(len, gen));
}

// Reads the whole object zero-copy, batch by batch, and checks every byte.
inline ::testing::AssertionResult verify(reader& r, const cached_object& o) {
  const std::uint64_t seed = seed_of(o.key, gen_of(o));
  std::uint64_t off = 0;
  while (off < o.ref.length) {
    std::int64_t bad = -1;
    const read_result res =
        r.read(o.ref, off, o.ref.length - off, [&](std::span<const mapped_slice> s) {
          std::size_t n = 0;
          for (const mapped_slice& m : s) {
            if (bad < 0) bad = first_difference(seed, off + n, {m.data, m.size});
            n += m.size;
          }
          return n;
        });
    if (res.status != read_status::ok)
      return ::testing::AssertionFailure()
             << o.key << ": read status " << static_cast<int>(res.status) << " at " << off;
    if (bad >= 0) return ::testing::AssertionFailure() << o.key << ": byte " << bad << " differs";
    if (res.bytes == 0) return ::testing::AssertionFailure() << o.key << ": no progress at " << off;
    off += res.bytes;
  }
  return ::testing::AssertionSuccess();
}

inline store_settings settings_for(const temp_dir& dir, std::uint64_t max_size,
                                   sync_mode sync = sync_mode::none) {
  store_settings s;
  s.path = dir.store_path();
  s.max_size = max_size;
  s.sync = sync;
  return s;
}

}  // namespace rc_store_test
