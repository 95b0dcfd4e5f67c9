// Reading YAML nodes into plain values, with every failure a config_error that points at
// the offending text. The only header that includes yaml-cpp; it never leaves src/config.
//
// yaml-cpp traps avoided here: nodes are only ever copy-constructed, never assigned
// (assignment rewrites the document), and maps are read by iterating them once, never
// through operator[] (which can insert keys).
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

// A value to read: the node, its dotted name ("remap[2].from") and where to point at it.
struct item {
  YAML::Node node;
  std::string path;
  // The node's position; for an empty value (`key:`) the key's, because yaml-cpp places
  // an empty value at the next token, which may be lines further down.
  YAML::Mark mark;
};

// The file being read, for error messages.
class context {
 public:
  explicit context(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // "path: message" at `at`.
  [[noreturn]] void fail(const YAML::Mark& at, std::string_view path,
                         const std::string& message) const;
  [[noreturn]] void fail(const item& at, const std::string& message) const;
  // "path: expected <expected>, got '<what the node holds>'".
  [[noreturn]] void expected(const item& at, std::string_view expected) const;

 private:
  std::string file_;
};

// 1-based line of a mark, 0 when yaml-cpp has no position.
int line_of(const YAML::Mark& mark);

// What a node holds, for "got ..." in messages: the scalar quoted, or "a list", "a map".
std::string describe(const YAML::Node& node);

// The whole document as an item (path "").
item root_item(const YAML::Node& root);

// A mapping whose keys have been checked against the allowed set: an unknown or repeated
// key fails at the key's own line.
class map_reader {
 public:
  map_reader(const context& ctx, const item& map, std::initializer_list<std::string_view> allowed);

  // The value of `key`, or nullptr when the key is absent.
  const item* find(std::string_view key) const;
  const item& self() const { return self_; }
  std::size_t size() const { return entries_.size(); }
  const context& ctx() const { return ctx_; }

 private:
  struct entry {
    std::string key;
    item value;
  };
  std::string path_of(std::string_view key) const;

  const context& ctx_;
  item self_;
  std::vector<entry> entries_;
};

// The elements of a list, named "path[0]", "path[1]"...; fails if `list` is not a list.
std::vector<item> list_items(const context& ctx, const item& list);

void require_map(const context& ctx, const item& at);

// Scalar readers.
std::string read_string(const context& ctx, const item& at);
// As read_string, but an empty value (`key:` or `key: ~`) reads as "".
std::string read_optional_string(const context& ctx, const item& at);
bool read_bool(const context& ctx, const item& at);
std::uint64_t read_uint(const context& ctx, const item& at, std::uint64_t min, std::uint64_t max);
std::uint64_t read_size(const context& ctx, const item& at);
std::chrono::milliseconds read_duration(const context& ctx, const item& at);
util::cidr read_cidr(const context& ctx, const item& at);
// One CIDR as a string, or a list of them.
std::vector<util::cidr> read_cidr_list(const context& ctx, const item& at);

// Sets `field` from `key` when the map has it.
template <typename Field, typename Read>
void read_into(const map_reader& map, std::string_view key, Field& field, Read read) {
  if (const auto* value = map.find(key)) field = read(map.ctx(), *value);
}

}  // namespace rangecache::config::detail
