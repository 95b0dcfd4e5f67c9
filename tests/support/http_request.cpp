#include <stdexcept>

#include "http_client.hpp"

namespace rc_test {
namespace {

bool has_header(const header_list& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return true;
  }
  return false;
}

response fetch(std::uint16_t port, std::string_view method, std::string_view target,
               const header_list& headers, std::string_view body, std::chrono::milliseconds timeout,
               bool hashed) {
  try {
    connection c("127.0.0.1", port, timeout);
    if (!c.send_request(method, target, headers, body)) {
      response r;
      r.error = "could not send the request";
      return r;
    }
    const bool head_request = method == "HEAD";
    return hashed ? c.read_response_hashed(head_request) : c.read_response(head_request);
  } catch (const std::exception& e) {
    response r;
    r.error = e.what();
    return r;
  }
}

}  // namespace

std::string build_request(std::string_view method, std::string_view target, std::string_view host,
                          const header_list& headers, std::string_view body) {
  std::string out;
  out.reserve(256 + body.size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!has_header(headers, "Host")) out.append("Host: ").append(host).append("\r\n");
  for (const auto& [name, value] : headers)
    out.append(name).append(": ").append(value).append("\r\n");
  const bool usually_has_body = method == "POST" || method == "PUT" || method == "PATCH";
  if ((!body.empty() || usually_has_body) && !has_header(headers, "Content-Length") &&
      !has_header(headers, "Transfer-Encoding")) {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

std::string chunk_encode(std::string_view body, std::size_t chunk_size) {
  if (chunk_size == 0) throw std::invalid_argument("chunk_size must be positive");
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  while (!body.empty()) {
    const auto size = std::min(chunk_size, body.size());
    std::string hex;
    for (auto n = size; n > 0; n >>= 4) hex.insert(hex.begin(), digits[n & 0xf]);
    out.append(hex).append("\r\n").append(body.substr(0, size)).append("\r\n");
    body.remove_prefix(size);
  }
  out.append("0\r\n\r\n");
  return out;
}

response get(std::uint16_t port, std::string_view target, const header_list& headers,
             std::chrono::milliseconds timeout) {
  return fetch(port, "GET", target, headers, {}, timeout, false);
}

response head(std::uint16_t port, std::string_view target, const header_list& headers,
              std::chrono::milliseconds timeout) {
  return fetch(port, "HEAD", target, headers, {}, timeout, false);
}

response get_hashed(std::uint16_t port, std::string_view target, const header_list& headers,
                    std::chrono::milliseconds timeout) {
  return fetch(port, "GET", target, headers, {}, timeout, true);
}

response request(std::uint16_t port, std::string_view method, std::string_view target,
                 const header_list& headers, std::string_view body,
                 std::chrono::milliseconds timeout) {
  return fetch(port, method, target, headers, body, timeout, false);
}

}  // namespace rc_test
