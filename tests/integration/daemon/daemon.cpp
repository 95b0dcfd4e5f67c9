#include "daemon.hpp"

#include <sys/wait.h>

#include <sstream>
#include <stdexcept>

namespace rc_test {

std::filesystem::path rangecache_binary() {
  return std::filesystem::path(RC_BINARY_DIR) / "rangecache";
}

std::string daemon_config(const daemon_options& o, const std::filesystem::path& dir) {
  std::ostringstream y;
  y << "listen: [\"127.0.0.1:0\", \"[::1]:0\"]\n"
    << "workers: " << o.workers << "\n"
    << "cache: { path: " << (o.cache_path.empty() ? (dir / "cache").string() : o.cache_path)
    << ", max_size: " << o.max_size << ", sync: none"
    << (o.cache_backend.empty() ? "" : ", backend: " + o.cache_backend) << o.cache_extra << " }\n"
    << "remap:\n"
    << "  - from: " << o.from << "\n"
    << "    to: http://"
    << (o.origin.find(':') != std::string::npos ? "[" + o.origin + "]" : o.origin) << ":"
    << o.origin_port << "/\n"
    << o.rule_extra << o.more_rules << "log: { access: " << (dir / "access.log").string()
    << (o.access_format.empty() ? "" : ", access_format: " + o.access_format)
    << ", level: debug }\n"
    << "admin: { listen: \"127.0.0.1:0\""
    << (o.purge_allow.empty() ? "" : ", purge_allow: " + o.purge_allow) << " }\n"
    << o.extra;
  return y.str();
}

proxy_daemon::proxy_daemon(daemon_options options) : dir_("rc-daemon") {
  write_file(config_path(), daemon_config(options, dir_.path()));
  auto ports = dir_ / "ports";
  process_ = std::make_unique<process>(
      rangecache_binary().string(),
      std::vector<std::string>{"-c", config_path().string(), "--port-file", ports.string()},
      dir_.path(), env_list{}, "rangecache");
  if (!wait_for_file(ports, std::chrono::seconds(15)))
    throw std::runtime_error("rangecache did not start: " + process_->stderr_text());
  std::istringstream in(read_file(ports).value_or(""));
  std::string kind, addr;
  unsigned port = 0;
  while (in >> kind >> addr >> port) {
    if (kind == "admin")
      admin_port_ = static_cast<std::uint16_t>(port);
    else if (addr == "::1")
      port_v6_ = static_cast<std::uint16_t>(port);
    else
      port_ = static_cast<std::uint16_t>(port);
  }
  if (!port_) throw std::runtime_error("no port in the port file");
}

proxy_daemon::~proxy_daemon() {
  if (!process_) return;
  process_->stop(std::chrono::seconds(10));
  expect_no_sanitizer_report(process_->stderr_text(), "rangecache");
}

daemon_exit run_daemon_to_exit(const daemon_options& options, std::chrono::milliseconds timeout) {
  temp_dir dir("rc-daemon");
  daemon_exit out;
  out.config_path = (dir / "rangecache.yaml").string();
  write_file(out.config_path, daemon_config(options, dir.path()));
  process p(rangecache_binary().string(),
            {"-c", out.config_path, "--port-file", (dir / "ports").string()}, dir.path(),
            env_list{}, "rangecache");
  auto status = p.wait_exit(timeout);
  if (!status) p.stop(std::chrono::seconds(5));
  out.exited = status.has_value();
  if (status && WIFEXITED(*status)) out.exit_code = WEXITSTATUS(*status);
  out.err = p.stderr_text();
  expect_no_sanitizer_report(out.err, "rangecache");
  return out;
}

std::string proxy_daemon::access_log() const {
  return read_file(dir_ / "access.log").value_or("");
}

}  // namespace rc_test
