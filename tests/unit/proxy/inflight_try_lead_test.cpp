// try_lead: lead a key when no one does, never wait on it.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "rangecache/flight/inflight.hpp"

using namespace rangecache;
using role = flight::inflight_table::role;

TEST(InflightTryLead, LeadsOnceAndNeverJoinsAsAFollower) {
  flight::inflight_table table;
  EXPECT_EQ(table.try_lead("k"), role::lead);
  EXPECT_EQ(table.try_lead("k"), role::follow);
  EXPECT_EQ(table.waiters(), 0u);  // it did not wait
  boost::asio::io_context ioc;
  auto w = std::make_shared<flight::inflight_waiter>(ioc.get_executor());
  EXPECT_EQ(table.join("k", w), role::follow);  // a real waiter joins the try_lead's key
  table.finish("k");
  EXPECT_TRUE(w->finished.load());
  EXPECT_EQ(table.try_lead("k"), role::lead);  // free again once finished
  table.finish("k");
  table.mark_uncacheable("u", std::chrono::seconds(60));
  EXPECT_EQ(table.try_lead("u"), role::pass);
  EXPECT_EQ(table.size(), 0u);
}
