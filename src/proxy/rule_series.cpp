#include "rule_series.hpp"

namespace rangecache::proxy {

std::string from_text(const config::remap_rule& rule) {
  // Appended piece by piece: g++ 12 warns (falsely) about operator+ chains here.
  std::string s;
  s.append(rule.from_scheme).append("://").append(rule.from_host);
  if (rule.from_port) s.append(":").append(std::to_string(*rule.from_port));
  s.append(rule.from_path);
  return s;
}

std::shared_ptr<const config::config> rule_series::assign(
    std::shared_ptr<const config::config> cfg) {
  auto copy = std::make_shared<config::config>(*cfg);
  std::lock_guard lock(mutex_);
  for (auto& rule : copy->remap) rule.metrics_series = series_of(from_text(rule));
  return copy;
}

std::uint32_t rule_series::series_of(const std::string& from) {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == from) return static_cast<std::uint32_t>(i);
  if (names_.size() + 1 < max_rule_series) {
    names_.push_back(from);
    return static_cast<std::uint32_t>(names_.size() - 1);
  }
  // Past the limit: the last series, labelled for what it is.
  names_.resize(max_rule_series);
  names_.back() = "other";
  return static_cast<std::uint32_t>(max_rule_series - 1);
}

std::vector<std::string> rule_series::names() const {
  std::lock_guard lock(mutex_);
  return names_;
}

}  // namespace rangecache::proxy
