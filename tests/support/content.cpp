#include "content.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <memory>
#include <stdexcept>

#include "sha256.hpp"

namespace rc_test {
namespace {

using seed_bytes = std::array<unsigned char, 32>;

seed_bytes content_seed(std::string_view name, std::string_view version) {
  std::string key(name);
  if (!version.empty()) {
    key += '#';
    key += version;
  }
  seed_bytes seed{};
  unsigned int size = 0;
  if (EVP_Digest(key.data(), key.size(), seed.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != seed.size()) {
    throw std::runtime_error("EVP_Digest(sha256) failed");
  }
  return seed;
}

// Generates whole pieces; one context is reused for all of them.
class piece_generator {
 public:
  explicit piece_generator(const seed_bytes& seed)
      : seed_(seed), ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_) throw std::runtime_error("EVP_MD_CTX_new failed");
  }

  void generate(std::uint64_t index, unsigned char* out) {
    std::array<unsigned char, 40> input{};
    std::copy(seed_.begin(), seed_.end(), input.begin());
    for (int i = 0; i < 8; ++i) input[32 + i] = static_cast<unsigned char>(index >> (8 * i));
    if (EVP_DigestInit_ex(ctx_.get(), EVP_shake128(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx_.get(), input.data(), input.size()) != 1 ||
        EVP_DigestFinalXOF(ctx_.get(), out, content_piece_size) != 1) {
      throw std::runtime_error("SHAKE128 failed");
    }
  }

 private:
  seed_bytes seed_;
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

// Calls sink(pointer, size) for consecutive slices of [offset, offset + length).
template <typename Sink>
void for_each_slice(std::string_view name, std::string_view version, std::uint64_t offset,
                    std::uint64_t length, Sink&& sink) {
  piece_generator generator(content_seed(name, version));
  std::string piece(content_piece_size, '\0');
  auto* data = reinterpret_cast<unsigned char*>(piece.data());
  while (length > 0) {
    const std::uint64_t index = offset / content_piece_size;
    const std::size_t skip = offset % content_piece_size;
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(content_piece_size - skip, length));
    generator.generate(index, data);
    sink(piece.data() + skip, take);
    offset += take;
    length -= take;
  }
}

std::optional<std::uint64_t> parse_digits(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool is_extension(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isalnum(c) != 0; });
}

}  // namespace

std::optional<std::uint64_t> generated_size(std::string_view path) {
  if (path.starts_with("/gen/")) {
    auto rest = path.substr(5);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const auto file = rest.substr(slash + 1);
    if (file.empty() || file.find('/') != std::string_view::npos) return std::nullopt;
    return parse_digits(rest.substr(0, slash));
  }
  if (!path.starts_with('/')) return std::nullopt;
  auto stem = path.substr(1);
  const auto dot = stem.find('.');
  if (dot == std::string_view::npos || !is_extension(stem.substr(dot + 1))) return std::nullopt;
  stem = stem.substr(0, dot);
  std::uint64_t unit = 1;
  if (!stem.empty()) {
    switch (std::tolower(static_cast<unsigned char>(stem.back()))) {
      case 'k':
        unit = std::uint64_t{1} << 10;
        break;
      case 'm':
        unit = std::uint64_t{1} << 20;
        break;
      case 'g':
        unit = std::uint64_t{1} << 30;
        break;
      default:
        break;
    }
    if (unit != 1) stem.remove_suffix(1);
  }
  auto count = parse_digits(stem);
  if (!count) return std::nullopt;
  return *count * unit;
}

std::string expected_bytes(std::string_view name, std::uint64_t offset, std::size_t length,
                           std::string_view version) {
  std::string out;
  out.reserve(length);
  for_each_slice(name, version, offset, length,
                 [&](const char* data, std::size_t size) { out.append(data, size); });
  return out;
}

std::string expected_sha256(std::string_view name, std::uint64_t offset, std::uint64_t length,
                            std::string_view version) {
  sha256 hash;
  for_each_slice(name, version, offset, length,
                 [&](const char* data, std::size_t size) { hash.update(data, size); });
  return hash.hex_digest();
}

std::string expected_etag(std::string_view name, std::uint64_t size, std::string_view version) {
  const auto seed = content_seed(name, version);
  char size_hex[17];
  auto [end, ec] = std::to_chars(size_hex, size_hex + sizeof size_hex, size, 16);
  (void)ec;
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "x" + std::string&&.
  std::string etag = "\"";
  etag += to_hex(std::string_view(reinterpret_cast<const char*>(seed.data()), 8));
  etag += '-';
  etag.append(size_hex, end);
  etag += '"';
  return etag;
}

std::string expected_file(std::string_view path, std::string_view version) {
  auto size = generated_size(path);
  if (!size) throw std::invalid_argument("not a generated path: " + std::string(path));
  return expected_bytes(path, 0, static_cast<std::size_t>(*size), version);
}

}  // namespace rc_test
