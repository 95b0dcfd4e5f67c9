#include "session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "rangecache/proxy/framing.hpp"
#include "rangecache/proxy/headers.hpp"
#include "rangecache/util/http_date.hpp"

namespace rangecache::proxy {
namespace {

std::string_view view_of(const beast::flat_buffer& b) {
  auto d = b.data();
  return {static_cast<const char*>(d.data()), d.size()};
}

// A bare CR or LF already in a header that is not complete yet: no need to wait for the rest.
bool has_bare_line_break(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return true;
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] != '\n') return true;
  }
  return false;
}

}  // namespace

session::session(worker* w, tcp::socket socket)
    : w_(w),
      stream_(std::move(socket)),
      header_timer_(stream_.get_executor()),
      body_buf_(new char[relay_buffer_size]) {
  error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    auto addr = ep.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped())
      addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    client_ip_ = addr.to_string();
    client_addr_ = util::ip_address::parse(client_ip_);
  }
  w_->sessions.insert(this);
  bump(w_->stats.active_connections);
}

session::~session() {
  release_inflight();
  // The reader went away: blocks fetched ahead for it alone are called off.
  if (!read_by_address_)
    for (const auto& t : read_ahead_tasks_)
      if (t->claim->users.load() == 0) t->claim->cancel.store(true);
  w_->sessions.erase(this);
  w_->stats.active_connections.fetch_sub(1, std::memory_order_relaxed);
}

void session::close_if_idle() {
  if (!busy_) {
    error_code ec;
    stream_.socket().cancel(ec);
    stream_.socket().close(ec);
  }
}

void session::close_if_idle_before(std::chrono::steady_clock::time_point now) {
  if (idle_until_ < now) close_if_idle();
}

void session::reset_connection() {
  error_code ec;
  // SO_LINGER 0: the peer sees a reset, so a cut body can never pass for a complete one.
  stream_.socket().set_option(asio::socket_base::linger(true, 0), ec);
  stream_.socket().close(ec);
}

awaitable<session::header_status> session::read_header_block(
    std::size_t limit, std::chrono::milliseconds idle_timeout,
    std::chrono::milliseconds header_timeout) {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  for (;;) {
    auto seen = view_of(buffer_);
    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
    std::size_t skip = 0;
    while (seen.substr(skip).starts_with("\r\n")) skip += 2;
    if (skip) {
      buffer_.consume(skip);
      seen = view_of(buffer_);
    }
    auto end = seen.find("\r\n\r\n");
    if (end != std::string_view::npos) {
      header_size_ = end + 4;
      co_return header_size_ > limit ? header_status::too_large : header_status::complete;
    }
    if (seen.size() >= limit) co_return header_status::too_large;
    if (has_bare_line_break(seen)) co_return header_status::malformed;
    if (!seen.empty() && !deadline) deadline = std::chrono::steady_clock::now() + header_timeout;
    auto want = std::min<std::size_t>(limit + 4 - seen.size(), 16 * 1024);
    if (!deadline) {
      // Waiting for a new request is the idle timeout: the worker's idle sweep closes the
      // connection once it is over, so this read arms no timer of its own.
      idle_until_ = std::chrono::steady_clock::now() + idle_timeout;
      auto [ec, n] = co_await stream_.socket().async_read_some(buffer_.prepare(want), use_tuple);
      idle_until_ = std::chrono::steady_clock::time_point::max();
      if (ec) co_return header_status::closed;
      buffer_.commit(n);
      continue;
    }
    // Once a request has begun, its whole header must arrive within header_timeout, so a
    // slowloris client cannot hold the worker. The deadline cancels the read instead of
    // closing the socket, so the client still gets its 408.
    auto got = co_await read_some_until(want, *deadline);
    if (!got) co_return header_status::timeout;
    if (*got == 0) co_return header_status::closed;
  }
}

awaitable<std::optional<std::size_t>> session::read_some_until(
    std::size_t want, std::chrono::steady_clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  stream_.expires_never();
  header_timer_.expires_at(deadline);
  auto read = stream_.socket().async_read_some(buffer_.prepare(want), use_tuple);
  auto wait = header_timer_.async_wait(use_tuple);
  auto result = co_await (std::move(read) || std::move(wait));
  if (result.index() == 1) co_return std::nullopt;
  auto [ec, n] = std::get<0>(result);
  if (ec) co_return std::size_t{0};
  buffer_.commit(n);
  co_return n;
}

awaitable<void> session::run() {
  error_code ec;
  stream_.socket().set_option(tcp::no_delay(true), ec);
  for (;;) {
    busy_ = false;
    if (w_->shared->draining.load(std::memory_order_relaxed)) break;
    auto cfg = w_->shared->config_now();
    auto status = co_await read_header_block(cfg->server.header_limit, cfg->server.idle_timeout,
                                             cfg->server.header_timeout);
    busy_ = true;
    access_entry log;
    log.client = client_ip_;
    if (status == header_status::closed) break;
    if (status == header_status::timeout) {
      // RFC 9110 §15.5.9: 408 then close.
      co_await send_error(408, "request header timeout", false, log);
      break;
    }
    if (status == header_status::too_large) {
      co_await send_error(431, "request header fields too large", false, log);
      break;
    }
    if (status == header_status::malformed) {
      co_await send_error(400, "bare CR or LF in request header", false, log);
      break;
    }
    auto block = view_of(buffer_);
    auto verdict = check_request_framing(block.substr(0, header_size_));
    if (verdict != framing_verdict::ok) {
      spdlog::debug("{}: rejected request: {}", client_ip_, to_string(verdict));
      const unsigned status = status_of(verdict);
      std::string why = to_string(verdict);
      co_await send_error(status, std::move(why), false, log);
      break;
    }
    auto result = co_await handle(std::move(cfg), log);
    release_inflight();
    if (result == outcome::cut) {
      reset_connection();
      co_return;
    }
    if (result == outcome::close) break;
  }
  // Graceful close: send FIN, let the peer read what we wrote.
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  // A request body left unread would make the close a reset, and a reset can destroy our
  // answer before the client reads it: read on (bounded) until the client closes.
  if (parser_ && parser_->is_header_done() && !parser_->is_done()) co_await linger();
  stream_.socket().close(ec);
}

awaitable<void> session::linger() {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (int reads = 0; reads < 64; ++reads) {
    stream_.expires_at(until);
    auto [ec, n] = co_await stream_.async_read_some(
        asio::buffer(body_buf_.get(), relay_buffer_size), use_tuple);
    if (ec) break;
  }
}

awaitable<outcome> session::handle(std::shared_ptr<const config::config> cfg, access_entry& log) {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(cfg->server.header_limit + 4));
  parser_->body_limit(boost::none);
  // The whole header is in buffer_ (read_header_block saw its end): parsed in place, with
  // no read operation and no timer.
  error_code ec;
  buffer_.consume(parser_->put(buffer_.data(), ec));
  if (!ec && !parser_->is_header_done()) ec = http::error::need_more;
  if (ec) {
    if (ec == http::error::header_limit)
      co_return co_await send_error(431, "request header fields too large", false, log);
    const std::string text = "malformed request: " + ec.message();
    co_return co_await send_error(400, text, false, log);
  }
  auto& req = parser_->get();
  bump(w_->stats.requests);
  ignored_range_.clear();
  log.method = req.method_string();
  log.version = req.version();
  log.target = req.target();
  bool has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
  // Anything we answer ourselves leaves the request body unread: close after it.
  bool can_keep = req.keep_alive() && !has_body;

  if (req.version() != 10 && req.version() != 11)
    co_return co_await send_error(505, "HTTP version not supported", false, log);
  const auto hosts = req.equal_range(http::field::host);
  const auto host_count = std::distance(hosts.first, hosts.second);
  if (host_count > 1 || (req.version() == 11 && host_count == 0))
    co_return co_await send_error(400, "exactly one Host header is required", false, log);
  if (req.method() == http::verb::connect)
    co_return co_await send_error(405, "CONNECT is not supported", false, log);

  const std::string_view host =
      host_count == 1 ? std::string_view(hosts.first->value()) : std::string_view();
  auto authority = parse_authority(req.target(), host);
  if (!authority)
    co_return co_await send_error(400, "malformed request target or Host", false, log);
  // Dot segments are resolved before a rule is chosen, so "/videos/../admin" can never leave
  // the "/videos/" rule at an origin that would resolve them itself.
  if (auto normal = normalize_path(authority->path_and_query)) {
    normalized_target_ = std::move(*normal);
    authority->path_and_query = normalized_target_;
  }
  log.host = host;
  log.target = authority->path_and_query;
  const auto* rule = match_rule(cfg->remap, *authority);
  if (!rule) co_return co_await send_error(404, "no remap rule for this URL", can_keep, log);
  log.rule_series = rule->metrics_series;
  // Control headers count only from trusted clients; from anyone else they go no further.
  // Removed here, once, so that every path and every method gets it.
  if (!trusted_client(*cfg, client_addr_)) {
    const auto& crr = rule->cache_range_requests;
    strip_control_headers(req, crr.ims_header, crr.ident_header);
  }
  begin_route(*cfg, *rule, *authority);
  log.upstream = &upstream_label_;
  if (req.method() == http::verb::purge)
    co_return co_await purge(*cfg, *rule, std::move(*authority), log);
  if (w_->store && !has_body &&
      (req.method() == http::verb::get || req.method() == http::verb::head))
    co_return co_await serve_cacheable(*cfg, *rule, std::move(*authority), log);
  co_return co_await forward(*cfg, *rule, std::move(*authority), log);
}

awaitable<outcome> session::send_error(unsigned status, std::string_view text, bool keep_alive,
                                       access_entry& log) {
  if (status >= 400 && status < 500) bump(w_->stats.bad_requests);
  // An answer given before the request's body was read: the body must not be taken for the
  // next request. A small one is read and dropped; otherwise the connection closes.
  if (parser_ && parser_->is_header_done() && !parser_->is_done()) {
    const bool drained = co_await discard_body();
    if (!drained) keep_alive = false;
  }
  http::response<http::string_body> res{static_cast<http::status>(status), 11};
  res.set(http::field::server, "rangecache");
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::date, util::format_http_date(w_->shared->clock->now()).view());
  res.body() = std::to_string(status);
  res.body().append(" ").append(text).append("\n");
  if (w_->shared->draining.load(std::memory_order_relaxed)) keep_alive = false;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  log.status = status;
  log.bytes = res.body().size();
  if (log.cache[0] == '-') log.cache = "ERROR";
  auto cfg = w_->shared->config_now();
  stream_.expires_after(cfg->server.send_timeout);
  log.first_byte = std::chrono::steady_clock::now();
  auto [ec, n] = co_await http::async_write(stream_, res, use_tuple);
  write_log(log);
  if (ec) co_return outcome::cut;
  co_return keep_alive ? outcome::keep_alive : outcome::close;
}

awaitable<bool> session::discard_body() {
  auto& req = parser_->get();
  // A client waiting for "100 Continue" sends nothing: there is nothing to drain.
  if (beast::iequals(req[http::field::expect], "100-continue")) co_return false;
  auto cfg = w_->shared->config_now();
  std::uint64_t dropped = 0;
  while (!parser_->is_done()) {
    req.body().data = body_buf_.get();
    req.body().size = relay_buffer_size;
    stream_.expires_after(cfg->server.header_timeout);
    auto [ec, n] = co_await http::async_read_some(stream_, buffer_, *parser_, use_tuple);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return false;
    dropped += relay_buffer_size - req.body().size;
    if (dropped > max_discarded_body) co_return false;
  }
  co_return true;
}

void session::release_inflight() {
  if (!extra_inflight_key_.empty()) {
    w_->shared->inflight.finish(extra_inflight_key_);
    extra_inflight_key_.clear();
  }
  if (inflight_key_.empty()) return;
  w_->shared->inflight.finish(inflight_key_);
  inflight_key_.clear();
}

awaitable<void> run_session(worker* w, tcp::socket socket) {
  session s(w, std::move(socket));
  co_await s.run();
}

}  // namespace rangecache::proxy
