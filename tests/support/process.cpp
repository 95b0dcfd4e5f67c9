#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include "files.hpp"

extern char** environ;

namespace rc_test {
namespace {

std::vector<std::string> merged_environment(const env_list& extra) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    const auto name = text.substr(0, text.find('='));
    bool overridden = false;
    for (const auto& [key, value] : extra) overridden = overridden || key == name;
    if (!overridden) result.emplace_back(text);
  }
  for (const auto& [key, value] : extra) result.push_back(key + "=" + value);
  return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// RAII for the spawn attribute objects, so that every error path releases them.
struct spawn_setup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  spawn_setup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~spawn_setup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

process::process(const std::string& program, const std::vector<std::string>& args,
                 const std::filesystem::path& log_dir, const env_list& env, std::string name) {
  if (name.empty()) name = std::filesystem::path(program).filename().string();
  stdout_path_ = log_dir / (name + ".stdout");
  stderr_path_ = log_dir / (name + ".stderr");

  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  auto argv = pointers(argv_strings);
  auto env_strings = merged_environment(env);
  auto envp = pointers(env_strings);

  spawn_setup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&setup.actions, 1, stdout_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&setup.actions, 2, stderr_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // The test binary may block or ignore signals (gtest death tests, SIGPIPE); the child
  // must start with the defaults or SIGTERM tests would lie.
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigmask(&setup.attr, &empty);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  const bool search = program.find('/') == std::string::npos;
  const int rc = search ? posix_spawnp(&pid_, program.c_str(), &setup.actions, &setup.attr,
                                       argv.data(), envp.data())
                        : posix_spawn(&pid_, program.c_str(), &setup.actions, &setup.attr,
                                      argv.data(), envp.data());
  if (rc != 0) {
    pid_ = -1;
    throw std::system_error(rc, std::generic_category(), "posix_spawn " + program);
  }
}

process::~process() {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  // SIGKILL cannot be caught, but a child stuck in uninterruptible I/O still needs a
  // bound: give up (leaving a zombie) rather than hang the test binary.
  wait_exit(std::chrono::seconds(10));
}

bool process::try_reap() {
  if (status_) return true;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
    return true;
  }
  if (r < 0 && errno == ECHILD) {
    status_ = 0;  // someone else reaped it; report it as gone
    return true;
  }
  return false;
}

bool process::signal(int sig) {
  if (pid_ <= 0 || try_reap()) return false;
  return ::kill(pid_, sig) == 0;
}

std::optional<int> process::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  wait_until([this] { return try_reap(); }, timeout, std::chrono::milliseconds(5));
  return status_;
}

bool process::running() {
  return pid_ > 0 && !try_reap();
}

int process::stop(std::chrono::milliseconds grace) {
  signal(SIGTERM);
  if (auto status = wait_exit(grace)) return *status;
  signal(SIGKILL);
  return wait_exit(std::chrono::seconds(10)).value_or(-1);
}

std::string process::stdout_text() const {
  return read_file(stdout_path_).value_or("");
}
std::string process::stderr_text() const {
  return read_file(stderr_path_).value_or("");
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "killed by signal " + std::to_string(sig) + " (" + ::strsignal(sig) + ")";
  }
  return "wait status " + std::to_string(status);
}

}  // namespace rc_test
