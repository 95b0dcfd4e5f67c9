// One HTTP exchange with the admin listener, bounded in time; what went wrong, in words,
// when there was no answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rangecache/ctl/ctl.hpp"

namespace rangecache::ctl {

struct admin_endpoint {
  std::string address;  // an IP literal, without brackets
  std::uint16_t port = 0;
  std::string text;    // ADDR:PORT as the user reads it
  std::string source;  // where it came from: "--admin", "admin.listen of FILE"
};

// Where to send commands: --admin, else admin.listen of the config file (-c, else the
// installed one, else the daemon's default). An address that listens on every interface
// is reached on loopback. Throws ctl_failure (usage) when there is none to use.
admin_endpoint find_admin(const options& o);

struct admin_answer {
  bool reached = false;  // false: `error` says why there is no answer
  std::string error;
  unsigned status = 0;
  std::string body;
};

struct admin_ask {
  bool post = false;
  std::string target;
  std::vector<std::pair<std::string, std::string>> fields;
};

admin_answer ask_admin(const admin_endpoint& ep, const admin_ask& ask,
                       std::chrono::milliseconds timeout);

// A command that cannot go on: its exit status and the message for stderr.
struct ctl_failure {
  exit_status status;
  std::string message;
};

}  // namespace rangecache::ctl
