// The plain settings sections: listen, workers, cache, server, upstream, log, admin.
#include <array>
#include <charconv>

#include "config/address_parse.hpp"
#include "config/sections.hpp"

namespace rangecache::config::detail {

namespace {

std::chrono::milliseconds read_timeout(const context& ctx, const item& at) {
  auto ms = read_duration(ctx, at);
  // A zero timeout would fire before any byte could arrive.
  if (ms.count() == 0) ctx.expected(at, "a duration above zero");
  return ms;
}

listen_endpoint read_endpoint(const context& ctx, const item& at) {
  // Unquoted, [::]:8080 is YAML for a list inside a map; say what to write instead.
  if (!at.node.IsScalar()) {
    ctx.expected(at, "a string like \"0.0.0.0:8080\" or \"[::]:8080\" (quoted)");
  }
  const auto text = at.node.Scalar();
  listen_endpoint ep;
  if (auto why = parse_listen(text, ep); !why.empty()) ctx.fail(at, why + ", got '" + text + "'");
  return ep;
}

// A scalar that must be one of `choices`' names; anything else stops the load with
// "expected a, b or c".
template <class T, std::size_t N>
T read_choice(const context& ctx, const item& at,
              const std::array<std::pair<std::string_view, T>, N>& choices) {
  const auto text = at.node.IsScalar() ? at.node.Scalar() : std::string();
  std::string names;
  for (std::size_t i = 0; i < N; ++i) {
    if (text == choices[i].first) return choices[i].second;
    names.append(i == 0 ? "" : i + 1 == N ? " or " : ", ").append(choices[i].first);
  }
  ctx.expected(at, names);
}

sync_mode read_sync(const context& ctx, const item& at) {
  return read_choice<sync_mode, 3>(
      ctx, at, {{{"none", sync_mode::none}, {"meta", sync_mode::meta}, {"full", sync_mode::full}}});
}

zero_copy_mode read_zero_copy(const context& ctx, const item& at) {
  return read_choice<zero_copy_mode, 3>(ctx, at,
                                        {{{"auto", zero_copy_mode::automatic},
                                          {"on", zero_copy_mode::on},
                                          {"off", zero_copy_mode::off}}});
}

cache_backend read_backend(const context& ctx, const item& at) {
  return read_choice<cache_backend, 2>(
      ctx, at, {{{"lmdb", cache_backend::lmdb}, {"memory", cache_backend::memory}}});
}

// A plain decimal from 0 to 1 ("0.1", "0", "1"); no exponent, sign or percent, so what is
// written is what it means.
double read_fraction(const context& ctx, const item& at) {
  constexpr std::string_view what = "a fraction from 0 to 1 like 0.1";
  const auto text = at.node.IsScalar() ? at.node.Scalar() : std::string();
  const bool plain = !text.empty() && text.find_first_not_of("0123456789.") == std::string::npos;
  double value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!plain || ec != std::errc{} || end != text.data() + text.size() || value > 1)
    ctx.expected(at, what);
  return value;
}

// Freshness is counted in whole seconds.
std::chrono::seconds read_seconds(const context& ctx, const item& at) {
  const auto ms = read_duration(ctx, at);
  if (ms.count() % 1000 != 0) ctx.expected(at, "a duration in whole seconds like 1d or 3600s");
  return std::chrono::duration_cast<std::chrono::seconds>(ms);
}

// spdlog's names; "warn" and "err" are its accepted short forms, stored in full so that
// spdlog::level::from_str (which maps anything unknown to "off") always sees a real name.
std::string read_level(const context& ctx, const item& at) {
  const auto text = at.node.IsScalar() ? at.node.Scalar() : std::string();
  if (text == "warn") return "warning";
  if (text == "err") return "error";
  for (const char* name : {"trace", "debug", "info", "warning", "error", "critical", "off"}) {
    if (text == name) return text;
  }
  ctx.expected(at, "trace, debug, info, warning, error, critical or off");
}

access_log_format read_access_format(const context& ctx, const item& at) {
  return read_choice<access_log_format, 3>(ctx, at,
                                           {{{"line", access_log_format::line},
                                             {"json", access_log_format::json},
                                             {"combined", access_log_format::combined}}});
}

}  // namespace

void load_listen(const context& ctx, const item& node, config& cfg, positions& where) {
  if (node.node.IsScalar()) {
    cfg.listen.push_back(read_endpoint(ctx, node));
    where.listen.push_back(node.mark);
    return;
  }
  if (!node.node.IsSequence()) ctx.expected(node, "an address like 0.0.0.0:8080 or a list");
  if (node.node.size() == 0) ctx.fail(node, "at least one address is needed");
  for (const auto& element : list_items(ctx, node)) {
    cfg.listen.push_back(read_endpoint(ctx, element));
    where.listen.push_back(element.mark);
  }
}

unsigned read_workers(const context& ctx, const item& at) {
  if (at.node.IsScalar() && at.node.Scalar() == "auto") return 0;
  if (!at.node.IsScalar()) ctx.expected(at, "auto or a whole number from 1 to 256");
  return static_cast<unsigned>(read_uint(ctx, at, 1, 256));
}

void load_cache(const context& ctx, const item& node, cache_settings& out) {
  const map_reader map(ctx, node,
                       {"path", "max_size", "sync", "sync_interval", "backend", "zero_copy",
                        "heuristic_fraction", "heuristic_max", "max_variants"});
  if (const auto* value = map.find("path")) {
    out.path = read_string(ctx, *value);
    if (out.path.empty()) ctx.expected(*value, "a directory");
  }
  if (const auto* value = map.find("max_size")) {
    out.max_size = read_size(ctx, *value);
    // Below this the store's fixed overhead and its eviction watermarks leave no room.
    if (out.max_size < (std::uint64_t{1} << 20)) ctx.expected(*value, "at least 1MiB");
  }
  read_into(map, "sync", out.sync, read_sync);
  read_into(map, "sync_interval", out.sync_interval, read_duration);
  read_into(map, "backend", out.backend, read_backend);
  read_into(map, "zero_copy", out.zero_copy, read_zero_copy);
  read_into(map, "heuristic_fraction", out.heuristic_fraction, read_fraction);
  read_into(map, "heuristic_max", out.heuristic_max, read_seconds);
  if (const auto* value = map.find("max_variants"))
    out.max_variants = static_cast<unsigned>(read_uint(ctx, *value, 1, 1024));
}

void load_server(const context& ctx, const item& node, server_settings& out) {
  const map_reader map(ctx, node,
                       {"header_limit", "header_timeout", "idle_timeout", "send_timeout",
                        "drain_timeout", "max_connections", "collapse_timeout"});
  if (const auto* value = map.find("header_limit")) {
    out.header_limit = read_size(ctx, *value);
    if (out.header_limit < 1024 || out.header_limit > (1u << 20)) {
      ctx.expected(*value, "a size from 1KiB to 1MiB");
    }
  }
  read_into(map, "header_timeout", out.header_timeout, read_timeout);
  read_into(map, "idle_timeout", out.idle_timeout, read_timeout);
  read_into(map, "send_timeout", out.send_timeout, read_timeout);
  // Zero is meaningful here: stop without waiting for in-flight requests.
  read_into(map, "drain_timeout", out.drain_timeout, read_duration);
  // Zero turns request collapsing off: every miss goes upstream.
  read_into(map, "collapse_timeout", out.collapse_timeout, read_duration);
  if (const auto* value = map.find("max_connections")) {
    out.max_connections = read_uint(ctx, *value, 1, 1'000'000);
  }
}

void load_upstream(const context& ctx, const item& node, upstream_settings& out) {
  const map_reader map(ctx, node,
                       {"connect_timeout", "read_timeout", "idle_timeout", "max_idle_per_origin"});
  read_into(map, "connect_timeout", out.connect_timeout, read_timeout);
  read_into(map, "read_timeout", out.read_timeout, read_timeout);
  read_into(map, "idle_timeout", out.idle_timeout, read_timeout);
  if (const auto* value = map.find("max_idle_per_origin")) {
    // Zero turns pooling off: every upstream request opens its own connection.
    out.max_idle_per_origin = read_uint(ctx, *value, 0, 100'000);
  }
}

void load_log(const context& ctx, const item& node, log_settings& out) {
  const map_reader map(ctx, node, {"access", "access_format", "error", "level"});
  read_into(map, "access", out.access, read_optional_string);
  read_into(map, "access_format", out.access_format, read_access_format);
  read_into(map, "error", out.error, read_optional_string);
  read_into(map, "level", out.level, read_level);
}

void load_admin(const context& ctx, const item& node, admin_settings& out, positions& where) {
  const map_reader map(ctx, node, {"listen", "purge_allow"});
  if (const auto* value = map.find("listen")) {
    out.listen = read_endpoint(ctx, *value);
    where.admin_listen = value->mark;
  }
  read_into(map, "purge_allow", out.purge_allow, read_cidr_list);
}

}  // namespace rangecache::config::detail
