#include "proc_status.hpp"

#include <charconv>
#include <string>
#include <string_view>

#include "files.hpp"

namespace rc_test {
namespace {

// "VmRSS:\t  12345 kB" -> 12345
std::optional<std::int64_t> field_kib(std::string_view status, std::string_view name) {
  std::string key = "\n";
  key.append(name).append(":");
  auto at = status.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  auto rest = status.substr(at + key.size());
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<memory_usage> rss_kib(pid_t pid) {
  auto status = read_file("/proc/" + std::to_string(pid) + "/status");
  if (!status) return std::nullopt;
  std::string text = "\n";  // so that the first line matches "\nName:" too
  text += *status;
  auto rss = field_kib(text, "VmRSS");
  auto anon = field_kib(text, "RssAnon");
  if (!rss || !anon) return std::nullopt;
  return memory_usage{*rss, *anon};
}

}  // namespace rc_test
