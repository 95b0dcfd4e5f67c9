#include "rangecache/plan/head_builder.hpp"

#include <gtest/gtest.h>

#include "rangecache/cache/field_rules.hpp"

using namespace rangecache;

TEST(HeadBuilder, BuildsAHeadWithoutFramingFromTheStore) {
  cache::object_meta meta;
  meta.headers = {
      {"Content-Type", "video/mp4"}, {"Content-Length", "99"}, {"Age", "3"}, {"ETag", "\"x\""}};
  plan::head_builder h(206);
  h.stored_fields(meta).field("Content-Length", std::uint64_t{42});
  EXPECT_EQ(h.finish(),
            "HTTP/1.1 206 Partial Content\r\nContent-Type: video/mp4\r\nETag: \"x\"\r\n"
            "Content-Length: 42\r\n\r\n");
}

TEST(HeadBuilder, GrowsPastItsFirstAllocation) {
  const std::string value(3000, 'v');
  plan::head_builder h(200);
  h.field("X-Long", value).field("Via", "1.0 a", ", 1.1 rangecache");
  for (int i = 0; i < 50; ++i) h.field("X-N", std::uint64_t(i));
  std::string want = "HTTP/1.1 200 OK\r\nX-Long: " + value + "\r\nVia: 1.0 a, 1.1 rangecache\r\n";
  for (int i = 0; i < 50; ++i) want += "X-N: " + std::to_string(i) + "\r\n";
  EXPECT_EQ(h.finish(), want + "\r\n");
}

TEST(FieldRules, OneTableForStoringReplayingAndUpdating) {
  struct row {
    const char* name;
    bool stored, replayed, updated;
  };
  for (auto r :
       {row{"Content-Type", true, true, true}, row{"ETag", true, true, true},
        row{"content-length", false, false, false}, row{"Age", false, false, false},
        row{"Via", true, false, true}, row{"X-Cache", false, false, false},
        row{"Proxy-Authentication-Info", false, false, false},
        row{"Content-Range", true, false, false}, row{"Connection", false, false, false},
        row{"Keep-Alive", false, false, false}, row{"Transfer-Encoding", false, false, false},
        row{"Proxy-Authenticate", false, false, false}, row{"Set-Cookie2", false, true, false},
        row{"X-Custom", true, true, true}, row{"TE", false, false, false},
        row{"Trailer", false, false, false}, row{"UPGRADE", false, false, false},
        row{"Proxy-Connection", false, false, false},
        row{"Proxy-Authorization", false, false, false},
        // The same lengths as names in the tables, and one longer than any.
        row{"Expires", true, true, true}, row{"Set-Cookie", true, true, true},
        row{"Content-Rangx", true, true, true}, row{"Vib", true, true, true},
        row{"X-A-Field-Name-Far-Longer-Than-Any-Of-The-Ones-The-Tables-Name-Here", true, true,
            true}}) {
    EXPECT_EQ(cache::stored_from_origin(r.name), r.stored) << r.name;
    EXPECT_EQ(cache::replayed_from_store(r.name), r.replayed) << r.name;
    EXPECT_EQ(cache::updated_by_304(r.name), r.updated) << r.name;
  }
}
