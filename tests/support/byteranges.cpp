#include "byteranges.hpp"

#include <charconv>

namespace rc_test {
namespace {

bool parse_number(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return false;
}

}  // namespace

std::optional<content_range> parse_content_range(std::string_view value) {
  value = trim(value);
  if (value.size() < 6 || !iequals(value.substr(0, 6), "bytes ")) return std::nullopt;
  value.remove_prefix(6);
  const auto slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto span = value.substr(0, slash);
  const auto length = value.substr(slash + 1);
  content_range out;
  if (length != "*") {
    std::uint64_t n = 0;
    if (!parse_number(length, n)) return std::nullopt;
    out.complete_length = n;
  }
  if (span == "*") {
    if (!out.complete_length) return std::nullopt;
    out.unsatisfied = true;
    return out;
  }
  const auto dash = span.find('-');
  if (dash == std::string_view::npos || !parse_number(span.substr(0, dash), out.first) ||
      !parse_number(span.substr(dash + 1), out.last) || out.last < out.first ||
      (out.complete_length && out.last >= *out.complete_length)) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  if (semicolon == std::string_view::npos ||
      !iequals(trim(content_type.substr(0, semicolon)), "multipart/byteranges")) {
    return std::nullopt;
  }
  auto params = content_type.substr(semicolon + 1);
  while (!params.empty()) {
    const auto next = params.find(';');
    const auto param = trim(params.substr(0, next));
    params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
    const auto eq = param.find('=');
    if (eq == std::string_view::npos || !iequals(trim(param.substr(0, eq)), "boundary")) continue;
    auto value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!value.empty()) return std::string(value);
  }
  return std::nullopt;
}

std::optional<std::vector<byterange_part>> parse_byteranges(std::string_view body,
                                                            std::string_view boundary,
                                                            std::string* error) {
  const std::string delimiter = "--" + std::string(boundary);
  const std::string inner = "\r\n" + delimiter;
  // The first delimiter may open the body or follow a preamble line.
  std::size_t at = body.starts_with(delimiter) ? 0 : body.find(inner);
  if (at == std::string_view::npos) {
    fail(error, "no opening boundary");
    return std::nullopt;
  }
  at += body.starts_with(delimiter) ? delimiter.size() : inner.size();

  std::vector<byterange_part> parts;
  while (true) {
    if (body.substr(at, 2) == "--") return parts;  // close delimiter
    if (body.substr(at, 2) != "\r\n") {
      fail(error, "boundary not followed by CRLF at offset " + std::to_string(at));
      return std::nullopt;
    }
    at += 2;
    const auto head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) {
      fail(error, "unterminated part header");
      return std::nullopt;
    }
    byterange_part part;
    auto fields = body.substr(at, head_end - at);
    while (!fields.empty()) {
      const auto line_end = fields.find("\r\n");
      const auto line = fields.substr(0, line_end);
      fields =
          line_end == std::string_view::npos ? std::string_view{} : fields.substr(line_end + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) {
        fail(error, "malformed part header line: " + std::string(line));
        return std::nullopt;
      }
      part.headers.emplace_back(std::string(line.substr(0, colon)),
                                std::string(trim(line.substr(colon + 1))));
    }
    std::optional<content_range> range;
    for (const auto& [name, value] : part.headers) {
      if (iequals(name, "Content-Range")) range = parse_content_range(value);
    }
    if (!range || range->unsatisfied) {
      fail(error, "part " + std::to_string(parts.size()) + " lacks a valid Content-Range");
      return std::nullopt;
    }
    part.range = *range;
    const auto data_start = head_end + 4;
    const auto data_end = body.find(inner, data_start);
    if (data_end == std::string_view::npos) {
      fail(error, "part " + std::to_string(parts.size()) + " has no closing boundary");
      return std::nullopt;
    }
    part.data = std::string(body.substr(data_start, data_end - data_start));
    if (part.data.size() != range->last - range->first + 1) {
      fail(error, "part " + std::to_string(parts.size()) + " has " +
                      std::to_string(part.data.size()) + " bytes for Content-Range " +
                      std::to_string(range->first) + "-" + std::to_string(range->last));
      return std::nullopt;
    }
    parts.push_back(std::move(part));
    at = data_end + inner.size();
  }
}

}  // namespace rc_test
