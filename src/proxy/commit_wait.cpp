#include "commit_wait.hpp"

#include <spdlog/spdlog.h>

namespace rangecache::proxy {
namespace {

struct commit_waiter {
  explicit commit_waiter(asio::any_io_executor ex) : timer(std::move(ex)) {}
  asio::steady_timer timer;
  std::optional<cache::commit_result> result;
};

}  // namespace

awaitable<bool> commit_and_wait(asio::any_io_executor ex, cache::fill& fill,
                                cache::object_meta meta) {
  auto waiter = std::make_shared<commit_waiter>(ex);
  waiter->timer.expires_after(std::chrono::seconds(5));
  auto fe = fill.commit(std::move(meta), [waiter, ex](const cache::commit_result& r) {
    asio::post(ex, [waiter, r] {
      waiter->result = r;
      waiter->timer.cancel();
    });
  });
  if (fe != cache::fill_error::none) co_return false;
  co_await waiter->timer.async_wait(use_tuple);  // ends when cancelled or at the bound
  if (waiter->result && !waiter->result->ok())
    spdlog::debug("commit failed: {}", cache::to_string(waiter->result->error));
  co_return waiter->result && waiter->result->ok();
}

}  // namespace rangecache::proxy
