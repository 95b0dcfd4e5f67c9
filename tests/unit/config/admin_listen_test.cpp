// admin_listen_of: what `rangecache ctl` reads of a config file, and only that.
#include <gtest/gtest.h>

#include "config_test_util.hpp"
#include "files.hpp"
#include "temp_dir.hpp"

namespace rangecache::config {
namespace {

std::optional<listen_endpoint> of(const std::string& yaml) {
  rc_test::temp_dir dir("rc-admin-listen");
  rc_test::write_file(dir / "c.yaml", yaml);
  return admin_listen_of((dir / "c.yaml").string());
}

}  // namespace

TEST(AdminListenOf, ReadsOnlyTheAdminListener) {
  auto ep = of("admin: { listen: \"127.0.0.1:9090\" }\n");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->address, "127.0.0.1");
  EXPECT_EQ(ep->port, 9090);
  ep = of("admin:\n  purge_allow: []\n  listen: \"[::1]:9091\"\n");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->address, "::1");
  EXPECT_EQ(ep->port, 9091);
  // The rest of the file is not checked: ctl still reaches a daemon whose file is being
  // edited, and it resolves no origin name.
  ep = of("remap: nonsense\nnew_key: 1\nadmin: { listen: \"127.0.0.1:9\" }\n");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->port, 9);
}

TEST(AdminListenOf, AbsentIsNoListener) {
  EXPECT_FALSE(of("listen: [\"127.0.0.1:8080\"]\n"));
  EXPECT_FALSE(of("admin: { purge_allow: [] }\n"));
  EXPECT_FALSE(of(""));
}

TEST(AdminListenOf, ErrorsSayWhere) {
  struct bad_case {
    std::string yaml, fragment;
  };
  for (const auto& c : {bad_case{"a: 1\nadmin: { listen: \"localhost:9090\" }\n", ":2:"},
                        bad_case{"admin: [1]\n", "admin: expected a map"},
                        bad_case{"admin:\n  listen: [1, 2]\n", ":2:"},
                        bad_case{"admin: { listen: \"127.0.0.1:9090\"\n", "YAML syntax error"}}) {
    try {
      of(c.yaml);
      ADD_FAILURE() << "no error for " << c.yaml;
    } catch (const config_error& e) {
      EXPECT_TRUE(testing::contains(e.what(), c.fragment)) << e.what();
    }
  }
  EXPECT_THROW(admin_listen_of("/nonexistent/rangecache.yaml"), config_error);
}

}  // namespace rangecache::config
