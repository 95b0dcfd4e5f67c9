#include <optional>

#include "rangecache/config/config.hpp"

namespace rangecache::config {
namespace {

// The same socket address, however it was spelt.
bool same_endpoint(const listen_endpoint& a, const listen_endpoint& b) {
  return a.address == b.address && a.port == b.port;
}

bool same_listen(const std::vector<listen_endpoint>& a, const std::vector<listen_endpoint>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same_endpoint(a[i], b[i])) return false;
  return true;
}

bool same_admin(const std::optional<listen_endpoint>& a, const std::optional<listen_endpoint>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || same_endpoint(*a, *b);
}

}  // namespace

std::vector<std::string> restart_only_changes(const config& running, const config& next) {
  std::vector<std::string> out;
  if (!same_listen(running.listen, next.listen)) out.emplace_back("listen");
  if (running.workers != next.workers) out.emplace_back("workers");
  if (running.cache.path != next.cache.path) out.emplace_back("cache.path");
  if (running.cache.max_size != next.cache.max_size) out.emplace_back("cache.max_size");
  if (running.cache.sync != next.cache.sync) out.emplace_back("cache.sync");
  if (running.cache.sync_interval != next.cache.sync_interval)
    out.emplace_back("cache.sync_interval");
  if (running.cache.zero_copy != next.cache.zero_copy) out.emplace_back("cache.zero_copy");
  if (running.cache.backend != next.cache.backend) out.emplace_back("cache.backend");
  if (!same_admin(running.admin.listen, next.admin.listen)) out.emplace_back("admin.listen");
  return out;
}

}  // namespace rangecache::config
