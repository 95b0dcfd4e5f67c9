// The admin listener's endpoints, one function each, and the table that routes to them.
// Reading endpoints take GET (and HEAD); endpoints that change state take POST only.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "asio_fwd.hpp"
#include "worker.hpp"

namespace rangecache::proxy {

using admin_request = http::request<http::string_body>;
using admin_response = http::response<http::string_body>;

// One request on the admin listener. Both pointers outlive the handler's run.
struct admin_call {
  worker* w = nullptr;
  const admin_request* req = nullptr;
  std::string peer;  // the client's address, as the allow lists compare it
  admin_response* res = nullptr;
};

struct admin_route {
  std::string_view path;
  http::verb method;
  awaitable<void> (*handle)(admin_call);
};

// A plain-text answer of the admin listener: "<status> <text>\n".
void admin_reply(admin_response& res, unsigned status, std::string_view text);

// GET /health: "ok", or 503 "draining".
awaitable<void> admin_health(admin_call call);
// GET /metrics: Prometheus text.
awaitable<void> admin_metrics(admin_call call);
// GET /owner?url=URL: which node of the URL's tier owns it (JSON).
awaitable<void> admin_owner(admin_call call);
// POST /purge?url=URL (a Range header: that one range object), from admin.purge_allow.
awaitable<void> admin_purge(admin_call call);
// POST /reload: the reload SIGHUP does, answered with its outcome; from loopback only.
awaitable<void> admin_reload(admin_call call);

std::span<const admin_route> admin_routes();

}  // namespace rangecache::proxy
