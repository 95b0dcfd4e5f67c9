#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace rc_test {

// Incremental SHA-256 (OpenSSL libcrypto), for bodies too large to keep in memory.
class sha256 {
 public:
  sha256();
  ~sha256();
  sha256(sha256&&) noexcept;
  sha256& operator=(sha256&&) noexcept;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Lower-case hex of the digest; the object is spent afterwards.
  std::string hex_digest();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

std::string sha256_hex(std::string_view data);

std::string to_hex(std::string_view bytes);

}  // namespace rc_test
