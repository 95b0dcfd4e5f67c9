// listen and admin.listen: IP literal + port, IPv6 in brackets.
#include "config/address_parse.hpp"

#include "config_test_util.hpp"

namespace rangecache::config {
namespace {

using testing::load;

listen_endpoint endpoint(std::string_view text) {
  listen_endpoint ep;
  EXPECT_EQ(detail::parse_listen(text, ep), "") << text;
  return ep;
}

std::string listen_error(std::string_view text) {
  listen_endpoint ep;
  return detail::parse_listen(text, ep);
}

TEST(Listen, Ipv4) {
  const auto ep = endpoint("0.0.0.0:8080");
  EXPECT_EQ(ep.address, "0.0.0.0");
  EXPECT_EQ(ep.port, 8080);
  EXPECT_EQ(ep.text, "0.0.0.0:8080");
  EXPECT_EQ(endpoint("127.0.0.1:1").port, 1);
  EXPECT_EQ(endpoint("127.0.0.1:65535").port, 65535);
}

TEST(Listen, Ipv6) {
  const auto any = endpoint("[::]:8080");
  EXPECT_EQ(any.address, "::");
  EXPECT_EQ(any.port, 8080);
  EXPECT_EQ(any.text, "[::]:8080");
  EXPECT_EQ(endpoint("[::1]:80").address, "::1");
  EXPECT_EQ(endpoint("[2001:db8::10]:443").address, "2001:db8::10");
  EXPECT_EQ(endpoint("[::ffff:127.0.0.1]:80").address, "::ffff:127.0.0.1");
}

TEST(Listen, PortZeroAsksForAFreePort) {
  const auto ep = endpoint("127.0.0.1:0");
  EXPECT_EQ(ep.port, 0);
  EXPECT_EQ(endpoint("[::1]:0").port, 0);
}

TEST(Listen, Errors) {
  auto has = [](std::string_view text, std::string_view fragment) {
    const auto why = listen_error(text);
    return why.find(fragment) != std::string::npos;
  };
  EXPECT_TRUE(has("::1:8080", "IPv6 addresses need brackets"));
  EXPECT_TRUE(has("::", "IPv6 addresses need brackets"));
  EXPECT_TRUE(has("localhost:8080", "an IP literal, not a host name"));
  EXPECT_TRUE(has("127.0.0.1", "the port is missing"));
  EXPECT_TRUE(has("[::1]", "the port is missing"));
  EXPECT_TRUE(has("127.0.0.1:65536", "0-65535"));
  EXPECT_TRUE(has("127.0.0.1:", "0-65535"));
  EXPECT_TRUE(has("127.0.0.1:http", "0-65535"));
  EXPECT_TRUE(has("127.0.0.1:-1", "0-65535"));
  EXPECT_TRUE(has("[127.0.0.1]:80", "expected an IP address"));
  EXPECT_TRUE(has("[::1]80", "expected an IP address"));
  EXPECT_TRUE(has("[::1:80", "expected an IP address"));
  EXPECT_TRUE(has(":8080", "expected an IP address"));
  EXPECT_TRUE(has("", "expected an IP address"));
  EXPECT_TRUE(has("256.0.0.1:80", "expected an IP address"));
  // The hints must not mislead: these are bad addresses, not names or bare IPv6.
  EXPECT_FALSE(has("256.0.0.1:80", "host name"));
  EXPECT_FALSE(has("[::1:80", "need brackets"));
}

TEST(ListenLoad, SingleStringOrList) {
  EXPECT_EQ(load(R"(
listen: "[::]:8080"
remap: [{ from: "http://a/", to: "http://b/" }]
)")
                .listen.size(),
            1u);
  const auto cfg = load(R"(
listen:
  - 0.0.0.0:8080
  - "[::]:8080"
  - 127.0.0.1:9000
remap: [{ from: "http://a/", to: "http://b/" }]
)");
  ASSERT_EQ(cfg.listen.size(), 3u);
  EXPECT_EQ(cfg.listen[2].port, 9000);
}

TEST(ListenLoad, PortZeroNeverOverlapsTheAdminListener) {
  const auto cfg = load(R"(
listen: 127.0.0.1:0
admin: { listen: "127.0.0.1:0" }
remap: [{ from: "http://a/", to: "http://b/" }]
)");
  EXPECT_EQ(cfg.listen[0].port, 0);
  EXPECT_EQ(cfg.admin.listen->port, 0);
}

TEST(ListenLoad, ErrorLines) {
  EXPECT_CONFIG_ERROR_AT(R"(
listen:
  - 0.0.0.0:8080
  - "::1:8080"
remap: [{ from: "http://a/", to: "http://b/" }]
)",
                         3, 5, "listen[1]: expected an IP address and a port");
  EXPECT_CONFIG_ERROR(
      R"(
remap: [{ from: "http://a/", to: "http://b/" }]
listen: [ [::1]:8080 ]
)",
      2, "listen[0]: expected a string like \"0.0.0.0:8080\" or \"[::]:8080\" (quoted), got a map");
  EXPECT_CONFIG_ERROR(R"(
remap: [{ from: "http://a/", to: "http://b/" }]
listen: []
)",
                      2, "listen: at least one address is needed");
  EXPECT_CONFIG_ERROR(R"(
remap: [{ from: "http://a/", to: "http://b/" }]
)",
                      1, "listen: missing");
  EXPECT_CONFIG_ERROR(R"(
remap: [{ from: "http://a/", to: "http://b/" }]
listen: { a: 1 }
)",
                      2, "listen: expected an address like 0.0.0.0:8080 or a list, got a map");
  EXPECT_CONFIG_ERROR(R"(
remap: [{ from: "http://a/", to: "http://b/" }]
listen:
  - "127.0.0.1:8080"
  - "[::1]:8080"
  - "127.0.0.1:8080"
)",
                      5, "listen[2]: '127.0.0.1:8080' is listed twice (line 3)");
}

}  // namespace
}  // namespace rangecache::config
