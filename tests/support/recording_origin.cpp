#include "recording_origin.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <sstream>
#include <stdexcept>

#include "content.hpp"

namespace rc_test {
namespace {

constexpr int poll_ms = 50;
constexpr auto idle_limit = std::chrono::seconds(30);

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

// The raw value of `name` in the target's query string, not URL-decoded.
std::optional<std::string> query_value(const std::string& target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string::npos) return std::nullopt;
  std::string_view query(target);
  query.remove_prefix(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=')
      return std::string(pair.substr(name.size() + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> recording_origin::request::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return v;
  return std::nullopt;
}

recording_origin::recording_origin(std::uint64_t size) : size_(size) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("recording_origin: socket");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("recording_origin: bind/listen");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

recording_origin::~recording_origin() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> handlers;
  {
    std::lock_guard lock(mutex_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    handlers = std::move(handlers_);
  }
  for (auto& t : handlers) t.join();
  ::close(listen_fd_);
}

std::vector<recording_origin::request> recording_origin::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void recording_origin::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, poll_ms) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    fds_.push_back(fd);
    handlers_.emplace_back([this, fd] { serve(fd); });
  }
}

void recording_origin::serve(int fd) {
  std::string buffer;
  auto last_activity = std::chrono::steady_clock::now();
  while (!stop_ && std::chrono::steady_clock::now() - last_activity < idle_limit) {
    auto end = buffer.find("\r\n\r\n");
    if (end == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, poll_ms) <= 0) continue;
      char chunk[16384];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      last_activity = std::chrono::steady_clock::now();
      continue;
    }
    // One request head (these tests never send request bodies here).
    std::istringstream in(buffer.substr(0, end + 2));
    buffer.erase(0, end + 4);
    request r;
    std::string line, version;
    std::getline(in, line);
    std::istringstream first(line);
    first >> r.method >> r.target >> version;
    while (std::getline(in, line)) {
      line = trim(line);
      if (line.empty()) continue;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      r.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
    const std::string path = r.target.substr(0, r.target.find('?'));
    const std::string cache_control = query_value(r.target, "cc").value_or("max-age=3600");
    std::optional<std::pair<std::uint64_t, std::uint64_t>> range;
    if (auto v = r.header("Range"); v && v->starts_with("bytes=") && v->find(',') == v->npos) {
      auto spec = v->substr(6);
      auto dash = spec.find('-');
      if (dash != std::string::npos && dash > 0) {
        try {
          std::uint64_t a = std::stoull(spec.substr(0, dash));
          std::uint64_t b = dash + 1 < spec.size() ? std::stoull(spec.substr(dash + 1)) : size_ - 1;
          b = std::min(b, size_ - 1);
          if (a <= b) range = std::make_pair(a, b);
        } catch (const std::exception&) {
        }
      }
    }
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(r);
    }
    const std::uint64_t first_byte = range ? range->first : 0;
    const std::uint64_t length = range ? range->second - range->first + 1 : size_;
    std::ostringstream head;
    head << "HTTP/1.1 " << (range ? "206 Partial Content" : "200 OK") << "\r\n"
         << "Cache-Control: " << cache_control << "\r\n"
         << "Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
         << "ETag: " << expected_etag(path, size_) << "\r\n"
         << "Accept-Ranges: bytes\r\n"
         << "Content-Type: application/octet-stream\r\n";
    if (range)
      head << "Content-Range: bytes " << range->first << "-" << range->second << "/" << size_
           << "\r\n";
    head << "Content-Length: " << length << "\r\n\r\n";
    std::string body =
        r.method == "HEAD" ? std::string() : expected_bytes(path, first_byte, length);
    if (!send_all(fd, head.str()) || !send_all(fd, body)) break;
    last_activity = std::chrono::steady_clock::now();
  }
  ::shutdown(fd, SHUT_RDWR);
  std::lock_guard lock(mutex_);
  std::erase(fds_, fd);
  ::close(fd);
}

}  // namespace rc_test
