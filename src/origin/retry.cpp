#include "rangecache/origin/retry.hpp"

#include <array>

namespace rangecache::origin {

bool is_idempotent(std::string_view method) {
  // Method names are case-sensitive (RFC 9110 §9.1): "get" is not GET.
  static constexpr std::array<std::string_view, 6> idempotent = {"GET",   "HEAD", "OPTIONS",
                                                                 "TRACE", "PUT",  "DELETE"};
  for (auto m : idempotent)
    if (m == method) return true;
  return false;
}

bool may_reuse(std::string_view method, bool body_replayable) {
  return body_replayable && is_idempotent(method);
}

bool worth_retry(const failed_try& f) {
  return f.reused && f.closed && f.at != failure_at::connect;
}

}  // namespace rangecache::origin
