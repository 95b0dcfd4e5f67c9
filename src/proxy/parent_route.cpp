// Parents (a tier of rangecache nodes): a request that must go upstream goes to the node that
// owns its key on the ring instead of the origin. A parent that gives no answer (connect
// error, reset, timeout) is marked down for `mark_down` and the next node on the ring is
// tried at once; its 4xx/5xx answers are relayed like an origin's (a parent's 5xx is most
// often the origin's, and marking the parent down for it would move keys for nothing).
#include <spdlog/spdlog.h>

#include <array>

#include "rangecache/origin/retry.hpp"
#include "rangecache/origin/settings.hpp"
#include "rangecache/proxy/headers.hpp"
#include "rangecache/tier/route.hpp"
#include "rangecache/tier/via.hpp"
#include "session.hpp"

namespace rangecache::proxy {
namespace {

// Whether the client's Via names this node or any node of the tier: the request has been
// through the tier once already.
bool came_from_tier(std::string_view via, const config::parents_settings& p,
                    std::string_view self_name) {
  if (via.empty()) return false;
  std::vector<std::string_view> names;
  names.reserve(p.nodes.size() + 1);
  names.push_back(self_name);
  for (const auto& n : p.nodes) names.push_back(n.text);
  return tier::via_names_any(via, names);
}

// Which of a rule's nodes are marked down at `now`, as plan_route asks it.
std::function<bool(std::size_t)> down_at(const config::parents_settings& p,
                                         tier::parent_table& table, std::int64_t now) {
  return [&p, &table, now](std::size_t i) { return table.at(p.nodes[i].text).down(now); };
}

std::string via_entry(std::string_view name) {
  return "1.1 " + std::string(name);
}

// A Via value with our entry added after the client's own.
std::string via_with(std::string_view client_via, std::string_view name) {
  if (client_via.empty()) return via_entry(name);
  return std::string(client_via) + ", " + via_entry(name);
}

}  // namespace

void session::begin_route(const config::config& cfg, const config::remap_rule& rule,
                          const request_authority& authority) {
  upstream_ = origin_of(rule);
  upstream_label_.clear();
  no_parent_ = false;
  from_tier_ = false;
  looped_ = false;
  if (!rule.parents) return;
  const auto& p = *rule.parents;
  client_host_ = authority_host_header(authority);
  client_target_ = std::string(authority.path_and_query);
  url_key_ = tier::url_key(client_host_, client_target_);
  route_key_ = url_key_;
  const auto via = parser_->get()[http::field::via];
  const auto self_name = tier::via_name(p, cfg);
  from_tier_ = came_from_tier(via, p, self_name);
  const std::array<std::string_view, 1> just_us = {self_name};
  looped_ = !via.empty() && tier::via_names_any(via, just_us);
  if (looped_)
    spdlog::warn("{} {}: came back through this node ({}): parents form a loop; sent to the origin",
                 parser_->get().method_string(), client_target_, self_name);
}

origin::request session::parent_request(const config::config& cfg, const config::remap_rule& rule,
                                        const origin::request& up) {
  origin::request req = up;
  // The parent sees the request as the client made it (it has the same remap rules), so it
  // computes the same keys; only our Via entry is new.
  req.target(client_target_);
  req.set(http::field::host, client_host_);
  req.set(http::field::via,
          via_with(parser_->get()[http::field::via], tier::via_name(*rule.parents, cfg)));
  return req;
}

awaitable<origin::answer> session::ask_parent(const config::config& cfg,
                                              const config::parent_node& node, origin::request up,
                                              bool head) {
  std::string no_body;
  const origin::endpoint to{node.host, node.port};
  const auto sent = std::chrono::steady_clock::now();
  auto a = co_await w_->origins.send(to, std::move(up), std::move(no_body),
                                     origin::settings_for(cfg.upstream, head));
  count_origin_request(a, sent);
  if (!a.ec) {
    upstream_ = to;
    upstream_label_ = "parent:" + node.text;
    flight::add_missing_date(a.head(), w_->shared->clock->now());
  }
  co_return a;
}

awaitable<origin::answer> session::ask_tier(const config::config& cfg,
                                            const config::remap_rule& rule, origin::request up,
                                            bool head) {
  const auto& p = *rule.parents;
  auto& table = w_->shared->parents;
  const auto& clock = *w_->shared->clock;
  const std::int64_t now = clock.now();
  const auto is_down = down_at(p, table, now);
  // Only a request that may be sent twice can fail over to the next parent.
  const bool once_only = !origin::is_idempotent(up.method_string());
  const auto route =
      tier::plan_route(p, tier::ring_of(p), route_key_, from_tier_ || once_only, is_down);
  if (!route.parents.empty()) {
    const auto to_parent = parent_request(cfg, rule, up);
    for (const auto i : route.parents) {
      auto& state = table.at(p.nodes[i].text);
      if (state.down(clock.now())) continue;  // another request found it down meanwhile
      state.count_request();
      origin::request attempt = to_parent;
      auto a = co_await ask_parent(cfg, p.nodes[i], std::move(attempt), head);
      if (!a.ec) co_return a;
      state.failed(clock.now(), p.mark_down);
      spdlog::warn("parent {}: {} {}: {}; skipped for {}s", p.nodes[i].text, up.method_string(),
                   client_target_, a.ec.message(), p.mark_down.count());
    }
  }
  if (!route.then_direct) {
    no_parent_ = true;
    origin::answer none;
    none.ec = asio::error::host_unreachable;
    co_return none;
  }
  co_return co_await ask_origin_itself(cfg, rule, std::move(up), head);
}

bool session::fetches_here(const config::remap_rule& rule) {
  if (!rule.parents) return true;
  const auto& p = *rule.parents;
  auto& table = w_->shared->parents;
  const std::int64_t now = w_->shared->clock->now();
  const auto is_down = down_at(p, table, now);
  // By the URL's key whatever the rule's hash: one node per URL runs its fetches.
  return tier::fetches_itself(p, tier::ring_of(p), url_key_, is_down);
}

void session::route_revalidation(const config::remap_rule& rule, fetch::revalidation& r) {
  route_to_owner(rule, r.host, r.port, r.target, r.headers);
}

void session::route_to_owner(const config::remap_rule& rule, std::string& host, std::uint16_t& port,
                             std::string& target,
                             std::vector<std::pair<std::string, std::string>>& headers) {
  if (!rule.parents || from_tier_) return;
  const auto& p = *rule.parents;
  auto& table = w_->shared->parents;
  const std::int64_t now = w_->shared->clock->now();
  const auto is_down = down_at(p, table, now);
  const auto route = tier::plan_route(p, tier::ring_of(p), route_key_, false, is_down);
  // The owner when it is up; no fail-over here: work done for the cache's sake (a
  // revalidation, a block) that fails is asked again by the next request, which takes the
  // full route.
  if (route.parents.empty()) return;
  const auto& node = p.nodes[route.parents.front()];
  const auto cfg = w_->shared->config_now();
  host = node.host;
  port = node.port;
  target = client_target_;
  for (auto& [name, value] : headers) {
    if (beast::iequals(name, "Host")) value = client_host_;
    if (beast::iequals(name, "Via"))
      value = via_with(parser_->get()[http::field::via], tier::via_name(p, *cfg));
  }
  table.at(node.text).count_request();
}

}  // namespace rangecache::proxy
