// Which metrics series each remap rule records into: one per distinct `from`, kept across
// reloads (a rule that stays keeps its counts; one that goes keeps its totals until the
// restart), at most max_rule_series of them, the last shared by every rule past the limit.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rangecache/config/config.hpp"
#include "rangecache/proxy/request_metrics.hpp"

namespace rangecache::proxy {

// "http://host[:port]/path", as the rule's `from` reads.
std::string from_text(const config::remap_rule& rule);

class rule_series {
 public:
  // A copy of `cfg` whose rules name their series; call before the copy is put in force.
  std::shared_ptr<const config::config> assign(std::shared_ptr<const config::config> cfg);
  // Each series' label, by index; empty: unused.
  std::vector<std::string> names() const;

 private:
  std::uint32_t series_of(const std::string& from);

  mutable std::mutex mutex_;
  std::vector<std::string> names_;
};

}  // namespace rangecache::proxy
