#include "rangecache/util/clock.hpp"

namespace rangecache::util {
namespace {

std::int64_t real_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class real_clock final : public clock {
 public:
  std::int64_t now() const override { return real_now(); }
};

}  // namespace

std::shared_ptr<const clock> system_clock() {
  static const std::shared_ptr<const clock> instance = std::make_shared<real_clock>();
  return instance;
}

manual_clock::manual_clock() : now_(real_now()) {}

}  // namespace rangecache::util
