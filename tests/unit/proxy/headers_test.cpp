#include "rangecache/proxy/headers.hpp"

#include <gtest/gtest.h>

namespace http = boost::beast::http;
using namespace rangecache::proxy;

TEST(Headers, HopByHopRemovedWithConnectionTokens) {
  http::fields f;
  f.insert("Connection", "keep-alive, X-Secret");
  f.insert("Keep-Alive", "timeout=5");
  f.insert("X-Secret", "1");
  f.insert("Proxy-Connection", "keep-alive");
  f.insert("TE", "trailers");
  f.insert("Trailer", "X");
  f.insert("Transfer-Encoding", "chunked");
  f.insert("Upgrade", "websocket");
  f.insert("Proxy-Authorization", "Basic x");
  f.insert("Range", "bytes=0-1");
  f.insert("ETag", "\"a\"");
  strip_hop_by_hop(f);
  std::vector<std::string> left;
  for (auto& x : f) left.emplace_back(x.name_string());
  EXPECT_EQ(left, (std::vector<std::string>{"Range", "ETag"}));
}

TEST(Headers, CopyEndToEndKeepsOrderAndDuplicates) {
  http::fields from;
  from.insert("Set-Cookie", "a=1");
  from.insert("Connection", "close");
  from.insert("Set-Cookie", "b=2");
  from.insert("Cache-Control", "max-age=60");
  http::fields to;
  copy_end_to_end(from, to);
  std::vector<std::string> got;
  for (auto& x : to) got.push_back(std::string(x.name_string()) + "=" + std::string(x.value()));
  EXPECT_EQ(got, (std::vector<std::string>{"Set-Cookie=a=1", "Set-Cookie=b=2",
                                           "Cache-Control=max-age=60"}));
}

TEST(Headers, ViaIsAppended) {
  http::fields f;
  append_via(f, 11);
  EXPECT_EQ(f[http::field::via], "1.1 rangecache");
  http::fields g;
  g.insert("Via", "1.0 first");
  append_via(g, 10);
  EXPECT_EQ(g[http::field::via], "1.0 first, 1.0 rangecache");
}

TEST(Headers, IsHopByHopIgnoresCase) {
  EXPECT_TRUE(is_hop_by_hop("TRANSFER-ENCODING"));
  EXPECT_TRUE(is_hop_by_hop("keep-alive"));
  EXPECT_FALSE(is_hop_by_hop("Content-Length"));
  EXPECT_FALSE(is_hop_by_hop("Range"));
}

TEST(Headers, CredentialsAreTheFieldsThatIdentifyAClient) {
  for (auto name : {"Authorization", "proxy-authorization", "COOKIE"})
    EXPECT_TRUE(is_credential(name)) << name;
  for (auto name : {"Set-Cookie", "User-Agent", "Cookie2x", "Authorization-Info", ""})
    EXPECT_FALSE(is_credential(name)) << name;
}

TEST(Headers, ControlHeadersRemovedByDefaultAndConfiguredName) {
  http::fields f;
  f.insert("X-Crr-Ims", "Mon, 01 Jan 2024 00:00:00 GMT");
  f.insert("x-crr-ident", "Etag \"a\"");
  f.insert("X-Skip-Crr", "1");
  f.insert("X-Skip-Crr", "2");
  f.insert("X-Rangecache-Fetch", "1");
  f.insert("X-My-Ims", "Mon, 01 Jan 2024 00:00:00 GMT");
  f.insert("X-MY-IDENT", "Stale");
  f.insert("Range", "bytes=0-1");
  f.insert("X-Crr-Other", "kept");
  strip_control_headers(f, "X-My-Ims", "X-My-Ident");
  std::vector<std::string> left;
  for (auto& x : f) left.emplace_back(x.name_string());
  EXPECT_EQ(left, (std::vector<std::string>{"Range", "X-Crr-Other"}));
}

TEST(Headers, ControlHeadersWithDefaultNamesOnly) {
  http::fields f;
  f.insert("X-Crr-Ims", "x");
  f.insert("X-Crr-Ident", "x");
  f.insert("Host", "a");
  strip_control_headers(f, "X-Crr-Ims", "X-Crr-Ident");
  std::vector<std::string> left;
  for (auto& x : f) left.emplace_back(x.name_string());
  EXPECT_EQ(left, (std::vector<std::string>{"Host"}));
}
