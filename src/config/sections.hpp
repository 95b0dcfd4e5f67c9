// The loaders of each part of the file, shared between the src/config translation units.
#pragma once

#include <vector>

#include "config/yaml_read.hpp"
#include "rangecache/config/config.hpp"

namespace rangecache::config::detail {

// Where values that later checks refer to were written. Marks are plain positions, so,
// unlike nodes, they are safe to keep and copy around.
struct positions {
  YAML::Mark root = YAML::Mark::null_mark();
  YAML::Mark remap = YAML::Mark::null_mark();
  std::vector<YAML::Mark> listen;  // one per config::listen entry
  YAML::Mark admin_listen = YAML::Mark::null_mark();
  std::vector<YAML::Mark> remap_from;          // one per config::remap entry
  std::vector<YAML::Mark> no_modify_cachekey;  // null when the rule does not set it
};

// The plain settings sections (load_settings.cpp).
void load_listen(const context& ctx, const item& node, config& cfg, positions& where);
unsigned read_workers(const context& ctx, const item& at);
void load_cache(const context& ctx, const item& node, cache_settings& out);
void load_server(const context& ctx, const item& node, server_settings& out);
void load_upstream(const context& ctx, const item& node, upstream_settings& out);
void load_log(const context& ctx, const item& node, log_settings& out);
void load_admin(const context& ctx, const item& node, admin_settings& out, positions& where);

// background_fetch: the global section, and a list of include/exclude rules.
void load_background_fetch(const context& ctx, const item& node, background_fetch_settings& out);
std::vector<bgf_rule> load_bgf_rules(const context& ctx, const item& node);

// One entry of `remap`; records its marks in `where`.
remap_rule load_remap_rule(const context& ctx, const item& node, positions& where);

// `parents` of a remap rule (`crr` is the same rule's, for ps_cachekey), and `node_name`.
parents_settings load_parents(const context& ctx, const item& node, const crr_options& crr);
std::string read_node_name(const context& ctx, const item& at);
std::string default_node_name();  // the host name

// The YAML document in `yaml` (a syntax error is a config_error), and the text of a config
// file (one that cannot be read is a config_error naming it).
YAML::Node parse(const context& ctx, std::string_view yaml);
std::string read_text(const std::string& path);

// Checks that span several keys, run once everything has been converted.
void validate(const context& ctx, const config& cfg, const positions& where);

}  // namespace rangecache::config::detail
