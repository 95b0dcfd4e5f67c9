// Pass-through: the request goes to the origin and the answer comes back, both bodies
// streamed through one bounded buffer (the relay pattern of Beast's examples), so memory
// does not grow with the body.
#include <spdlog/spdlog.h>

#include "commit_wait.hpp"
#include "rangecache/proxy/headers.hpp"
#include "session.hpp"

namespace rangecache::proxy {
namespace {

// Reused keep-alive connections can be closed by the origin at any moment; a failure before
// any answer byte on such a connection is retried once on a fresh one (no request body).
bool worth_retry(const upstream_conn& conn, const error_code& ec, bool has_body) {
  if (!conn.reused || has_body) return false;
  return ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
         ec == asio::error::eof || ec == asio::error::broken_pipe ||
         ec == http::error::partial_message;
}

// A request body that does not parse (broken chunk framing), as opposed to a client that
// went away or stalled: the one client failure that can still be answered.
bool malformed_body(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
         ec != http::error::partial_message && ec != http::error::end_of_stream;
}

}  // namespace

http::request<http::buffer_body> session::upstream_request(const config::remap_rule& rule,
                                                           const request_authority& authority) {
  auto& req = parser_->get();
  http::request<http::buffer_body> up;
  up.version(11);
  if (req.method() == http::verb::unknown)
    up.method_string(req.method_string());
  else
    up.method(req.method());
  up.target(rewrite_target(rule, authority.path_and_query));
  copy_end_to_end(req.base(), up.base());
  up.erase(http::field::expect);  // we answer 100-continue ourselves
  // One Content-Length in plain digits: "3, 03" or a repeated field is one length to us, but
  // an origin may read it otherwise and frame the body differently.
  up.erase(http::field::content_length);
  if (auto length = parser_->content_length(); length && !parser_->chunked())
    up.content_length(*length);
  // With preserve_host the origin sees the authority the client asked for (from an
  // absolute-form target when there is one, as RFC 9112 says), and the cache key has it too.
  up.set(http::field::host,
         rule.preserve_host ? authority_host_header(authority) : origin_host_header(rule));
  append_via(up.base(), req.version());
  if (!client_ip_.empty()) {
    auto xff = req["X-Forwarded-For"];
    up.set("X-Forwarded-For", xff.empty() ? client_ip_ : std::string(xff) + ", " + client_ip_);
  }
  if (parser_->chunked()) up.chunked(true);
  return up;
}

awaitable<error_code> session::send_request_body(const config::config& cfg, upstream_exchange& ex,
                                                 http::request<http::buffer_body>& up,
                                                 http::request_serializer<http::buffer_body>& usr) {
  auto& req = parser_->get();
  error_code wec;
  while (!wec && !parser_->is_done()) {
    req.body().data = body_buf_.get();
    req.body().size = relay_buffer_size;
    // read_some: the idle timeout is for silence between bytes, not for a full buffer.
    stream_.expires_after(cfg.server.idle_timeout);
    auto [rec, rn] = co_await http::async_read_some(stream_, buffer_, *parser_, use_tuple);
    if (rec == http::error::need_buffer) rec = {};
    if (rec) {
      // The client went away, stalled or sent a body that does not parse: this upstream
      // request can never be completed, so its connection goes too.
      ex.ec = asio::error::connection_aborted;
      ex.client_body_bad = malformed_body(rec);
      ex.conn.reset();
      co_return wec;
    }
    const std::size_t got = relay_buffer_size - req.body().size;
    if (got == 0) continue;
    up.body().data = body_buf_.get();
    up.body().size = got;
    up.body().more = true;
    ex.conn->stream.expires_after(cfg.upstream.read_timeout);
    auto [pec, pn] = co_await http::async_write(ex.conn->stream, usr, use_tuple);
    if (pec != http::error::need_buffer) wec = pec;
  }
  if (!wec) {
    up.body().data = nullptr;
    up.body().size = 0;
    up.body().more = false;
    auto [fec, fn] = co_await http::async_write(ex.conn->stream, usr, use_tuple);
    if (fec != http::error::need_buffer) wec = fec;
  }
  co_return wec;
}

awaitable<upstream_exchange> session::exchange(const config::config& cfg,
                                               const config::remap_rule& rule,
                                               http::request<http::buffer_body>& up, bool has_body,
                                               bool head) {
  auto& stats = w_->stats;
  upstream_exchange ex;
  ex.pool_key = rule.to_host + ":" + std::to_string(rule.to_port);
  for (int attempt = 0;; ++attempt) {
    ex.conn = attempt == 0 ? w_->pool.take(ex.pool_key, cfg.upstream.idle_timeout) : nullptr;
    if (!ex.conn) {
      auto connected =
          co_await w_->pool.connect(rule.to_host, rule.to_port, cfg.upstream.connect_timeout);
      if (connected.ec) {
        ex.ec = connected.ec;
        co_return ex;
      }
      ex.conn = std::move(connected.conn);
    } else {
      bump(stats.upstream_reused);
    }
    bump(stats.upstream_requests);

    http::request_serializer<http::buffer_body> usr{up};
    up.body().data = nullptr;
    up.body().size = 0;
    up.body().more = has_body;
    ex.conn->stream.expires_after(cfg.upstream.read_timeout);
    error_code wec;
    if (!has_body) {
      auto [ec, n] = co_await http::async_write(ex.conn->stream, usr, use_tuple);
      wec = ec;
    } else {
      auto [ec, n] = co_await http::async_write_header(ex.conn->stream, usr, use_tuple);
      wec = ec;
      if (!wec) wec = co_await send_request_body(cfg, ex, up, usr);
      if (ex.ec) co_return ex;  // the client failed mid-body
    }
    error_code rec = wec;
    if (!rec) {
      // Interim 1xx answers (other than 101, which we never ask for) are dropped.
      for (;;) {
        ex.parser = std::make_unique<http::response_parser<http::buffer_body>>();
        ex.parser->body_limit(boost::none);
        ex.parser->header_limit(64 * 1024);
        if (head) ex.parser->skip(true);
        ex.conn->stream.expires_after(cfg.upstream.read_timeout);
        auto [ec, n] = co_await http::async_read_header(ex.conn->stream, ex.conn->buffer,
                                                        *ex.parser, use_tuple);
        rec = ec;
        if (rec || ex.parser->get().result_int() >= 200 || ex.parser->get().result_int() == 101)
          break;
      }
    }
    if (!rec && ex.parser->get().result_int() == 101) rec = http::error::bad_status;
    if (!rec) co_return ex;
    if (attempt == 0 && worth_retry(*ex.conn, rec, has_body)) {
      spdlog::debug("upstream {}: reused connection failed ({}), retrying", ex.pool_key,
                    rec.message());
      continue;
    }
    ex.ec = rec;
    ex.parser.reset();
    ex.conn.reset();
    co_return ex;
  }
}

awaitable<outcome> session::upstream_failed(const upstream_exchange& ex, access_entry& log) {
  auto& stats = w_->stats;
  if (ex.client_body_bad) {
    // Nothing has come back from the origin (its connection is closed): the client can
    // still be told why, then the connection closes with the rest of its body.
    std::string why = "malformed request body";
    co_return co_await send_error(400, std::move(why), false, log);
  }
  if (ex.ec == asio::error::connection_aborted) co_return outcome::cut;
  bump(stats.upstream_errors);
  bool timeout = ex.ec == beast::error::timeout;
  if (timeout) bump(stats.upstream_timeouts);
  spdlog::warn("upstream {}: {} {}: {}", ex.pool_key, log.method, log.url(), ex.ec.message());
  const char* what = timeout ? "origin timeout" : "origin unreachable or bad answer";
  const unsigned status = timeout ? 504 : 502;
  co_return co_await send_error(status, what, false, log);
}

awaitable<outcome> session::forward(const config::config& cfg, const config::remap_rule& rule,
                                    request_authority authority, access_entry& log) {
  auto& req = parser_->get();
  auto& stats = w_->stats;
  const bool head = req.method() == http::verb::head;
  const bool has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
  if (log.cache[0] == '-') log.cache = "PASS";

  auto up = upstream_request(rule, authority);
  if (has_body && req.version() == 11 && beast::iequals(req[http::field::expect], "100-continue")) {
    static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(cfg.server.send_timeout);
    auto [ec, n] = co_await asio::async_write(
        stream_, asio::buffer(continue_line.data(), continue_line.size()), use_tuple);
    if (ec) co_return outcome::cut;
  }
  auto ex = co_await exchange(cfg, rule, up, has_body, head);
  if (ex.ec) co_return co_await upstream_failed(ex, log);

  auto& rp = ex.parser;
  auto& conn = ex.conn;
  auto& ur = rp->get();
  const unsigned status = ur.result_int();
  log.upstream_status = status;
  // RFC 9111 §4.4: a successful unsafe request invalidates what is stored for its URL, and
  // before its answer goes out, so the client's next request cannot see the old object.
  if (w_->store && status < 400 && req.method() != http::verb::get &&
      req.method() != http::verb::head && req.method() != http::verb::options) {
    std::function<void(cache::purge_callback)> start =
        [store = w_->store,
         url = cache_url_for(rule, rewrite_target(rule, authority.path_and_query))](
            cache::purge_callback done) { store->purge_url(url, std::move(done)); };
    auto ex = stream_.get_executor();
    co_await purge_and_wait(ex, std::move(start));
  }
  http::response<http::buffer_body> res;
  res.version(11);
  res.result(status);
  res.reason(ur.reason());
  copy_end_to_end(ur.base(), res.base());
  append_via(res.base(), ur.version());
  const bool body_expected = !head && status_has_body(status);
  bool keep = req.keep_alive() && !w_->shared->draining.load(std::memory_order_relaxed);
  if (body_expected && !rp->content_length()) {
    // Length unknown upstream (chunked or close-delimited): chunk it for HTTP/1.1 clients;
    // an HTTP/1.0 client learns the end from the close.
    if (req.version() == 11)
      res.chunked(true);
    else
      keep = false;
  }
  res.keep_alive(keep);
  if (keep && req.version() == 10) res.set(http::field::connection, "keep-alive");
  log.status = status;

  http::response_serializer<http::buffer_body> sr{res};
  res.body().data = nullptr;
  res.body().size = 0;
  res.body().more = body_expected;
  // With a body, the head goes out with its first piece in one write (one packet for a
  // small answer); without one, now.
  if (!body_expected) {
    stream_.expires_after(cfg.server.send_timeout);
    auto [ec, n] = co_await http::async_write_header(stream_, sr, use_tuple);
    if (ec) co_return outcome::cut;
  }
  std::uint64_t sent = 0;
  if (body_expected) {
    while (!rp->is_done()) {
      ur.body().data = body_buf_.get();
      ur.body().size = relay_buffer_size;
      auto ec = co_await read_body_piece(*conn, *rp, cfg.upstream.read_timeout);
      if (ec) {
        // The origin broke off mid-body: the client must not take a short body for whole.
        bump(stats.responses_cut);
        bump(stats.upstream_errors);
        spdlog::warn("upstream {}: {} {}: body cut after {} bytes: {}", ex.pool_key, log.method,
                     log.url(), sent, ec.message());
        // The head is still ours (it leaves with the first piece): say so cleanly.
        if (sent == 0)
          co_return co_await send_error(502, "origin broke off its answer", false, log);
        log.bytes = sent;
        log.cache = "CUT";
        if (auto access = w_->shared->access_log.load(std::memory_order_relaxed))
          write_access(*access, log);
        co_return outcome::cut;
      }
      std::size_t got = relay_buffer_size - ur.body().size;
      if (got == 0) continue;
      res.body().data = body_buf_.get();
      res.body().size = got;
      res.body().more = true;
      stream_.expires_after(cfg.server.send_timeout);
      auto [wec, wn] = co_await http::async_write(stream_, sr, use_tuple);
      if (wec == http::error::need_buffer) wec = {};
      if (wec) co_return outcome::cut;
      sent += got;
    }
    res.body().data = nullptr;
    res.body().size = 0;
    res.body().more = false;
    auto [fec, fn] = co_await http::async_write(stream_, sr, use_tuple);
    if (fec == http::error::need_buffer) fec = {};
    if (fec) co_return outcome::cut;
  }
  log.bytes = sent;
  bump(stats.bytes_sent, sent);
  if (auto access = w_->shared->access_log.load(std::memory_order_relaxed))
    write_access(*access, log);

  w_->pool.give_back_if_reusable(ex.pool_key, conn, *rp, cfg.upstream.max_idle_per_origin);
  if (has_body && !parser_->is_done()) co_return outcome::close;
  co_return keep ? outcome::keep_alive : outcome::close;
}

}  // namespace rangecache::proxy
