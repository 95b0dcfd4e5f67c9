// An IPv4 or IPv6 network (`10.0.0.0/8`, `::1/128`); a bare address means a single host.
#pragma once

#include <vector>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rangecache::util {

struct ip_address {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 stored as ::ffff:a.b.c.d
  static std::optional<ip_address> parse(std::string_view text);
  bool is_v4_mapped() const;
  bool operator==(const ip_address&) const = default;
};

struct cidr {
  ip_address network;
  int prefix = 128;  // in the 128-bit space (IPv4 /8 is stored as /104)
  std::string text;
  static std::optional<cidr> parse(std::string_view text);
  bool contains(const ip_address& addr) const;
  bool contains(std::string_view addr) const;
};

// Whether any of `nets` contains `addr` (trusted clients, PURGE allow lists).
inline bool any_contains(const std::vector<cidr>& nets, const ip_address& addr) {
  for (const auto& net : nets)
    if (net.contains(addr)) return true;
  return false;
}

inline bool any_contains(const std::vector<cidr>& nets, std::string_view addr) {
  if (nets.empty()) return false;
  const auto parsed = ip_address::parse(addr);
  return parsed && any_contains(nets, *parsed);
}

}  // namespace rangecache::util
