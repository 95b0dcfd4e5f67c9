// load_file / load_string: YAML text → config, section by section.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "config/address_parse.hpp"
#include "config/sections.hpp"

namespace rangecache::config {

namespace detail {
namespace {

std::chrono::milliseconds read_timeout(const context& ctx, const YAML::Node& at,
                                       std::string_view path) {
  auto ms = read_duration(ctx, at, path);
  // A zero timeout would fire before any byte could arrive.
  if (ms.count() == 0) ctx.expected(at, path, "a duration above zero");
  return ms;
}

listen_endpoint read_endpoint(const context& ctx, const YAML::Node& at, std::string_view path) {
  listen_endpoint ep;
  const auto text = read_string(ctx, at, path);
  if (auto why = parse_listen(text, ep); !why.empty()) {
    ctx.fail(at, path, why + ", got '" + text + "'");
  }
  return ep;
}

void load_listen(const context& ctx, const YAML::Node& node, config& cfg, positions& where) {
  if (node.IsScalar()) {
    cfg.listen.push_back(read_endpoint(ctx, node, "listen"));
    where.listen.push_back(node.Mark());
    return;
  }
  if (!node.IsSequence()) ctx.expected(node, "listen", "an address like 0.0.0.0:8080 or a list");
  if (node.size() == 0) ctx.fail(node, "listen", "at least one address is needed");
  std::size_t i = 0;
  for (const auto& item : node) {
    cfg.listen.push_back(read_endpoint(ctx, item, index_path("listen", i++)));
    where.listen.push_back(item.Mark());
  }
}

unsigned read_workers(const context& ctx, const YAML::Node& at, std::string_view path) {
  if (at.IsScalar() && at.Scalar() == "auto") return 0;
  if (!at.IsScalar()) ctx.expected(at, path, "auto or a whole number from 1 to 256");
  return static_cast<unsigned>(read_uint(ctx, at, path, 1, 256));
}

sync_mode read_sync(const context& ctx, const YAML::Node& at, std::string_view path) {
  const auto text = at.IsScalar() ? at.Scalar() : std::string();
  if (text == "none") return sync_mode::none;
  if (text == "meta") return sync_mode::meta;
  if (text == "full") return sync_mode::full;
  ctx.expected(at, path, "none, meta or full");
}

void load_cache(const context& ctx, const YAML::Node& node, cache_settings& out) {
  const map_reader map(ctx, node, "cache", {"path", "max_size", "sync"});
  if (const auto* e = map.find("path")) {
    out.path = read_string(ctx, e->value, map.path_of("path"));
    if (out.path.empty()) ctx.expected(e->value, map.path_of("path"), "a directory");
  }
  if (const auto* e = map.find("max_size")) {
    out.max_size = read_size(ctx, e->value, map.path_of("max_size"));
    // Below this the store's fixed overhead and its eviction watermarks leave no room.
    if (out.max_size < (std::uint64_t{1} << 20)) {
      ctx.expected(e->value, map.path_of("max_size"), "at least 1MiB");
    }
  }
  read_into(map, "sync", out.sync, read_sync);
}

void load_server(const context& ctx, const YAML::Node& node, server_settings& out) {
  const map_reader map(ctx, node, "server",
                       {"header_limit", "header_timeout", "idle_timeout", "send_timeout",
                        "drain_timeout", "max_connections"});
  if (const auto* e = map.find("header_limit")) {
    out.header_limit = read_size(ctx, e->value, map.path_of("header_limit"));
    if (out.header_limit < 1024 || out.header_limit > (1u << 20)) {
      ctx.expected(e->value, map.path_of("header_limit"), "a size from 1KiB to 1MiB");
    }
  }
  read_into(map, "header_timeout", out.header_timeout, read_timeout);
  read_into(map, "idle_timeout", out.idle_timeout, read_timeout);
  read_into(map, "send_timeout", out.send_timeout, read_timeout);
  // Zero is meaningful here: stop without waiting for in-flight requests.
  read_into(map, "drain_timeout", out.drain_timeout, read_duration);
  if (const auto* e = map.find("max_connections")) {
    out.max_connections = read_uint(ctx, e->value, map.path_of("max_connections"), 1, 1'000'000);
  }
}

void load_upstream(const context& ctx, const YAML::Node& node, upstream_settings& out) {
  const map_reader map(ctx, node, "upstream",
                       {"connect_timeout", "read_timeout", "idle_timeout", "max_idle_per_origin"});
  read_into(map, "connect_timeout", out.connect_timeout, read_timeout);
  read_into(map, "read_timeout", out.read_timeout, read_timeout);
  read_into(map, "idle_timeout", out.idle_timeout, read_timeout);
  if (const auto* e = map.find("max_idle_per_origin")) {
    // Zero turns pooling off: every upstream request opens its own connection.
    out.max_idle_per_origin =
        read_uint(ctx, e->value, map.path_of("max_idle_per_origin"), 0, 100'000);
  }
}

// spdlog's names; "warn" and "err" are its accepted short forms, stored in full so that
// spdlog::level::from_str (which maps anything unknown to "off") always sees a real name.
std::string read_level(const context& ctx, const YAML::Node& at, std::string_view path) {
  const auto text = at.IsScalar() ? at.Scalar() : std::string();
  if (text == "warn") return "warning";
  if (text == "err") return "error";
  for (const char* name : {"trace", "debug", "info", "warning", "error", "critical", "off"}) {
    if (text == name) return text;
  }
  ctx.expected(at, path, "trace, debug, info, warning, error, critical or off");
}

void load_log(const context& ctx, const YAML::Node& node, log_settings& out) {
  const map_reader map(ctx, node, "log", {"access", "error", "level"});
  read_into(map, "access", out.access, read_optional_string);
  read_into(map, "error", out.error, read_optional_string);
  read_into(map, "level", out.level, read_level);
}

void load_admin(const context& ctx, const YAML::Node& node, admin_settings& out, positions& where) {
  const map_reader map(ctx, node, "admin", {"listen", "purge_allow"});
  if (const auto* e = map.find("listen")) {
    out.listen = read_endpoint(ctx, e->value, map.path_of("listen"));
    where.admin_listen = e->value.Mark();
  }
  read_into(map, "purge_allow", out.purge_allow, read_cidr_list);
}

std::vector<util::cidr> loopback() {
  return {*util::cidr::parse("127.0.0.0/8"), *util::cidr::parse("::1/128")};
}

config convert(const context& ctx, const YAML::Node& root) {
  if (root.IsNull()) {
    ctx.fail(root, "", "the file has no settings (at least listen and remap are needed)");
  }
  const map_reader map(ctx, root, "",
                       {"listen", "workers", "cache", "background_fetch", "remap", "log", "admin",
                        "server", "upstream", "trusted"});
  config cfg;
  cfg.source = ctx.file();
  positions where;
  where.root = root.Mark();

  if (const auto* e = map.find("listen")) load_listen(ctx, e->value, cfg, where);
  read_into(map, "workers", cfg.workers, read_workers);
  if (const auto* e = map.find("cache")) load_cache(ctx, e->value, cfg.cache);
  if (const auto* e = map.find("background_fetch")) {
    load_background_fetch(ctx, e->value, "background_fetch", cfg.background_fetch);
  }
  if (const auto* e = map.find("remap")) {
    where.remap = e->value.Mark();
    require_sequence(ctx, e->value, "remap");
    std::size_t i = 0;
    for (const auto& item : e->value) {
      cfg.remap.push_back(load_remap_rule(ctx, item, index_path("remap", i++), where));
    }
  }
  if (const auto* e = map.find("log")) load_log(ctx, e->value, cfg.log);
  if (const auto* e = map.find("admin")) load_admin(ctx, e->value, cfg.admin, where);
  if (const auto* e = map.find("server")) load_server(ctx, e->value, cfg.server);
  if (const auto* e = map.find("upstream")) load_upstream(ctx, e->value, cfg.upstream);
  cfg.trusted = loopback();
  read_into(map, "trusted", cfg.trusted, read_cidr_list);

  validate(ctx, cfg, where);
  return cfg;
}

YAML::Node parse(const context& ctx, std::string_view yaml) {
  try {
    return YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    ctx.fail(e.mark, "", "YAML syntax error: " + e.msg);
  }
}

}  // namespace
}  // namespace detail

config load_string(std::string_view yaml, const std::string& name) {
  const detail::context ctx(name);
  const YAML::Node root = detail::parse(ctx, yaml);
  try {
    return detail::convert(ctx, root);
  } catch (const YAML::Exception& e) {
    // The readers avoid every throwing yaml-cpp call they know of; this is the backstop
    // that keeps any other one a config_error with a position.
    ctx.fail(e.mark, "", e.msg);
  }
}

config load_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    throw config_error(path, 0, 0,
                       std::string("cannot open the config file: ") + std::strerror(errno));
  }
  std::string text;
  char buf[16 * 1024];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, file.get())) > 0) text.append(buf, n);
  if (std::ferror(file.get())) {
    throw config_error(path, 0, 0,
                       std::string("cannot read the config file: ") + std::strerror(errno));
  }
  return load_string(text, path);
}

}  // namespace rangecache::config
