// A response head written field by field into one string, ending with the empty line: what
// an answer from the cache sends before its body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rangecache/cache/object.hpp"

namespace rangecache::plan {

class head_builder {
 public:
  explicit head_builder(unsigned status);
  // `more` is written right after `value`, as part of it.
  head_builder& field(std::string_view name, std::string_view value, std::string_view more = {});
  head_builder& field(std::string_view name, std::uint64_t value);
  // The stored fields a cache answer repeats (cache/field_rules.hpp: write_replayed).
  head_builder& stored_fields(const cache::object_meta& meta);
  // The same fields as the store rendered them when it wrote the record (cached_object::
  // replayed), written as they are.
  head_builder& rendered(std::string_view fields);
  // The stored fields less the representation's own Content-Type (multipart answers carry
  // theirs in every part).
  head_builder& stored_fields_except_type(const cache::object_meta& meta);
  std::string finish();

 private:
  // `n` more bytes of text_, to be written.
  char* room(std::size_t n);
  void put(std::string_view s);
  std::string text_;
  std::size_t used_ = 0;  // the bytes of text_ written so far
};

// The reason phrase rangecache writes for a status it answers itself ("" when none).
std::string_view reason_of(unsigned status) noexcept;

}  // namespace rangecache::plan
