#include "nginx_origin.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "content.hpp"
#include "files.hpp"
#include "http_client.hpp"

namespace rc_test {
namespace {

// A loopback port that was free a moment ago: bound to port 0, read back, closed.
std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::uint16_t port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string::size_type from = 0;
  for (;;) {
    auto at = line.find(sep, from);
    out.push_back(line.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) return out;
    from = at + 1;
  }
}

}  // namespace

bool nginx_origin::available() {
  return ::access(binary, X_OK) == 0;
}

nginx_origin::nginx_origin() : dir_("rc-nginx") {
  // nginx may drop privileges when started as root: let any user read what it serves.
  std::filesystem::permissions(dir_.path(), std::filesystem::perms(0755));
  www_ = dir_ / "www";
  std::filesystem::create_directories(www_);
  std::filesystem::permissions(www_, std::filesystem::perms(0755));
  write_file(www_ / "__probe", "nginx\n");
  for (const char* sub : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
    std::filesystem::create_directories(dir_ / "tmp" / sub);
  // The port is free when read but may be taken before nginx binds it: try again.
  for (int attempt = 0; attempt < 4; ++attempt)
    if (start_once()) return;
  throw std::runtime_error("nginx did not start: " + error_log());
}

bool nginx_origin::start_once() {
  port_ = free_port();
  if (!port_) return false;
  const auto d = dir_.path().string();
  std::ostringstream conf;
  conf << "daemon off;\n"
       << "master_process off;\n"
       << "worker_processes 1;\n"
       << "pid " << d << "/nginx.pid;\n"
       << "error_log " << d << "/error.log info;\n"
       << "events { worker_connections 512; }\n"
       << "http {\n"
       << "  log_format rc '$request_method|$uri|$http_range|$status|$body_bytes_sent';\n"
       << "  access_log " << d << "/access.log rc;\n"
       << "  client_body_temp_path " << d << "/tmp/client_body;\n"
       << "  proxy_temp_path " << d << "/tmp/proxy;\n"
       << "  fastcgi_temp_path " << d << "/tmp/fastcgi;\n"
       << "  uwsgi_temp_path " << d << "/tmp/uwsgi;\n"
       << "  scgi_temp_path " << d << "/tmp/scgi;\n"
       << "  types { application/octet-stream bin; }\n"
       << "  default_type application/octet-stream;\n"
       << "  sendfile on;\n"
       << "  keepalive_requests 100000;\n"
       << "  server {\n"
       << "    listen 127.0.0.1:" << port_ << ";\n"
       << "    root " << www_.string() << ";\n"
       << "    location / { add_header Cache-Control \"max-age=3600\"; }\n"
       << "  }\n"
       << "}\n";
  write_file(dir_ / "nginx.conf", conf.str());
  process_.reset();
  process_ = std::make_unique<process>(
      binary,
      std::vector<std::string>{"-p", d + "/", "-c", d + "/nginx.conf", "-e", d + "/error.log"},
      dir_.path(), env_list{}, "nginx");
  // Up when it answers as nginx on that port (another process may hold the port).
  bool up = false;
  wait_until(
      [&] {
        if (!process_->running()) return true;
        auto r = get(port_, "/__probe", {}, std::chrono::milliseconds(500));
        up = r.status == 200 && r.header("Server").value_or("").starts_with("nginx");
        return up;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(50));
  if (!up) {
    process_->stop(std::chrono::seconds(2));
    process_.reset();
  }
  return up;
}

nginx_origin::~nginx_origin() {
  if (process_) process_->stop(std::chrono::seconds(5));
}

void nginx_origin::write_generated(std::string_view name, std::uint64_t size,
                                   std::string_view version) {
  std::string path = "/";
  path.append(name);
  std::ofstream out(www_ / std::string(name), std::ios::binary | std::ios::trunc);
  for (std::uint64_t at = 0; at < size; at += content_piece_size) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(content_piece_size, size - at));
    auto piece = expected_bytes(path, at, n, version);
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
  out.close();
  if (!out) throw std::runtime_error("cannot write " + (www_ / std::string(name)).string());
  std::filesystem::permissions(www_ / std::string(name), std::filesystem::perms(0644));
}

std::string nginx_origin::access_log() const {
  return read_file(dir_ / "access.log").value_or("");
}
std::string nginx_origin::error_log() const {
  return read_file(dir_ / "error.log").value_or("") +
         (process_ ? process_->stderr_text() : std::string());
}

std::int64_t nginx_origin::count(std::string_view uri) const {
  return ranges(uri).size();
}

std::vector<std::string> nginx_origin::ranges(std::string_view uri) const {
  std::vector<std::string> out;
  std::istringstream in(access_log());
  std::string line;
  while (std::getline(in, line)) {
    auto f = split(line, '|');
    if (f.size() >= 4 && f[1] == uri) out.push_back(f[2]);
  }
  return out;
}

}  // namespace rc_test
