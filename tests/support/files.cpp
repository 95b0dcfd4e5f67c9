#include "files.hpp"

#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <thread>

namespace rc_test {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(content).str();
}

bool write_file(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  return static_cast<bool>(out);
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

bool wait_for_file(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        std::error_code ignored;
        return std::filesystem::exists(path, ignored);
      },
      timeout);
}

std::optional<std::uint16_t> read_port_file(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return std::nullopt;
  // A writer that does not rename into place may be caught half way: insist on a newline
  // or a number that parses to the end.
  std::string_view digits(*text);
  while (!digits.empty() &&
         (digits.back() == '\n' || digits.back() == '\r' || digits.back() == ' ')) {
    digits.remove_suffix(1);
  }
  std::uint16_t port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port == 0) {
    return std::nullopt;
  }
  return port;
}

std::optional<std::uint16_t> wait_port_file(const std::filesystem::path& path,
                                            std::chrono::milliseconds timeout) {
  std::optional<std::uint16_t> port;
  wait_until(
      [&] {
        port = read_port_file(path);
        return port.has_value();
      },
      timeout);
  return port;
}

}  // namespace rc_test
