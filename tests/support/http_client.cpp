#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "http_client.hpp"
#include "sha256.hpp"

namespace rc_test {
namespace {

constexpr std::size_t max_head_size = 1 << 20;
constexpr std::size_t max_line_size = 64 * 1024;
constexpr std::size_t recv_size = 256 * 1024;

std::string errno_text(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

int milliseconds_until(std::chrono::steady_clock::time_point deadline,
                       std::chrono::milliseconds cap) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp(left, std::chrono::milliseconds(0), cap).count());
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses a header block ("name: value" lines, CRLF-separated, no final empty line).
bool parse_fields(std::string_view block, header_list& out, std::string& error) {
  while (!block.empty()) {
    const auto end = block.find("\r\n");
    const auto line = block.substr(0, end);
    block = end == std::string_view::npos ? std::string_view{} : block.substr(end + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || line[0] == ' ' || line[0] == '\t' ||
        line[colon - 1] == ' ') {
      error = "malformed header line: " + std::string(line);
      return false;
    }
    out.emplace_back(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
  }
  return true;
}

}  // namespace

// Where body bytes go: kept in the response, or only counted and hashed.
class connection::body_sink {
 public:
  body_sink(response& r, bool hashed) : response_(r), hashed_(hashed) {}
  void write(const char* data, std::size_t size) {
    if (hashed_) {
      hash_.update(data, size);
    } else {
      response_.body.append(data, size);
    }
    response_.body_size += size;
  }
  void finish() {
    if (hashed_) response_.body_sha256 = hash_.hex_digest();
  }

 private:
  response& response_;
  bool hashed_;
  sha256 hash_;
};

connection::connection(std::string_view host, std::uint16_t port, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  sockaddr_storage address{};
  socklen_t address_size = 0;
  const std::string host_text(host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (::inet_pton(AF_INET, host_text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    address_size = sizeof *v4;
    authority_ = host_text + ":" + std::to_string(port);
  } else if (::inet_pton(AF_INET6, host_text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    address_size = sizeof *v6;
    authority_ = "[" + host_text + "]:" + std::to_string(port);
  } else {
    throw std::invalid_argument("not an IP literal: " + host_text);
  }

  fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) throw std::runtime_error(errno_text("socket"));
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  // Non-blocking connect so that the timeout bounds it too.
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), address_size) != 0) {
    if (errno != EINPROGRESS) {
      const auto message = errno_text("connect to " + authority_);
      close();
      throw std::runtime_error(message);
    }
    pollfd p{fd_, POLLOUT, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout_.count()));
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size);
    if (ready <= 0 || error != 0) {
      const std::string message =
          "connect to " + authority_ + ": " + (ready <= 0 ? "timed out" : std::strerror(error));
      close();
      throw std::runtime_error(message);
    }
  }
}

connection::~connection() {
  close();
}

connection::connection(connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      authority_(std::move(other.authority_)),
      timeout_(other.timeout_),
      budget_(other.budget_),
      buffer_(std::move(other.buffer_)),
      last_error_(std::move(other.last_error_)) {}

connection& connection::operator=(connection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    authority_ = std::move(other.authority_);
    timeout_ = other.timeout_;
    budget_ = other.budget_;
    buffer_ = std::move(other.buffer_);
    last_error_ = std::move(other.last_error_);
  }
  return *this;
}

bool connection::send_raw(std::string_view data) {
  if (fd_ < 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, milliseconds_until(deadline, timeout_)) <= 0) {
        last_error_ = "send timed out";
        return false;
      }
      continue;
    }
    last_error_ = errno_text("send");
    return false;
  }
  return true;
}

bool connection::send_request(std::string_view method, std::string_view target,
                              const header_list& headers, std::string_view body) {
  return send_raw(build_request(method, target, authority_, headers, body));
}

connection::fill_result connection::fill() {
  if (fd_ < 0) {
    last_error_ = "connection closed";
    return fill_result::error;
  }
  char chunk[recv_size];
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, milliseconds_until(deadline_, timeout_));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return fill_result::timeout;
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return fill_result::data;
    }
    if (n == 0) return fill_result::eof;
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
    last_error_ = errno_text("recv");
    return fill_result::error;
  }
}

bool connection::fail(response& r, fill_result why, std::string_view what) {
  switch (why) {
    case fill_result::timeout:
      r.timed_out = true;
      r.error = "timed out waiting for " + std::string(what);
      break;
    case fill_result::eof:
      r.error = "connection closed before " + std::string(what);
      break;
    default:
      r.error = last_error_ + " (waiting for " + std::string(what) + ")";
      break;
  }
  return false;
}

bool connection::read_head(response& r) {
  std::size_t end = 0;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (buffer_.size() > max_head_size) {
      r.error = "response head larger than 1 MiB";
      return false;
    }
    const auto result = fill();
    if (result != fill_result::data) {
      return fail(r, result, buffer_.empty() ? "the response" : "the end of the response head");
    }
  }
  r.raw_head = buffer_.substr(0, end + 2);
  buffer_.erase(0, end + 4);
  r.headers.clear();

  std::string_view head(r.raw_head);
  const auto line_end = head.find("\r\n");
  const auto status_line = head.substr(0, line_end);
  // "HTTP/1.1 200 OK"; the reason may be empty and its space missing.
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/") || status_line[8] != ' ') {
    r.error = "malformed status line: " + std::string(status_line);
    return false;
  }
  r.version = std::string(status_line.substr(0, 8));
  int status = 0;
  auto [ptr, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  if (ec != std::errc() || ptr != status_line.data() + 12 ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    r.error = "malformed status line: " + std::string(status_line);
    return false;
  }
  r.status = status;
  r.reason = status_line.size() > 13 ? std::string(status_line.substr(13)) : std::string();
  const auto fields = line_end + 2 < head.size()
                          ? head.substr(line_end + 2, head.size() - line_end - 4)
                          : std::string_view{};
  return parse_fields(fields, r.headers, r.error);
}

bool connection::read_line(response& r, std::string& line, std::string_view what) {
  std::size_t end = 0;
  while ((end = buffer_.find("\r\n")) == std::string::npos) {
    if (buffer_.size() > max_line_size) {
      r.error = "line too long in " + std::string(what);
      return false;
    }
    const auto result = fill();
    if (result != fill_result::data) return fail(r, result, what);
  }
  line = buffer_.substr(0, end);
  buffer_.erase(0, end + 2);
  return true;
}

bool connection::read_exact(response& r, std::uint64_t length, body_sink& sink) {
  while (length > 0) {
    if (buffer_.empty()) {
      const auto result = fill();
      if (result != fill_result::data) return fail(r, result, "the rest of the body");
    }
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(length, buffer_.size()));
    sink.write(buffer_.data(), take);
    if (take == buffer_.size()) {
      buffer_.clear();
    } else {
      buffer_.erase(0, take);
    }
    length -= take;
  }
  return true;
}

bool connection::read_body(response& r, bool head_request, body_sink& sink) {
  if (head_request || r.status == 204 || r.status == 304 || r.status == 101) return true;

  const auto te = r.header("Transfer-Encoding");
  if (te) {
    auto last = std::string_view(*te);
    last = trim(last.substr(last.rfind(',') == std::string_view::npos ? 0 : last.rfind(',') + 1));
    r.chunked = iequals(last, "chunked");
  }
  if (r.chunked) {
    std::string line;
    while (true) {
      if (!read_line(r, line, "a chunk size")) return false;
      std::string_view size_text = trim(std::string_view(line).substr(0, line.find(';')));
      std::uint64_t size = 0;
      auto [ptr, ec] =
          std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
      if (size_text.empty() || ec != std::errc() || ptr != size_text.data() + size_text.size()) {
        r.error = "bad chunk size line: " + line;
        return false;
      }
      if (size == 0) break;
      if (!read_exact(r, size, sink)) return false;
      if (!read_line(r, line, "the CRLF after chunk data")) return false;
      if (!line.empty()) {
        r.error = "chunk data longer than its size";
        return false;
      }
    }
    while (true) {
      if (!read_line(r, line, "the chunked trailer section")) return false;
      if (line.empty()) return true;
      if (!parse_fields(line, r.trailers, r.error)) return false;
    }
  }

  const auto lengths = r.header_values("Content-Length");
  if (!te && !lengths.empty()) {
    std::uint64_t length = 0;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      std::string_view text = trim(lengths[i]);
      std::uint64_t value = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
          (i > 0 && value != length)) {
        r.error = "bad or conflicting Content-Length";
        return false;
      }
      length = value;
    }
    return read_exact(r, length, sink);
  }

  r.close_delimited = true;
  while (true) {
    if (!buffer_.empty()) {
      sink.write(buffer_.data(), buffer_.size());
      buffer_.clear();
    }
    const auto result = fill();
    if (result == fill_result::eof) return true;
    if (result != fill_result::data) return fail(r, result, "the end of a close-delimited body");
  }
}

response connection::read(bool head_request, bool hashed, bool stop_at_interim) {
  response r;
  deadline_ = std::chrono::steady_clock::now() + budget_;
  while (true) {
    if (!read_head(r)) return r;
    if (r.status < 100 || r.status >= 200 || r.status == 101) break;
    if (stop_at_interim) {
      r.complete = true;
      return r;
    }
    r.interim_statuses.push_back(r.status);
  }
  body_sink sink(r, hashed);
  r.complete = read_body(r, head_request, sink);
  sink.finish();
  return r;
}

response connection::read_response(bool head_request) {
  return read(head_request, false, false);
}

response connection::read_response_hashed(bool head_request) {
  return read(head_request, true, false);
}

response connection::read_interim(bool head_request) {
  return read(head_request, false, true);
}

std::string connection::read_available(std::chrono::milliseconds wait, std::size_t max) {
  deadline_ = std::chrono::steady_clock::now() + wait;
  const auto saved = timeout_;
  timeout_ = wait;
  while (buffer_.size() < max && fill() == fill_result::data) {
  }
  timeout_ = saved;
  const auto take = std::min(max, buffer_.size());
  std::string out = buffer_.substr(0, take);
  buffer_.erase(0, take);
  return out;
}

bool connection::peer_closed(std::chrono::milliseconds wait) {
  deadline_ = std::chrono::steady_clock::now() + wait;
  const auto saved = timeout_;
  timeout_ = wait;
  fill_result result;
  while ((result = fill()) == fill_result::data) {
  }
  timeout_ = saved;
  return result == fill_result::eof || result == fill_result::error;
}

void connection::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void connection::reset() {
  if (fd_ < 0) return;
  const linger abortive{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  close();
}

void connection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::uint16_t connection::local_port() const {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) return 0;
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

}  // namespace rc_test
