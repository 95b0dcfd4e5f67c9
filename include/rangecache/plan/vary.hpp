// What a response's Vary means for storing it and for finding it again (RFC 9111 §4.1).
//
// A response that varies on request fields is kept as one variant among several under its
// URL: its key is the base key (complete or range) plus the variant, which is the nominated
// fields' values as this request had them, normalised so that requests that differ only in
// spelling share a variant. A small record under the URL's complete-object key, the vary
// index, names the fields, so that a later request can work out which variant it selects
// before looking for it.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rangecache::plan {

struct vary_spec {
  bool star = false;               // "Vary: *": no later request can be known to match
  std::vector<std::string> names;  // lower-case, sorted, each once; empty: no variants
};

// From every Vary field value of a response. Names already part of every key (`keyed`: the
// rule's cache-key headers; Host, which the cache URL holds) are left out: responses that
// vary only on them need no variants.
vary_spec parse_vary(std::span<const std::string_view> values, std::span<const std::string> keyed);

// Every field line of one request field, in order.
using field_lines = std::function<void(std::string_view name, std::vector<std::string_view>& out)>;

// One field's value as a variant holds it: its lines combined, each list member trimmed of
// whitespace and joined with ","; and, for the content-negotiation fields whose tokens are
// case-insensitive (Accept, Accept-Charset, Accept-Encoding, Accept-Language), lower-cased.
// Other fields keep their case: an origin may treat "A" and "a" as different.
std::string normalized_value(std::string_view name, std::span<const std::string_view> lines);

// The variant a request selects among responses that vary on `names` (range::variant_id of
// the normalised fields; an absent field differs from an empty one). nullopt when it would
// be longer than a record holds: such a request is not served from the cache.
std::optional<std::string> select_variant(std::span<const std::string> names,
                                          const field_lines& lines);

// Where an answer is kept for a request with these fields (`lines`): the key without a
// variant, or its variant's key when the answer varies (`vary`: the answer's Vary values,
// `keyed`: the rule's key headers). nullopt when it cannot be kept for everyone who selects
// it: Vary: *, or a variant too long to store.
struct answer_key {
  std::string key;
  std::string variant;  // empty: the answer does not vary
};
std::optional<answer_key> key_for_answer(std::string_view base_key,
                                         std::span<const std::string_view> vary,
                                         std::span<const std::string> keyed,
                                         const field_lines& lines);

// field_lines over a list of (name, value) pairs, names compared without regard to case.
field_lines lines_of_pairs(const std::vector<std::pair<std::string, std::string>>& fields);

// The vary index's own Vary value: the names joined with ", ".
std::string join_names(std::span<const std::string> names);

}  // namespace rangecache::plan
