// Cache keys from the outside. Two URLs that once spelled one key: the complete object of
// "/x-bytes=0-99" and the range object of "/x" with "Range: bytes=0-99"; while one is being
// filled, a request for the other must get its own bytes, never the fill it does not belong
// to. And long targets (signed URLs) with the default limits.
#include <gtest/gtest.h>

#include <thread>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class CacheKeys : public daemon_suite<CacheKeys> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }

 protected:
};

// Sends a GET on its own connection and returns once the origin has it: by then the proxy
// leads the fill for the request's key, and later requests for that key follow it.
connection begin_get(std::uint16_t port, const origin& o, const std::string& target,
                     const header_list& h) {
  connection c("127.0.0.1", port, 20s);
  if (!c.send_request("GET", target, h)) throw std::runtime_error("send failed");
  for (int i = 0; i < 500 && o.count(target) == 0; ++i) std::this_thread::sleep_for(10ms);
  if (o.count(target) == 0) throw std::runtime_error("the origin never saw " + target);
  return c;
}

}  // namespace

// The leader fills the complete object of "<x>-bytes=0-99" slowly; a range request for <x>
// arrives meanwhile. The origin's ?etag= makes the two URLs' contents differ.
TEST_F(CacheKeys, RangeRequestDoesNotFollowAnotherUrlsCompleteFill) {
  const std::string path = unique_gen(40000);
  const std::string x = path + "?slow=20000&etag=A";
  const std::string other = x + "-bytes=0-99";  // the origin reads etag "A-bytes=0-99"
  auto leader = begin_get(daemon_->port(), *origin_, other, {});

  auto r = get(daemon_->port(), x, {{"Range", "bytes=0-99"}}, 20s);
  EXPECT_TRUE(is_partial(r, path, 0, 99, 40000, "A")) << r;
  EXPECT_NE(x_cache(r), "COLLAPSED");
}

// The reverse: the range object of <x> is being filled (slowly) when the complete object of
// "<x>-bytes=0-99" is asked for.
TEST_F(CacheKeys, CompleteRequestDoesNotFollowAnotherUrlsRangeFill) {
  const std::string path = unique_gen(40000);
  // "slow=40-bytes=0-99" is no number to the origin: only the range request trickles.
  const std::string x = path + "?etag=B&slow=40";
  const std::string other = x + "-bytes=0-99";
  auto leader = begin_get(daemon_->port(), *origin_, x, {{"Range", "bytes=0-99"}});

  auto r = get(daemon_->port(), other, {}, 20s);
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_TRUE(is_whole(r, path, 40000, "B")) << r;
}

// Signed URLs and long query strings: a 16 KiB and a 60 KiB request target are served (and
// cached) with the default header limit, as ATS and Varnish serve them.
TEST_F(CacheKeys, LongRequestTargetsAreServedWithTheDefaultLimit) {
  for (std::size_t query : {16u * 1024, 60u * 1024}) {
    const auto path = unique_gen(10000);
    const std::string target = path + "?sig=" + std::string(query, 's');
    auto whole = get(daemon_->port(), target);
    EXPECT_TRUE(is_whole(whole, path, 10000)) << query << " " << whole;
    auto miss = get(daemon_->port(), target, {{"Range", "bytes=10-19"}});
    EXPECT_TRUE(is_partial(miss, path, 10, 19, 10000)) << query << " " << miss;
    auto hit = get(daemon_->port(), target, {{"Range", "bytes=20-29"}});
    EXPECT_TRUE(is_partial(hit, path, 20, 29, 10000)) << query << " " << hit;
    EXPECT_EQ(x_cache(hit), "HIT_FULL");
  }
}
