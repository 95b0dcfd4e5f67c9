#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rc_test {

using env_list = std::vector<std::pair<std::string, std::string>>;

// A child process started with posix_spawn. Its stdout and stderr go to
// <log_dir>/<name>.stdout and <log_dir>/<name>.stderr, stdin is /dev/null, and it inherits
// this environment plus `env` (which overrides variables of the same name). The destructor
// SIGKILLs and reaps the child if it is still running; it never touches any other pid.
class process {
 public:
  // `program` containing no '/' is looked up in PATH. Throws std::system_error when the
  // program cannot be started.
  process(const std::string& program, const std::vector<std::string>& args,
          const std::filesystem::path& log_dir, const env_list& env = {}, std::string name = {});
  ~process();
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  pid_t pid() const { return pid_; }

  // False once the child has been reaped (its pid may belong to someone else by then).
  bool signal(int sig);

  // The raw waitpid status once the child has exited, or nullopt if it is still running
  // after `timeout`. Once reaped, returns the same status again at once.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  bool running();

  // SIGTERM, then SIGKILL if it has not exited within `grace`; returns the wait status.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  const std::filesystem::path& stdout_path() const { return stdout_path_; }
  const std::filesystem::path& stderr_path() const { return stderr_path_; }
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  bool try_reap();

  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
};

// "exited with 3", "killed by signal 9 (Killed)" — for assertion messages.
std::string describe_wait_status(int status);

}  // namespace rc_test
