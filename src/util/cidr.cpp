#include "rangecache/util/cidr.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace rangecache::util {

namespace {

constexpr std::array<std::uint8_t, 12> v4_mapped_prefix = {0, 0, 0, 0, 0,    0,
                                                           0, 0, 0, 0, 0xff, 0xff};

// Whole-string decimal without a sign: "08" is accepted, "-1" and "8x" are not.
std::optional<int> parse_prefix(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return static_cast<int>(value);
}

}  // namespace

std::optional<ip_address> ip_address::parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; the longest IPv6 text form is 45 characters.
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';

  ip_address addr;
  std::uint8_t v4[4];
  if (inet_pton(AF_INET, buf, v4) == 1) {
    std::memcpy(addr.bytes.data(), v4_mapped_prefix.data(), v4_mapped_prefix.size());
    std::memcpy(addr.bytes.data() + 12, v4, 4);
    return addr;
  }
  if (inet_pton(AF_INET6, buf, addr.bytes.data()) == 1) return addr;
  return std::nullopt;
}

bool ip_address::is_v4_mapped() const {
  return std::memcmp(bytes.data(), v4_mapped_prefix.data(), v4_mapped_prefix.size()) == 0;
}

std::optional<cidr> cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto addr = ip_address::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;

  // An IPv4 network written as such is counted in the mapped space, so one comparison
  // serves clients seen on IPv4 and on dual-stack sockets (::ffff:a.b.c.d) alike.
  const bool written_as_v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  int prefix = 128;
  if (slash != std::string_view::npos) {
    auto bits = parse_prefix(text.substr(slash + 1));
    if (!bits || *bits > (written_as_v4 ? 32 : 128)) return std::nullopt;
    prefix = written_as_v4 ? *bits + 96 : *bits;
  }

  cidr net;
  net.network = *addr;
  net.prefix = prefix;
  net.text = std::string(text);
  // Host bits are cleared so that contains() can compare whole bytes.
  for (int i = 0; i < 16; ++i) {
    const int keep = std::clamp(prefix - i * 8, 0, 8);
    net.network.bytes[i] &= static_cast<std::uint8_t>(0xff00u >> keep);
  }
  return net;
}

bool cidr::contains(const ip_address& addr) const {
  const int whole = prefix / 8;
  if (std::memcmp(addr.bytes.data(), network.bytes.data(), whole) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff00u >> rest);
  return (addr.bytes[whole] & mask) == network.bytes[whole];
}

bool cidr::contains(std::string_view addr) const {
  auto parsed = ip_address::parse(addr);
  return parsed && contains(*parsed);
}

}  // namespace rangecache::util
