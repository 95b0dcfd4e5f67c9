// Reading YAML nodes into plain values, with every failure a config_error that points at
// the offending node. The only header that includes yaml-cpp; it never leaves src/config.
//
// yaml-cpp traps avoided here (design-research.md §4): nodes are only ever copy-constructed,
// never assigned (assignment rewrites the document), and maps are read by iterating them
// once, never through operator[] (which can insert keys).
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "rangecache/config/config.hpp"
#include "rangecache/util/cidr.hpp"

namespace rangecache::config::detail {

// The file being read, for error messages.
class context {
 public:
  explicit context(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // "path: message" at the node's position.
  [[noreturn]] void fail(const YAML::Node& at, std::string_view path,
                         const std::string& message) const;
  [[noreturn]] void fail(const YAML::Mark& at, std::string_view path,
                         const std::string& message) const;
  // "path: expected <expected>, got '<what the node holds>'".
  [[noreturn]] void expected(const YAML::Node& at, std::string_view path,
                             std::string_view expected) const;

 private:
  std::string file_;
};

// 1-based line of a node, 0 when yaml-cpp has no position for it.
int line_of(const YAML::Node& node);

// What a node holds, for "got ..." in messages: the scalar quoted, or "a list", "a map".
std::string describe(const YAML::Node& node);

// A mapping whose keys have been checked against the allowed set: an unknown or repeated
// key fails at the key's own line.
class map_reader {
 public:
  struct entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };

  map_reader(const context& ctx, const YAML::Node& node, std::string path,
             std::initializer_list<std::string_view> allowed);

  // The entry for `key`, or nullptr when the key is absent.
  const entry* find(std::string_view key) const;
  // "cache.max_size" for key "max_size" of the map at "cache".
  std::string path_of(std::string_view key) const;
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  const context& ctx() const { return ctx_; }

 private:
  const context& ctx_;
  YAML::Node node_;
  std::string path_;
  std::vector<entry> entries_;
};

// Scalar readers: `at` is the value node and `path` its dotted name.
std::string read_string(const context& ctx, const YAML::Node& at, std::string_view path);
// As read_string, but an empty value (`key:` or `key: ~`) reads as "".
std::string read_optional_string(const context& ctx, const YAML::Node& at, std::string_view path);
bool read_bool(const context& ctx, const YAML::Node& at, std::string_view path);
std::uint64_t read_uint(const context& ctx, const YAML::Node& at, std::string_view path,
                        std::uint64_t min, std::uint64_t max);
std::uint64_t read_size(const context& ctx, const YAML::Node& at, std::string_view path);
std::chrono::milliseconds read_duration(const context& ctx, const YAML::Node& at,
                                        std::string_view path);
util::cidr read_cidr(const context& ctx, const YAML::Node& at, std::string_view path);
// One CIDR as a string, or a list of them.
std::vector<util::cidr> read_cidr_list(const context& ctx, const YAML::Node& at,
                                       std::string_view path);
// One string, or a list of them.
std::vector<std::string> read_string_list(const context& ctx, const YAML::Node& at,
                                          std::string_view path);
void require_map(const context& ctx, const YAML::Node& at, std::string_view path);
void require_sequence(const context& ctx, const YAML::Node& at, std::string_view path);

// "remap[2]".
std::string index_path(std::string_view path, std::size_t index);

// Sets `field` from `key` when the map has it.
template <typename Field, typename Read>
void read_into(const map_reader& map, std::string_view key, Field& field, Read read) {
  if (const auto* e = map.find(key)) field = read(map.ctx(), e->value, map.path_of(key));
}

}  // namespace rangecache::config::detail
