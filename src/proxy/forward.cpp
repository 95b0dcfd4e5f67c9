// Pass-through: the request goes to the origin and the answer comes back, both bodies
// streamed through bounded buffers, so memory does not grow with the body.
#include <spdlog/spdlog.h>

#include "client_body.hpp"
#include "rangecache/flight/commit_wait.hpp"
#include "rangecache/origin/retry.hpp"
#include "rangecache/origin/settings.hpp"
#include "rangecache/plan/invalidation.hpp"
#include "rangecache/proxy/headers.hpp"
#include "response_writer.hpp"
#include "session.hpp"

namespace rangecache::proxy {

origin::endpoint origin_of(const config::remap_rule& rule) {
  return origin::endpoint{rule.to_host, rule.to_port};
}

origin::request session::upstream_request(const config::remap_rule& rule,
                                          const request_authority& authority) {
  auto& req = parser_->get();
  origin::request up;
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

void session::count_origin_request(const origin::answer& a,
                                   std::chrono::steady_clock::time_point sent) {
  if (!a.ec) {
    const auto took = std::chrono::steady_clock::now() - sent;
    w_->metrics.origin_head.observe(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
  }
  bump(w_->stats.upstream_requests, a.retried ? 2 : 1);
  if (a.reused || a.retried) bump(w_->stats.upstream_reused);
  if (a.retried) bump(w_->stats.upstream_retried);
}

awaitable<origin::answer> session::ask_origin(const config::config& cfg,
                                              const config::remap_rule& rule, origin::request up,
                                              bool head) {
  if (rule.parents) co_return co_await ask_tier(cfg, rule, std::move(up), head);
  co_return co_await ask_origin_itself(cfg, rule, std::move(up), head);
}

// The rule's origin, not a parent: what every request goes to without a tier.
awaitable<origin::answer> session::ask_origin_itself(const config::config& cfg,
                                                     const config::remap_rule& rule,
                                                     origin::request up, bool head) {
  auto to = origin_of(rule);
  upstream_ = to;
  upstream_label_ = "origin";
  std::string no_body;
  const auto sent = std::chrono::steady_clock::now();
  auto a = co_await w_->origins.send(to, std::move(up), std::move(no_body),
                                     origin::settings_for(cfg.upstream, head));
  count_origin_request(a, sent);
  if (!a.ec) flight::add_missing_date(a.head(), w_->shared->clock->now());
  co_return a;
}

awaitable<origin::answer> session::send_with_body(const config::config& cfg,
                                                  const config::remap_rule& rule,
                                                  origin::request up, bool head) {
  client_body_reader body(stream_, buffer_, *parser_, cfg.server.idle_timeout);
  // A small body of known length is read whole first: then the request can be sent again
  // if a pooled connection fails under it. Any other body streams on a fresh connection.
  const auto length = parser_->content_length();
  // A request body is read once, so it cannot fail over from one parent to the next: it goes
  // to the origin, as it would without parents.
  auto to = origin_of(rule);
  upstream_ = to;
  upstream_label_ = "origin";
  origin::answer a;
  // From the request's head: a streamed body goes up while the origin's answer is awaited.
  auto sent = std::chrono::steady_clock::now();
  if (length && !parser_->chunked() && *length <= relay_buffer_size &&
      origin::is_idempotent(up.method_string())) {
    std::string held;
    error_code ec;
    if (!co_await body.read_all(&held, &ec)) {
      a.ec = ec;
      a.source_failed = true;
      co_return a;
    }
    sent = std::chrono::steady_clock::now();
    a = co_await w_->origins.send(to, std::move(up), std::move(held),
                                  origin::settings_for(cfg.upstream, head));
  } else {
    a = co_await w_->origins.send_streamed(to, std::move(up), &body,
                                           origin::settings_for(cfg.upstream, head));
  }
  count_origin_request(a, sent);
  if (!a.ec) flight::add_missing_date(a.head(), w_->shared->clock->now());
  co_return a;
}

awaitable<outcome> session::upstream_failed(const origin::answer& a, const config::remap_rule&,
                                            access_entry& log) {
  auto& stats = w_->stats;
  if (a.source_failed) {
    // The client went away, stalled or sent a body that does not parse. Nothing has come
    // back from the origin (its connection is closed): a malformed body can still be
    // answered, then the connection closes with the rest of it.
    if (!malformed_body(a.ec)) co_return outcome::cut;
    std::string why = "malformed request body";
    co_return co_await send_error(400, why, false, log);
  }
  if (no_parent_) {
    spdlog::warn("{} {}: every parent is down and go_direct is off", log.method, log.url());
    std::string why = "no parent available";
    co_return co_await send_error(502, why, false, log);
  }
  bump(stats.upstream_errors);
  bool timeout = a.ec == beast::error::timeout;
  if (timeout) bump(stats.upstream_timeouts);
  spdlog::warn("upstream {}: {} {}: {}", upstream_.pool_key(), log.method, log.url(),
               a.ec.message());
  const char* what = timeout ? "origin timeout" : "origin unreachable or bad answer";
  const unsigned status = timeout ? 504 : 502;
  co_return co_await send_error(status, what, false, log);
}

awaitable<outcome> session::origin_cut(const config::remap_rule&, error_code ec, std::uint64_t read,
                                       bool head_sent, std::uint64_t sent, access_entry& log) {
  // The origin broke off mid-body: the client must not take a short body for whole.
  bump(w_->stats.responses_cut);
  bump(w_->stats.upstream_errors);
  spdlog::warn("upstream {}: {} {}: body cut after {} bytes: {}", upstream_.pool_key(), log.method,
               log.url(), read, ec.message());
  // The head is still ours (it leaves with the first piece): say so cleanly.
  if (!head_sent) co_return co_await send_error(502, "origin broke off its answer", false, log);
  log.bytes = sent;
  log.cache = "CUT";
  finish_log(log);
  co_return outcome::cut;
}

// RFC 9111 §4.4: a successful unsafe request invalidates what is stored for its URL and
// for the same-origin URLs its answer names (Location, Content-Location), before the
// answer goes out, so the client's next request cannot see the old objects.
awaitable<void> session::invalidate_after(const config::remap_rule& rule,
                                          const request_authority& authority,
                                          const origin::answer& a) {
  const auto& req = parser_->get();
  if (!w_->store || !plan::invalidates(req.method_string(), a.status())) co_return;
  const std::string target = rewrite_target(rule, authority.path_and_query);
  const std::string client_host = authority_host_header(authority);
  const std::string origin_host = origin_host_header(rule);
  const std::array<std::string_view, 2> same_origin = {client_host, origin_host};
  std::vector<std::string> urls = {cache_url_for(rule, target)};
  for (auto field : {http::field::location, http::field::content_location}) {
    const auto& head = a.parser->get();
    auto it = head.find(field);
    if (it == head.end()) continue;
    if (auto named = plan::same_origin_target(it->value(), target, same_origin))
      urls.push_back(cache_url_for(rule, *named));
  }
  std::function<void(cache::purge_callback)> start =
      [store = w_->store, urls = std::move(urls)](cache::purge_callback done) {
        // One answer for all of them: the last purge's (the writer runs them in order).
        for (std::size_t i = 0; i + 1 < urls.size(); ++i) store->purge_url(urls[i]);
        store->purge_url(urls.back(), std::move(done));
      };
  asio::any_io_executor ex = stream_.get_executor();
  co_await flight::purge_and_wait(ex, std::move(start));
}

awaitable<outcome> session::forward(const config::config& cfg, const config::remap_rule& rule,
                                    request_authority authority, access_entry& log) {
  auto& req = parser_->get();
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
  origin::answer a;
  if (has_body)
    a = co_await send_with_body(cfg, rule, std::move(up), head);
  else
    a = co_await ask_origin(cfg, rule, std::move(up), head);
  if (a.ec) co_return co_await upstream_failed(a, rule, log);
  log.upstream_status = a.status();
  co_await invalidate_after(rule, authority, a);
  co_return co_await pass_answer(cfg, rule, a, has_body, log);
}

awaitable<outcome> session::pass_answer(const config::config& cfg, const config::remap_rule& rule,
                                        origin::answer& a, bool has_body, access_entry& log) {
  auto& req = parser_->get();
  auto& ur = a.head();
  const unsigned status = ur.result_int();
  http::response<http::buffer_body> res;
  res.version(11);
  res.result(status);
  res.reason(ur.reason());
  copy_end_to_end(ur.base(), res.base());
  flight::strip_targeted(res.base(), rule.cache_control_fields);
  append_via(res.base(), ur.version());
  const bool body_expected = req.method() != http::verb::head && status_has_body(status);
  bool keep = req.keep_alive() && !w_->shared->draining.load(std::memory_order_relaxed);
  if (body_expected && !a.parser->content_length()) {
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

  response_writer writer(stream_, res, body_expected, cfg.server.send_timeout);
  if (!body_expected) {
    if (!co_await writer.write_head()) co_return outcome::cut;
  } else {
    auto r = co_await origin::relay_body(a, body_buf_.get(), relay_buffer_size, writer,
                                         cfg.upstream.read_timeout);
    log.origin_bytes = r.bytes;
    log.first_byte = writer.first_write();
    if (r.ec)
      co_return co_await origin_cut(rule, r.ec, r.bytes, writer.sent() > 0, writer.sent(), log);
    if (r.stopped) co_return outcome::cut;
  }
  log.bytes = writer.sent();
  log.first_byte = writer.first_write();
  finish_log(log);
  w_->origins.finish(upstream_, a, cfg.upstream.max_idle_per_origin);
  if (has_body && !parser_->is_done()) co_return outcome::close;
  co_return keep ? outcome::keep_alive : outcome::close;
}

}  // namespace rangecache::proxy
