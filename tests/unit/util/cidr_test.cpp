#include "rangecache/util/cidr.hpp"

#include <gtest/gtest.h>

namespace rangecache::util {
namespace {

cidr net(std::string_view text) {
  auto parsed = cidr::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(cidr{});
}

TEST(IpAddress, ParsesV4AsMapped) {
  auto a = ip_address::parse("10.1.2.3");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_v4_mapped());
  EXPECT_EQ(a->bytes[10], 0xff);
  EXPECT_EQ(a->bytes[11], 0xff);
  EXPECT_EQ(a->bytes[12], 10);
  EXPECT_EQ(a->bytes[15], 3);
  EXPECT_EQ(*a, *ip_address::parse("::ffff:10.1.2.3"));
}

TEST(IpAddress, ParsesV6) {
  auto a = ip_address::parse("2001:db8::1");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->is_v4_mapped());
  EXPECT_EQ(a->bytes[0], 0x20);
  EXPECT_EQ(a->bytes[1], 0x01);
  EXPECT_EQ(a->bytes[15], 1);
  EXPECT_FALSE(ip_address::parse("::1")->is_v4_mapped());
}

TEST(IpAddress, RejectsGarbage) {
  for (auto bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "::g", "[::1]",
        "fe80::1%eth0", "localhost", "1.2.3.4/8", "0000:0000:0000:0000:0000:0000:0000:0000:0000"}) {
    EXPECT_FALSE(ip_address::parse(bad)) << bad;
  }
}

TEST(Cidr, V4Containment) {
  const auto n = net("10.0.0.0/8");
  EXPECT_EQ(n.prefix, 104);
  EXPECT_EQ(n.text, "10.0.0.0/8");
  EXPECT_TRUE(n.contains("10.0.0.0"));
  EXPECT_TRUE(n.contains("10.255.255.255"));
  EXPECT_FALSE(n.contains("11.0.0.0"));
  EXPECT_FALSE(n.contains("9.255.255.255"));
}

TEST(Cidr, V4PrefixNotOnByteBoundary) {
  const auto n = net("192.168.4.0/22");
  EXPECT_TRUE(n.contains("192.168.4.0"));
  EXPECT_TRUE(n.contains("192.168.7.255"));
  EXPECT_FALSE(n.contains("192.168.8.0"));
  EXPECT_FALSE(n.contains("192.168.3.255"));
}

TEST(Cidr, V4MatchesV4MappedClients) {
  // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
  const auto n = net("127.0.0.0/8");
  EXPECT_TRUE(n.contains("::ffff:127.0.0.1"));
  EXPECT_FALSE(n.contains("::ffff:128.0.0.1"));
  EXPECT_FALSE(n.contains("::1"));
  EXPECT_TRUE(net("::ffff:10.0.0.0/104").contains("10.9.9.9"));
}

TEST(Cidr, V6Containment) {
  const auto n = net("2001:db8::/32");
  EXPECT_TRUE(n.contains("2001:db8::1"));
  EXPECT_TRUE(n.contains("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
  EXPECT_FALSE(n.contains("2001:db9::"));
  EXPECT_FALSE(n.contains("10.0.0.1"));
  const auto odd = net("fd00::/7");
  EXPECT_TRUE(odd.contains("fc00::1"));
  EXPECT_TRUE(odd.contains("fdff::1"));
  EXPECT_FALSE(odd.contains("fe00::1"));
}

TEST(Cidr, BareAddressIsOneHost) {
  const auto v4 = net("192.0.2.7");
  EXPECT_EQ(v4.prefix, 128);
  EXPECT_TRUE(v4.contains("192.0.2.7"));
  EXPECT_FALSE(v4.contains("192.0.2.8"));
  const auto v6 = net("::1");
  EXPECT_TRUE(v6.contains("::1"));
  EXPECT_FALSE(v6.contains("::2"));
}

TEST(Cidr, ZeroPrefixes) {
  const auto all4 = net("0.0.0.0/0");
  EXPECT_TRUE(all4.contains("255.255.255.255"));
  EXPECT_TRUE(all4.contains("1.2.3.4"));
  EXPECT_FALSE(all4.contains("2001:db8::1"));
  const auto all = net("::/0");
  EXPECT_TRUE(all.contains("2001:db8::1"));
  EXPECT_TRUE(all.contains("1.2.3.4"));
}

TEST(Cidr, HostBitsAreCleared) {
  const auto n = net("10.1.2.3/8");
  EXPECT_EQ(n.network, *ip_address::parse("10.0.0.0"));
  EXPECT_TRUE(n.contains("10.200.0.1"));
}

TEST(Cidr, RejectsBadPrefixes) {
  for (auto bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8",
                   "10.0.0.0/8x", "10.0.0.0/ 8", "/8", "10.0.0.0/8/8", "host/8", "10.0.0.0/0008"}) {
    EXPECT_FALSE(cidr::parse(bad)) << bad;
  }
  EXPECT_TRUE(cidr::parse("10.0.0.0/32"));
  EXPECT_TRUE(cidr::parse("::/128"));
}

TEST(Cidr, UnparsableClientNeverMatches) {
  EXPECT_FALSE(net("::/0").contains("not-an-ip"));
  EXPECT_FALSE(net("::/0").contains(""));
}

}  // namespace
}  // namespace rangecache::util
