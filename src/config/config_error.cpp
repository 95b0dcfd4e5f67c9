#include "rangecache/config/config.hpp"

namespace rangecache::config {

namespace {

// The compiler-style "file:line:col: message" that editors can jump to; line 0 means the
// problem is the file as a whole (missing, unreadable), so no position is printed.
std::string locate(const std::string& file, int line, int column, const std::string& what) {
  std::string out = file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  out += ": ";
  out += what;
  return out;
}

}  // namespace

config_error::config_error(std::string file, int line, int column, const std::string& what)
    : std::runtime_error(locate(file, line, column, what)),
      file_(std::move(file)),
      line_(line),
      column_(column) {}

}  // namespace rangecache::config
