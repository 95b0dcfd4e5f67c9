#include "pipeline.hpp"

#include <signal.h>

#include <sstream>
#include <stdexcept>

#include "rangecache/config/config.hpp"

namespace rc_test {
namespace {

// The 127.0.0.1 port of the `kind` ("listen", "admin") lines server::start writes.
std::uint16_t port_of(const std::filesystem::path& port_file, std::string_view want) {
  std::istringstream in(read_file(port_file).value_or(""));
  std::string kind, addr;
  unsigned port = 0;
  while (in >> kind >> addr >> port)
    if (kind == want && addr == "127.0.0.1") return static_cast<std::uint16_t>(port);
  throw std::runtime_error("no 127.0.0.1 " + std::string(want) + " port in " + port_file.string());
}

}  // namespace

in_process_proxy::in_process_proxy(daemon_options options)
    : dir_("rc-pipeline"), clock_(std::make_shared<rangecache::util::manual_clock>()) {
  // A client that hangs up mid-answer must cost the server an EPIPE, not the test process.
  ::signal(SIGPIPE, SIG_IGN);
  if (options.cache_backend.empty()) options.cache_backend = "memory";
  const auto yaml = daemon_config(options, dir_.path());
  auto cfg = std::make_shared<const rangecache::config::config>(
      rangecache::config::load_string(yaml, "pipeline test config"));
  server_ = std::make_unique<rangecache::proxy::server>(cfg, clock_);
  const auto port_file = dir_ / "ports";
  server_->start(port_file.string());
  port_ = port_of(port_file, "listen");
  admin_port_ = port_of(port_file, "admin");
}

in_process_proxy::~in_process_proxy() {
  if (server_) server_->drain_and_stop();
}

response range_get(std::uint16_t port, const std::string& target, const std::string& range,
                   header_list more) {
  more.emplace_back("Range", range);
  return get(port, target, more);
}

std::vector<int> origin_statuses(const origin& o, const std::string& target) {
  std::vector<int> out;
  std::istringstream in(o.log());
  std::string method, t, range;
  int status = 0;
  long long bytes = 0;
  while (in >> method >> t >> range >> status >> bytes)
    if (t == target) out.push_back(status);
  return out;
}

std::vector<int> origin_statuses(const origin& o, const std::string& target, std::size_t n) {
  std::vector<int> out;
  wait_until(
      [&] {
        out = origin_statuses(o, target);
        return out.size() >= n;
      },
      std::chrono::seconds(5));
  return out;
}

}  // namespace rc_test
