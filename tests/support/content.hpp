#pragma once

// The content the test origin (tests/origin/test_origin.py) generates, computed here so
// that tests can check any byte of any response without a reference file.
//
// Algorithm (keep in step with the Python origin):
//   key   = the request path as sent, without the query ("/1m.bin", "/gen/65521/a.bin");
//           for ?etag=V (V non-empty) the key is path + "#" + V
//   seed  = SHA-256(key)
//   piece = SHAKE128(seed || little-endian u64 p), first 65536 bytes, is the content at
//           offsets [p * 65536, (p + 1) * 65536)
//   ETag  = "\"" + hex(seed[0..8]) + "-" + lower-case hex(size) + "\""
// Sizes: /<N>.<ext> is N bytes, /<N>k|m|g.<ext> N KiB|MiB|GiB (case-insensitive),
// /gen/<N>/<name> exactly N bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rc_test {

inline constexpr std::size_t content_piece_size = 65536;

// The size of the generated resource at `path` (no query), or nullopt for other paths.
std::optional<std::uint64_t> generated_size(std::string_view path);

// `length` bytes at `offset` of the resource `name` (a path like "/1m.bin"), version
// `version` (the ?etag= value; empty for the default one). Does not clip to the size.
std::string expected_bytes(std::string_view name, std::uint64_t offset, std::size_t length,
                           std::string_view version = {});

// Lower-case hex SHA-256 of the same bytes, generated piece by piece (fine for GiBs).
std::string expected_sha256(std::string_view name, std::uint64_t offset, std::uint64_t length,
                            std::string_view version = {});

// The ETag header value the origin sends, quotes included.
std::string expected_etag(std::string_view name, std::uint64_t size, std::string_view version = {});

// The whole resource at `path`; for small ones only.
std::string expected_file(std::string_view path, std::string_view version = {});

}  // namespace rc_test
