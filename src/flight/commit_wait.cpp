#include "rangecache/flight/commit_wait.hpp"

#include <spdlog/spdlog.h>

namespace rangecache::flight {
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

awaitable<std::uint64_t> purge_and_wait(asio::any_io_executor ex,
                                        std::function<void(cache::purge_callback)> start) {
  auto wake = std::make_shared<asio::steady_timer>(ex);
  wake->expires_after(std::chrono::seconds(10));
  auto count = std::make_shared<std::uint64_t>(0);
  start([wake, count, ex](std::uint64_t n) {
    asio::post(ex, [wake, count, n] {
      *count = n;
      wake->cancel();
    });
  });
  co_await wake->async_wait(use_tuple);  // ends when cancelled or at the bound
  co_return *count;
}

awaitable<cache::update_status> update_and_wait(asio::any_io_executor ex,
                                                cache::object_store& store, std::string key,
                                                cache::object_ref ref, cache::object_meta meta) {
  auto wake = std::make_shared<asio::steady_timer>(ex);
  wake->expires_after(std::chrono::seconds(10));
  auto status = std::make_shared<cache::update_status>(cache::update_status::error);
  store.update(key, ref, std::move(meta), [wake, status, ex](cache::update_status s) {
    asio::post(ex, [wake, status, s] {
      *status = s;
      wake->cancel();
    });
  });
  co_await wake->async_wait(use_tuple);  // ends when cancelled or at the bound
  co_return *status;
}

}  // namespace rangecache::flight
