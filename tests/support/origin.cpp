#include "origin.hpp"

#include <signal.h>

#include <stdexcept>
#include <thread>

#include "files.hpp"
#include "http_client.hpp"

namespace rc_test {

std::filesystem::path origin_script() {
  return std::filesystem::path(RC_SOURCE_DIR) / "tests" / "origin" / "test_origin.py";
}

origin::origin(origin_options options) : options_(std::move(options)), dir_("rc-origin") {
  log_path_ = dir_ / "requests.log";
  const auto port_file = dir_ / "port";
  std::vector<std::string> args{origin_script().string(),
                                "--listen",
                                options_.listen,
                                "--port",
                                "0",
                                "--port-file",
                                port_file.string(),
                                "--log",
                                log_path_.string(),
                                "--exit-with-parent"};
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  process_ = std::make_unique<process>("/usr/bin/python3", args, dir_.path(),
                                       env_list{{"PYTHONDONTWRITEBYTECODE", "1"}}, "origin");

  std::optional<std::uint16_t> port;
  const bool up = wait_until(
      [&] {
        port = read_port_file(port_file);
        return port.has_value() || !process_->running();
      },
      options_.start_timeout);
  if (!up || !port) {
    process_->stop(std::chrono::seconds(2));
    throw std::runtime_error("test origin did not start: " + process_->stderr_text());
  }
  port_ = *port;
}

origin::~origin() {
  // SIGTERM first: the origin exits at once; SIGKILL only if that somehow fails.
  if (process_) process_->stop(std::chrono::seconds(5));
}

std::string origin::authority() const {
  if (options_.listen.find(':') != std::string::npos) {
    return "[" + options_.listen + "]:" + std::to_string(port_);
  }
  return options_.listen + ":" + std::to_string(port_);
}

std::string origin::url(std::string_view target) const {
  return "http://" + authority() + std::string(target);
}

std::string origin::control(std::string_view method, std::string_view target) const {
  connection c(options_.listen, port_, std::chrono::seconds(10));
  if (!c.send_request(method, target, {{"Connection", "close"}})) {
    throw std::runtime_error("cannot send " + std::string(target) + " to the test origin");
  }
  auto r = c.read_response();
  if (r.status != 200 || !r.complete) {
    throw std::runtime_error("test origin " + std::string(target) + " failed: status " +
                             std::to_string(r.status) + " " + r.error);
  }
  return r.body;
}

std::string origin::stats_json() const {
  return control("GET", "/__stats");
}

json_value origin::stats() const {
  auto doc = json_value::parse(stats_json());
  if (!doc) throw std::runtime_error("test origin sent malformed /__stats JSON");
  return *doc;
}

std::int64_t origin::count(std::string_view target) const {
  return stats()["paths"][target]["count"].as_int();
}

std::int64_t origin::total() const {
  return stats()["total"].as_int();
}

std::int64_t origin::events(std::string_view name) const {
  return stats()["events"][name].as_int();
}

std::int64_t origin::connections() const {
  return stats()["connections"].as_int();
}

std::vector<std::string> origin::ranges(std::string_view target) const {
  std::vector<std::string> out;
  const auto doc = stats();  // a temporary in the range-for would die before the loop
  for (const auto& value : doc["paths"][target]["ranges"].as_array()) {
    out.push_back(value.as_string());
  }
  return out;
}

void origin::reset() const {
  control("POST", "/__reset");
}

void origin::advance_clock(std::chrono::seconds by) const {
  control("POST", "/__clock?advance=" + std::to_string(by.count()));
}

std::string origin::log() const {
  return read_file(log_path_).value_or("");
}

}  // namespace rc_test
