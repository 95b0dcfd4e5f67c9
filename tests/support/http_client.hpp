#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rc_test {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct response {
  int status = 0;  // 0 when no complete response head arrived
  std::string version;
  std::string reason;
  header_list headers;
  header_list trailers;  // of a chunked body
  std::string body;      // empty in hashed mode
  std::uint64_t body_size = 0;
  std::string body_sha256;  // hex; set in hashed mode only
  bool complete = false;    // the message ended where its framing says it ends
  bool chunked = false;
  bool close_delimited = false;  // no length: the body ran until the peer closed
  bool timed_out = false;
  std::string error;                  // why it is incomplete; empty when complete
  std::vector<int> interim_statuses;  // 1xx responses (100 Continue, ...) seen before it
  std::string raw_head;               // status line and header lines as received

  // First value of the header, name compared case-insensitively.
  std::optional<std::string> header(std::string_view name) const;
  std::vector<std::string> header_values(std::string_view name) const;
  bool has_header(std::string_view name) const { return header(name).has_value(); }
};

// Status, headers, body size and any error: a compact form for assertion messages.
std::ostream& operator<<(std::ostream& out, const response& r);

bool iequals(std::string_view a, std::string_view b);

// A raw HTTP/1.1 client connection to a loopback IP literal ("127.0.0.1", "::1"). Every
// wait is bounded: `timeout` limits each wait for the peer (connect, send, each read), and
// one read_response never takes longer than the overall budget (10 minutes unless set).
class connection {
 public:
  // Throws std::runtime_error when the connection cannot be made.
  connection(std::string_view host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~connection();
  connection(connection&& other) noexcept;
  connection& operator=(connection&& other) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  void set_read_budget(std::chrono::milliseconds budget) { budget_ = budget; }

  // False if the peer is gone or does not take the data within the timeout.
  bool send_raw(std::string_view data);
  // Sends a request built by build_request with this connection's Host.
  bool send_request(std::string_view method, std::string_view target,
                    const header_list& headers = {}, std::string_view body = {});

  // Reads one response (skipping 1xx interim ones). `head_request` says the request was
  // HEAD, whose response has no body whatever its headers say.
  response read_response(bool head_request = false);
  // Same, but the body is only counted and hashed (body_size, body_sha256).
  response read_response_hashed(bool head_request = false);
  // Reads the next response head without skipping 1xx: an interim one comes back on its
  // own (complete, no body), a final one with its body as read_response reads it. For
  // "Expect: 100-continue" exchanges.
  response read_interim(bool head_request = false);

  // Whatever arrives within `wait` (up to `max` bytes), including buffered bytes.
  std::string read_available(std::chrono::milliseconds wait, std::size_t max = 1 << 20);
  // True when the peer closes (FIN or RST) within `wait`. Data arriving meanwhile is kept
  // for the next read and does not count as closing.
  bool peer_closed(std::chrono::milliseconds wait);

  void shutdown_write();
  // Closes with an RST (SO_LINGER 0) instead of a FIN.
  void reset();
  void close();

  int fd() const { return fd_; }
  std::uint16_t local_port() const;
  // "127.0.0.1:PORT" or "[::1]:PORT": what goes into Host.
  const std::string& authority() const { return authority_; }

 private:
  enum class fill_result { data, eof, timeout, error };
  class body_sink;

  response read(bool head_request, bool hashed, bool stop_at_interim);
  bool read_head(response& r);
  bool read_body(response& r, bool head_request, body_sink& sink);
  bool read_exact(response& r, std::uint64_t length, body_sink& sink);
  bool read_line(response& r, std::string& line, std::string_view what);
  bool fail(response& r, fill_result why, std::string_view what);
  fill_result fill();

  int fd_ = -1;
  std::string authority_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds budget_ = std::chrono::minutes(10);
  std::chrono::steady_clock::time_point deadline_{};
  std::string buffer_;  // received but not consumed yet
  std::string last_error_;
};

// "METHOD target HTTP/1.1" plus Host (unless `headers` has one), `headers`, and a
// Content-Length when there is a body (or the method usually has one) and `headers` gives
// neither Content-Length nor Transfer-Encoding. The body is sent as given.
std::string build_request(std::string_view method, std::string_view target, std::string_view host,
                          const header_list& headers = {}, std::string_view body = {});

// `body` in chunked transfer coding, in chunks of at most `chunk_size` bytes.
std::string chunk_encode(std::string_view body, std::size_t chunk_size = 4096);

// One request on a new connection to 127.0.0.1:port. Connection failures come back as a
// response with status 0 and `error` set rather than as exceptions.
response get(std::uint16_t port, std::string_view target, const header_list& headers = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
response head(std::uint16_t port, std::string_view target, const header_list& headers = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
response get_hashed(std::uint16_t port, std::string_view target, const header_list& headers = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
response request(std::uint16_t port, std::string_view method, std::string_view target,
                 const header_list& headers = {}, std::string_view body = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace rc_test
