#include "rangecache/proxy/framing.hpp"

#include <cstring>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include <boost/beast/core/string.hpp>

namespace rangecache::proxy {
namespace {

using boost::beast::iequals;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Content-Length may be a list of identical values (RFC 9110 §8.6); anything else is fatal.
bool merge_content_length(std::string_view value, std::optional<std::string>& seen) {
  while (true) {
    auto comma = value.find(',');
    auto item = trim(value.substr(0, comma));
    if (item.empty() || item.size() > 19 ||
        !std::all_of(item.begin(), item.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; }))
      return false;
    auto normalized = std::string(item);
    normalized.erase(0, std::min(normalized.find_first_not_of('0'), normalized.size() - 1));
    if (seen && *seen != normalized) return false;
    seen = normalized;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

// The first CR without an LF after it, or LF without a CR before it, in the order they come.
// memchr from one CR to the next: a request head has few line breaks and many other bytes.
framing_verdict line_break_verdict(std::string_view block) {
  const char* p = block.data();
  const char* const end = p + block.size();
  while (p < end) {
    const auto* cr =
        static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p)));
    const char* upto = cr ? cr : end;
    if (std::memchr(p, '\n', static_cast<std::size_t>(upto - p))) return framing_verdict::bare_lf;
    if (!cr) return framing_verdict::ok;
    if (cr + 1 == end || cr[1] != '\n') return framing_verdict::bare_cr;
    p = cr + 2;
  }
  return framing_verdict::ok;
}

}  // namespace

framing_verdict check_request_framing(std::string_view block) {
  if (const auto v = line_break_verdict(block); v != framing_verdict::ok) return v;
  // From here every CR starts a CRLF (line_break_verdict said so): a line ends at its CR.
  auto first_eol = block.find('\r');
  if (first_eol == std::string_view::npos) return framing_verdict::ok;
  auto request_line = block.substr(0, first_eol);
  bool http10 = request_line.ends_with("HTTP/1.0");

  std::optional<std::string> content_length;
  int te_fields = 0;
  std::string te_joined;
  std::size_t pos = first_eol + 2;
  while (pos < block.size()) {
    auto eol = block.find('\r', pos);
    if (eol == std::string_view::npos) eol = block.size();
    auto line = block.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') return framing_verdict::obsolete_line_folding;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // Beast rejects it as a bad field
    auto name = line.substr(0, colon);
    if (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
      return framing_verdict::space_before_colon;
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      if (!merge_content_length(value, content_length)) return framing_verdict::bad_content_length;
    } else if (iequals(name, "transfer-encoding")) {
      ++te_fields;
      if (!te_joined.empty()) te_joined += ',';
      te_joined.append(value);
    }
  }
  if (te_fields == 0) return framing_verdict::ok;
  if (http10) return framing_verdict::te_in_http10;
  if (content_length) return framing_verdict::content_length_with_te;
  // The last coding must be chunked, and chunked must appear exactly once.
  int chunked_count = 0;
  int other_count = 0;
  std::string_view last;
  std::string_view rest = te_joined;
  while (true) {
    auto comma = rest.find(',');
    auto item = trim(rest.substr(0, comma));
    auto semi = item.find(';');
    item = trim(item.substr(0, semi));
    if (!item.empty()) {
      last = item;
      if (iequals(item, "chunked"))
        ++chunked_count;
      else
        ++other_count;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (chunked_count != 1 || !iequals(last, "chunked")) return framing_verdict::te_not_chunked_last;
  // Passing "gzip, chunked" on as plain chunked would hand the origin a body it must decode
  // and is not told to; we do not decode it either.
  if (other_count != 0) return framing_verdict::te_not_implemented;
  return framing_verdict::ok;
}

const char* to_string(framing_verdict v) {
  switch (v) {
    case framing_verdict::ok:
      return "ok";
    case framing_verdict::bare_cr:
      return "bare CR";
    case framing_verdict::bare_lf:
      return "bare LF";
    case framing_verdict::obsolete_line_folding:
      return "obsolete line folding";
    case framing_verdict::space_before_colon:
      return "whitespace before colon";
    case framing_verdict::bad_content_length:
      return "invalid or conflicting Content-Length";
    case framing_verdict::content_length_with_te:
      return "Content-Length with Transfer-Encoding";
    case framing_verdict::te_not_chunked_last:
      return "Transfer-Encoding not ending in chunked";
    case framing_verdict::te_in_http10:
      return "Transfer-Encoding in HTTP/1.0";
    case framing_verdict::te_not_implemented:
      return "transfer coding other than chunked not implemented";
  }
  return "?";
}

unsigned status_of(framing_verdict v) {
  return v == framing_verdict::te_not_implemented ? 501 : 400;
}

}  // namespace rangecache::proxy
