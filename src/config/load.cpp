// load_file / load_string: YAML text → config, section by section.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "config/sections.hpp"

namespace rangecache::config {

namespace detail {
namespace {

std::vector<util::cidr> loopback() {
  return {*util::cidr::parse("127.0.0.0/8"), *util::cidr::parse("::1/128")};
}

config convert(const context& ctx, const YAML::Node& root_node) {
  const auto root = root_item(root_node);
  if (root.node.IsNull()) {
    ctx.fail(root, "the file has no settings (at least listen and remap are needed)");
  }
  const map_reader map(ctx, root,
                       {"listen", "workers", "cache", "background_fetch", "remap", "log", "admin",
                        "server", "upstream", "trusted", "node_name"});
  config cfg;
  cfg.source = ctx.file();
  positions where;
  where.root = root.mark;

  if (const auto* value = map.find("listen")) load_listen(ctx, *value, cfg, where);
  read_into(map, "workers", cfg.workers, read_workers);
  if (const auto* value = map.find("cache")) load_cache(ctx, *value, cfg.cache);
  if (const auto* value = map.find("background_fetch")) {
    load_background_fetch(ctx, *value, cfg.background_fetch);
  }
  if (const auto* value = map.find("remap")) {
    where.remap = value->mark;
    for (const auto& element : list_items(ctx, *value)) {
      cfg.remap.push_back(load_remap_rule(ctx, element, where));
    }
  }
  if (const auto* value = map.find("log")) load_log(ctx, *value, cfg.log);
  if (const auto* value = map.find("admin")) load_admin(ctx, *value, cfg.admin, where);
  if (const auto* value = map.find("server")) load_server(ctx, *value, cfg.server);
  if (const auto* value = map.find("upstream")) load_upstream(ctx, *value, cfg.upstream);
  cfg.trusted = loopback();
  read_into(map, "trusted", cfg.trusted, read_cidr_list);
  cfg.node_name = default_node_name();
  read_into(map, "node_name", cfg.node_name, read_node_name);

  validate(ctx, cfg, where);
  return cfg;
}

}  // namespace

YAML::Node parse(const context& ctx, std::string_view yaml) {
  try {
    return YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    ctx.fail(e.mark, "", "YAML syntax error: " + e.msg);
  }
}

std::string read_text(const std::string& path) {
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
  return text;
}

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
  return load_string(detail::read_text(path), path);
}

}  // namespace rangecache::config
