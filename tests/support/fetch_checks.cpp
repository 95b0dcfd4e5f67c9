#include "fetch_checks.hpp"

#include <barrier>
#include <sstream>
#include <thread>

#include "files.hpp"
#include "http_client.hpp"

namespace rc_test {

std::int64_t full_gets(const origin& o, std::string_view target) {
  return o.count(target) - static_cast<std::int64_t>(o.ranges(target).size());
}

origin_traffic traffic(const origin& o, std::string_view target) {
  origin_traffic out;
  std::istringstream in(o.log());
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string method, t, range, status;
    std::int64_t bytes = 0;
    if (!(fields >> method >> t >> range >> status >> bytes)) continue;
    if (t != target) continue;
    ++out.requests;
    out.bytes += bytes;
  }
  return out;
}

std::vector<fetch_log_line> read_fetch_log(const std::filesystem::path& path) {
  std::vector<fetch_log_line> out;
  std::istringstream in(read_file(path).value_or(""));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    fetch_log_line l;
    std::string timestamp;
    if (!(fields >> timestamp >> l.event >> l.url)) continue;
    if (l.event != "start" && l.event != "end") continue;
    l.raw = line;
    if (l.event == "end") {
      std::string rest;
      std::getline(fields, rest);
      if (auto b = rest.find("bytes="); b != std::string::npos) {
        try {
          l.bytes = std::stoull(rest.substr(b + 6));
        } catch (const std::exception&) {
        }
      }
      if (auto r = rest.find("result="); r != std::string::npos) l.result = rest.substr(r + 7);
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<fetch_log_line> fetch_log_for(const std::filesystem::path& path,
                                          std::string_view url_suffix) {
  std::vector<fetch_log_line> out;
  for (auto& l : read_fetch_log(path))
    if (l.url.ends_with(url_suffix)) out.push_back(std::move(l));
  return out;
}

std::optional<fetch_log_line> wait_fetch_end(const std::filesystem::path& path,
                                             std::string_view url_suffix,
                                             std::chrono::milliseconds timeout, std::size_t n) {
  std::optional<fetch_log_line> last;
  wait_until(
      [&] {
        std::size_t ends = 0;
        for (auto& l : fetch_log_for(path, url_suffix)) {
          if (l.event != "end") continue;
          ++ends;
          last = std::move(l);
        }
        return ends >= n;
      },
      timeout, std::chrono::milliseconds(20));
  std::size_t ends = 0;
  for (const auto& l : fetch_log_for(path, url_suffix)) ends += l.event == "end";
  if (ends < n) return std::nullopt;
  return last;
}

std::optional<double> metric(std::uint16_t admin_port, std::string_view name) {
  auto r = get(admin_port, "/metrics");
  if (r.status != 200) return std::nullopt;
  std::istringstream in(r.body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ' ') continue;
    try {
      return std::stod(line.substr(name.size() + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void run_together(std::size_t n, const std::function<void(std::size_t)>& fn) {
  std::barrier start(static_cast<std::ptrdiff_t>(n));
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      fn(i);
    });
  for (auto& t : threads) t.join();
}

}  // namespace rc_test
