#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace rc_test {

std::optional<std::string> read_file(const std::filesystem::path& path);
bool write_file(const std::filesystem::path& path, std::string_view content);

// Polls `done` every `step` until it holds or `timeout` passes; true if it held.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(10));

bool wait_for_file(const std::filesystem::path& path, std::chrono::milliseconds timeout);

// Waits for a file holding a port number (written atomically by the origin and, by
// convention, the daemon) and returns the port.
std::optional<std::uint16_t> wait_port_file(
    const std::filesystem::path& path,
    std::chrono::milliseconds timeout = std::chrono::seconds(15));

// The port in a port file, if it holds a complete one now.
std::optional<std::uint16_t> read_port_file(const std::filesystem::path& path);

}  // namespace rc_test
