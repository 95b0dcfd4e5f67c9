// Not built: the example scripts/check_coroutines.py must reject (its own test). Each
// co_await below holds a temporary with a destructor, the pattern g++ 12 destroys twice.
#include <string>
#include <string_view>

#include "proxy/asio_fwd.hpp"

namespace rangecache::lint_example {

using proxy::awaitable;

awaitable<int> answer(unsigned status, std::string text) {
  co_return static_cast<int>(status + text.size());
}

awaitable<int> answer_view(std::string_view text) {
  co_return static_cast<int>(text.size());
}

awaitable<int> purge_like(unsigned removed) {
  // The PURGE crash: a conditional choosing between strings built in the argument.
  co_return co_await answer(
      removed ? 200 : 404,
      removed ? "purged " + std::to_string(removed) + " objects" : "nothing cached for this URL");
}

awaitable<int> literal_to_string() {
  co_return co_await answer(400, "bad request");
}

awaitable<int> view_of_temporary(int n) {
  co_return co_await answer_view(std::to_string(n));
}

awaitable<int> inside_conditional(bool b) {
  int x = b ? co_await answer_view("a") : 0;
  co_return x;
}

// What the rule allows: values built first, handed over by name.
awaitable<int> allowed(unsigned removed) {
  std::string text = "purged " + std::to_string(removed);
  int a = co_await answer(200, std::move(text));
  int b = co_await answer_view("literal");
  co_return a + b;
}

}  // namespace rangecache::lint_example
