// Beyond ATS: once the complete object is stored (a plain GET, or an origin that answered a
// range request with 200), every range of that URL is served from it without the origin.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

using strings = std::vector<std::string>;
constexpr const char* last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";

class CacheCompleteObject : public daemon_suite<CacheCompleteObject> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }

 protected:
  // A plain GET that stores the complete object.
  static void prime(const std::string& path, std::uint64_t size) {
    auto r = get(daemon_->port(), path, {}, 30s);
    ASSERT_TRUE(is_whole(r, path, size));
    ASSERT_EQ(x_cache(r), "MISS");
  }
};

struct single_case {
  const char* range;
  std::uint64_t first, last;
};

}  // namespace

TEST_F(CacheCompleteObject, EverySingleRangeHitsWithoutTheOrigin) {
  const std::uint64_t size = 300000;
  const auto path = unique_gen(size);
  prime(path, size);
  const single_case cases[] = {
      {"bytes=0-0", 0, 0},
      {"bytes=1000-1999", 1000, 1999},
      {"bytes=65535-65536", 65535, 65536},  // across a store chunk and an origin piece
      {"bytes=-1", 299999, 299999},
      {"bytes=-1000", 299000, 299999},
      {"bytes=299000-", 299000, 299999},
      {"bytes=0-", 0, 299999},
      {"bytes=299990-400000", 299990, 299999},
      {"bytes=-400000", 0, 299999},
      {"bytes=0-099", 0, 99},
  };
  for (const auto& c : cases) {
    auto r = range_get(path, c.range);
    EXPECT_TRUE(is_partial(r, path, c.first, c.last, size)) << c.range;
    EXPECT_EQ(x_cache(r), "HIT_FULL") << c.range;
    EXPECT_TRUE(r.has_header("Age")) << c.range;
    EXPECT_EQ(r.header("ETag"), expected_etag(path, size)) << c.range;
  }
  EXPECT_EQ(origin_->count(path), 1);
  EXPECT_TRUE(origin_->ranges(path).empty());
}

TEST_F(CacheCompleteObject, MultiRangeIsMultipartFromTheCompleteObject) {
  const std::uint64_t size = 300000;
  const auto path = unique_gen(size);
  prime(path, size);
  struct multi_case {
    const char* range;
    std::vector<asked_range> asked;
  };
  const std::vector<multi_case> cases{
      {"bytes=0-99,1000-1999,-100", {{0, 99}, {1000, 1999}, {100, 0, true}}},
      {"bytes=200000-,10-19", {{200000}, {10, 19}}},
      {"bytes=0-0,2-2,4-4,6-6", {{0, 0}, {2, 2}, {4, 4}, {6, 6}}},
      {"bytes=65000-66000, 131000-132000", {{65000, 66000}, {131000, 132000}}},
      // Adjacent ranges may be coalesced; one unsatisfiable part is dropped.
      {"bytes=0-99,100-199", {{0, 99}, {100, 199}}},
      {"bytes=0-99,400000-400001", {{0, 99}, {400000, 400001}}},
  };
  for (const auto& c : cases) {
    auto r = range_get(path, c.range);
    EXPECT_TRUE(is_multi(r, path, size, c.asked)) << c.range;
    EXPECT_EQ(x_cache(r), "HIT_FULL") << c.range;
  }
  // Several parts: really multipart, with the type of the object in every part.
  auto r = range_get(path, "bytes=0-9,20-29");
  ASSERT_TRUE(multipart_boundary(r.header("Content-Type").value_or(""))) << r;
  auto parts = parse_byteranges(r.body, *multipart_boundary(*r.header("Content-Type")));
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);
  for (const auto& p : *parts) {
    bool typed = false;
    for (const auto& [name, value] : p.headers)
      if (iequals(name, "Content-Type")) typed = value == "application/octet-stream";
    EXPECT_TRUE(typed);
  }
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(CacheCompleteObject, UnsatisfiableRangesAre416FromTheCache) {
  const std::uint64_t size = 300000;
  const auto path = unique_gen(size);
  prime(path, size);
  for (const char* range :
       {"bytes=300000-", "bytes=300000-300005", "bytes=400000-400001,500000-"}) {
    auto r = range_get(path, range);
    EXPECT_TRUE(is_unsatisfiable(r, size)) << range;
    EXPECT_EQ(x_cache(r), "HIT_FULL") << range;
  }
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(CacheCompleteObject, IfRangeMatchAndMismatch) {
  const std::uint64_t size = 200000;
  const auto path = unique_gen(size);
  prime(path, size);
  const auto etag = expected_etag(path, size);
  auto match = range_get(path, "bytes=10-19", {{"If-Range", etag}});
  EXPECT_TRUE(is_partial(match, path, 10, 19, size));
  EXPECT_EQ(x_cache(match), "HIT_FULL");
  auto date_match = range_get(path, "bytes=10-19", {{"If-Range", last_modified}});
  EXPECT_TRUE(is_partial(date_match, path, 10, 19, size));
  // A mismatch means "send me the whole new version": here the whole stored one.
  auto mismatch = range_get(path, "bytes=10-19", {{"If-Range", "\"old-version\""}});
  EXPECT_TRUE(is_whole(mismatch, path, size));
  EXPECT_EQ(x_cache(mismatch), "HIT_FULL");
  auto weak = range_get(path, "bytes=10-19", {{"If-Range", "W/" + etag}});
  EXPECT_TRUE(is_whole(weak, path, size));
  auto other_date = range_get(path, "bytes=10-19", {{"If-Range", "Tue, 02 Jan 2024 00:00:00 GMT"}});
  EXPECT_TRUE(is_whole(other_date, path, size));
  auto multi = range_get(path, "bytes=0-9,20-29", {{"If-Range", etag}});
  EXPECT_TRUE(is_multi(multi, path, size, {{0, 9}, {20, 29}}));
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(CacheCompleteObject, HeadWithAndWithoutRange) {
  const std::uint64_t size = 200000;
  const auto path = unique_gen(size);
  prime(path, size);
  auto plain = head(daemon_->port(), path);
  EXPECT_EQ(plain.status, 200) << plain;
  EXPECT_EQ(plain.header("Content-Length"), "200000");
  EXPECT_EQ(plain.header("ETag"), expected_etag(path, size));
  EXPECT_EQ(plain.header("Last-Modified"), last_modified);
  EXPECT_EQ(x_cache(plain), "HIT_FULL");
  EXPECT_TRUE(plain.has_header("Age"));
  EXPECT_TRUE(plain.body.empty());

  auto ranged = head(daemon_->port(), path, {{"Range", "bytes=100-199"}});
  EXPECT_EQ(ranged.status, 206) << ranged;
  EXPECT_EQ(ranged.header("Content-Range"), "bytes 100-199/200000");
  EXPECT_EQ(ranged.header("Content-Length"), "100");
  EXPECT_EQ(x_cache(ranged), "HIT_FULL");
  EXPECT_TRUE(ranged.body.empty());

  auto unsatisfiable = head(daemon_->port(), path, {{"Range", "bytes=999999-"}});
  EXPECT_TRUE(is_unsatisfiable(unsatisfiable, size));

  // The connection stays usable after bodiless answers.
  connection c("127.0.0.1", daemon_->port());
  ASSERT_TRUE(c.send_request("HEAD", path, {{"Range", "bytes=0-9"}}));
  auto first = c.read_response(true);
  EXPECT_EQ(first.status, 206) << first;
  ASSERT_TRUE(c.send_request("GET", path, {{"Range", "bytes=0-9"}}));
  EXPECT_TRUE(is_partial(c.read_response(), path, 0, 9, size));
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(CacheCompleteObject, ClientConditionalsAreAnsweredFromTheCache) {
  const std::uint64_t size = 50000;
  const auto path = unique_gen(size);
  prime(path, size);
  const auto etag = expected_etag(path, size);
  for (const header_list& h :
       {header_list{{"If-None-Match", etag}}, header_list{{"If-None-Match", "\"x\", " + etag}},
        header_list{{"If-None-Match", "*"}}, header_list{{"If-None-Match", "W/" + etag}},
        header_list{{"If-Modified-Since", last_modified}},
        header_list{{"If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT"}},
        header_list{{"If-None-Match", etag}, {"Range", "bytes=0-9"}}}) {
    auto r = get(daemon_->port(), path, h);
    EXPECT_EQ(r.status, 304) << h[0].second << r;
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(r.header("ETag"), etag);
    EXPECT_EQ(x_cache(r), "HIT_FULL");
  }
  for (const header_list& h :
       {header_list{{"If-None-Match", "\"other\""}},
        header_list{{"If-Modified-Since", "Sun, 31 Dec 2023 23:59:59 GMT"}},
        // If-None-Match wins over If-Modified-Since (RFC 9110 §13.1.3).
        header_list{{"If-None-Match", "\"other\""}, {"If-Modified-Since", last_modified}}}) {
    auto r = get(daemon_->port(), path, h);
    EXPECT_TRUE(is_whole(r, path, size)) << h[0].second;
  }
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(CacheCompleteObject, PlainGetHitsAndKeepsEntityHeaders) {
  const std::uint64_t size = 100000;
  const auto path = unique_gen(size, ".txt");
  prime(path, size);
  auto r = get(daemon_->port(), path);
  EXPECT_TRUE(is_whole(r, path, size));
  EXPECT_EQ(x_cache(r), "HIT_FULL");
  EXPECT_EQ(r.header("Content-Type"), "text/plain");
  EXPECT_EQ(r.header("Cache-Control"), "max-age=3600");
  EXPECT_EQ(r.header("Accept-Ranges"), "bytes");
  EXPECT_EQ(r.header("Last-Modified"), last_modified);
  EXPECT_EQ(r.header("Via"), "1.1 rangecache");
  EXPECT_EQ(r.header_values("Content-Length").size(), 1u);
  EXPECT_TRUE(r.has_header("Date"));
  auto age = r.header("Age");
  ASSERT_TRUE(age);
  EXPECT_LE(std::stoll(*age), 5);
  EXPECT_EQ(origin_->count(path), 1);
}

// An origin 200 to a range request is the complete object (ATS stores nothing by default);
// it is stored as such, and the client still gets its 206.
TEST_F(CacheCompleteObject, OriginIgnoringRangeIsStoredAsTheCompleteObject) {
  const std::uint64_t size = 200000;
  const auto path = unique_gen(size);
  const auto target = path + "?ignore_range=1";
  auto miss = range_get(target, "bytes=1000-1999");
  EXPECT_TRUE(is_partial(miss, path, 1000, 1999, size));
  EXPECT_EQ(x_cache(miss), "MISS");
  EXPECT_EQ(origin_->count(target), 1);
  EXPECT_EQ(origin_->ranges(target), strings{"bytes=1000-1999"});

  const single_case cases[] = {{"bytes=1000-1999", 1000, 1999},
                               {"bytes=5000-5999", 5000, 5999},
                               {"bytes=-10", 199990, 199999},
                               {"bytes=150000-", 150000, 199999}};
  // The client's 206 ended long before the origin's 200: the requests that follow find the
  // complete object stored, or being stored; none reaches the origin.
  for (const auto& c : cases) {
    auto r = range_get(target, c.range);
    EXPECT_TRUE(is_partial(r, path, c.first, c.last, size)) << c.range;
    EXPECT_TRUE(from_complete_object(r)) << c.range;
  }
  EXPECT_TRUE(is_multi(range_get(target, "bytes=0-9,100-109"), path, size, {{0, 9}, {100, 109}}));
  EXPECT_TRUE(is_unsatisfiable(range_get(target, "bytes=200000-"), size));
  auto whole = get(daemon_->port(), target);
  EXPECT_TRUE(is_whole(whole, path, size));
  EXPECT_TRUE(from_complete_object(whole));
  EXPECT_EQ(origin_->count(target), 1);
}

TEST_F(CacheCompleteObject, OriginIgnoringAnUnsatisfiableRangeStillGives416) {
  const std::uint64_t size = 200000;
  const auto path = unique_gen(size);
  const auto target = path + "?ignore_range=1";
  auto r = range_get(target, "bytes=500000-");
  EXPECT_TRUE(is_unsatisfiable(r, size));
  EXPECT_TRUE(r.complete) << r;
  auto hit = range_get(target, "bytes=0-9");
  EXPECT_TRUE(is_partial(hit, path, 0, 9, size));
  EXPECT_TRUE(from_complete_object(hit));
  EXPECT_EQ(origin_->count(target), 1);
}

// The same with an origin slow enough that the client's answer is over long before the
// origin's body is: the requests that follow must not go upstream again.
TEST_F(CacheCompleteObject, RangesFollowingAnOrigin200BeingStoredDoNotReachTheOrigin) {
  const std::uint64_t size = 400000;
  const auto path = unique_gen(size);
  const auto target = path + "?ignore_range=1&slow=1000000";
  auto first = range_get(target, "bytes=0-99");
  EXPECT_TRUE(is_partial(first, path, 0, 99, size));
  for (const single_case c :
       {single_case{"bytes=100-199", 100, 199}, single_case{"bytes=-100", size - 100, size - 1}}) {
    auto r = range_get(target, c.range);
    EXPECT_TRUE(is_partial(r, path, c.first, c.last, size)) << c.range;
    EXPECT_TRUE(from_complete_object(r)) << c.range;
  }
  EXPECT_EQ(origin_->count(target), 1);
}

TEST_F(CacheCompleteObject, CompleteObjectWinsOverRangeObjects) {
  const std::uint64_t size = 100000;
  const auto path = unique_gen(size);
  EXPECT_EQ(x_cache(range_get(path, "bytes=0-99")), "MISS");
  EXPECT_EQ(x_cache(range_get(path, "bytes=0-99")), "HIT");
  prime(path, size);
  // The complete object is looked at first: it answers any range.
  auto r = range_get(path, "bytes=0-99");
  EXPECT_TRUE(is_partial(r, path, 0, 99, size));
  EXPECT_EQ(x_cache(r), "HIT_FULL");
  EXPECT_EQ(origin_->count(path), 2);
}

TEST_F(CacheCompleteObject, ChunkedOriginBodyIsStored) {
  const std::uint64_t size = 150000;
  const auto path = unique_gen(size);
  const auto target = path + "?chunked=1";
  auto miss = get(daemon_->port(), target);
  EXPECT_TRUE(is_whole(miss, path, size));
  auto r = range_get(target, "bytes=100-199");
  EXPECT_TRUE(is_partial(r, path, 100, 199, size));
  EXPECT_EQ(x_cache(r), "HIT_FULL");
  auto whole = get(daemon_->port(), target);
  EXPECT_TRUE(is_whole(whole, path, size));
  EXPECT_EQ(whole.header("Content-Length"), "150000");
  EXPECT_EQ(origin_->count(target), 1);
}

TEST_F(CacheCompleteObject, EmptyObject) {
  const auto path = unique_gen(0);
  auto miss = get(daemon_->port(), path);
  EXPECT_EQ(miss.status, 200) << miss;
  EXPECT_TRUE(miss.body.empty());
  auto hit = get(daemon_->port(), path);
  EXPECT_EQ(hit.status, 200) << hit;
  EXPECT_EQ(hit.header("Content-Length"), "0");
  // The whole answer is its header: the next request may still find the fill in flight.
  EXPECT_TRUE(from_complete_object(hit));
  EXPECT_TRUE(is_unsatisfiable(range_get(path, "bytes=0-"), 0));
  EXPECT_EQ(origin_->count(path), 1);
}

// RFC 9111 §4.4: a successful unsafe request invalidates what is stored for its URL.
TEST_F(CacheCompleteObject, UnsafeMethodsPurgeTheUrl) {
  const std::uint64_t size = 10000;
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    const auto path = unique_gen(size);
    prime(path, size);
    ASSERT_EQ(x_cache(range_get(path, "bytes=0-9")), "HIT_FULL");
    auto u = request(daemon_->port(), method, path, {}, "x");
    ASSERT_EQ(u.status, 200) << method << u;
    auto after = range_get(path, "bytes=0-9");
    EXPECT_TRUE(is_partial(after, path, 0, 9, size)) << method;
    EXPECT_EQ(x_cache(after), "MISS") << method;
    // GET, the unsafe method, GET again.
    EXPECT_EQ(origin_->count(path), 3) << method;
  }
}

TEST_F(CacheCompleteObject, UnsafeMethodsPurgeRangeObjectsToo) {
  const std::uint64_t size = 10000;
  const auto path = unique_gen(size);
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-9")), "MISS");
  ASSERT_EQ(x_cache(range_get(path, "bytes=-5")), "MISS");
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-9")), "HIT");
  auto u = request(daemon_->port(), "POST", path, {}, "x");
  ASSERT_EQ(u.status, 200) << u;
  auto a = range_get(path, "bytes=0-9");
  EXPECT_TRUE(is_partial(a, path, 0, 9, size));
  EXPECT_EQ(x_cache(a), "MISS");
  auto b = range_get(path, "bytes=-5");
  EXPECT_TRUE(is_partial(b, path, 9995, 9999, size));
  EXPECT_EQ(x_cache(b), "MISS");
  EXPECT_EQ(origin_->count(path), 5);
}

// The same-origin URLs a successful unsafe request's answer names in Location and
// Content-Location are invalidated too; another origin's URL is not.
TEST_F(CacheCompleteObject, UnsafeMethodsPurgeTheUrlsTheAnswerNames) {
  const std::uint64_t size = 10000;
  const auto named = unique_gen(size), absolute = unique_gen(size), other = unique_gen(size);
  for (const auto& path : {named, absolute, other}) {
    prime(path, size);
    ASSERT_EQ(x_cache(range_get(path, "bytes=0-9")), "HIT_FULL") << path;
  }
  const std::string origin_url = "http://127.0.0.1:" + std::to_string(origin_->port());
  auto u = request(daemon_->port(), "POST",
                   "/echo/create?location=" + named + "&content_location=" + origin_url + absolute,
                   {}, "x");
  ASSERT_EQ(u.status, 200) << u;
  auto v =
      request(daemon_->port(), "PUT", "/echo/update?location=http://192.0.2.1" + other, {}, "x");
  ASSERT_EQ(v.status, 200) << v;
  EXPECT_EQ(x_cache(range_get(named, "bytes=0-9")), "MISS");
  EXPECT_EQ(x_cache(range_get(absolute, "bytes=0-9")), "MISS");
  EXPECT_EQ(x_cache(range_get(other, "bytes=0-9")), "HIT_FULL");
}

// Fields the origin's Connection header names, and those its no-cache="..." / private="..."
// name, are never stored: answers from the cache do not carry them; the rest they do.
TEST_F(CacheCompleteObject, ConnectionNamedAndWithheldFieldsAreNotReplayed) {
  const std::uint64_t size = 2000;
  const auto path = unique_gen(size);
  const std::string target =
      path +
      "?cc=max-age%3D600,%20private%3D%22X-Secret%22,%20no-cache%3D%22X-Once%22"
      "&hdr=X-Secret:token&hdr=X-Once:now&hdr=Connection:X-Hop&hdr=X-Hop:1&hdr=X-Plain:kept";
  auto miss = get(daemon_->port(), target);
  ASSERT_TRUE(is_whole(miss, path, size)) << miss;
  EXPECT_EQ(x_cache(miss), "MISS");
  EXPECT_FALSE(miss.has_header("X-Hop")) << miss;  // this connection's, never forwarded
  auto hit = get(daemon_->port(), target);
  ASSERT_TRUE(is_whole(hit, path, size)) << hit;
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  EXPECT_FALSE(hit.has_header("X-Secret")) << hit;
  EXPECT_FALSE(hit.has_header("X-Once")) << hit;
  EXPECT_FALSE(hit.has_header("X-Hop")) << hit;
  EXPECT_EQ(hit.header("X-Plain"), "kept") << hit;
  EXPECT_EQ(origin_->count(target), 1);
}

TEST_F(CacheCompleteObject, LargeObjectRangesAcrossChunks) {
  const std::uint64_t size = 8u << 20;
  const auto path = unique_gen(size);
  auto miss = get_hashed(daemon_->port(), path, {}, 30s);
  ASSERT_EQ(miss.status, 200) << miss;
  EXPECT_EQ(miss.body_sha256, expected_sha256(path, 0, size));
  const single_case cases[] = {{"bytes=65519-65520", 65519, 65520},  // a store chunk edge
                               {"bytes=65520-131039", 65520, 131039},
                               {"bytes=1000000-3999999", 1000000, 3999999},
                               {"bytes=-70000", size - 70000, size - 1}};
  for (const auto& c : cases) {
    auto r = range_get(path, c.range, {});
    EXPECT_TRUE(is_partial(r, path, c.first, c.last, size)) << c.range;
    EXPECT_EQ(x_cache(r), "HIT_FULL") << c.range;
  }
  auto whole = get_hashed(daemon_->port(), path, {}, 30s);
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body_sha256, expected_sha256(path, 0, size));
  EXPECT_EQ(x_cache(whole), "HIT_FULL");
  EXPECT_EQ(origin_->count(path), 1);
}

namespace {

class CacheCompleteObjectLimits : public daemon_suite<CacheCompleteObjectLimits> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.max_size = "8MiB";
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }
};

}  // namespace

// Objects larger than a quarter of cache.max_size are passed through, not stored.
TEST_F(CacheCompleteObjectLimits, ObjectsOverAQuarterOfTheCacheAreNotStored) {
  const std::uint64_t size = 3000000;
  const auto path = unique_gen(size);
  for (int i = 0; i < 2; ++i) {
    auto r = get(daemon_->port(), path, {}, 30s);
    EXPECT_TRUE(is_whole(r, path, size)) << i;
    EXPECT_EQ(x_cache(r), "PASS") << i;
  }
  EXPECT_EQ(origin_->count(path), 2);
  // A small range of it is still cached as a range object.
  auto miss = get(daemon_->port(), path, {{"Range", "bytes=0-99"}});
  EXPECT_TRUE(is_partial(miss, path, 0, 99, size));
  auto hit = get(daemon_->port(), path, {{"Range", "bytes=0-99"}});
  EXPECT_TRUE(is_partial(hit, path, 0, 99, size));
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(origin_->count(path), 3);
}
