// libFuzzer target for the request-head pre-scan that stands between a client's raw bytes
// and Beast's parser: it must never crash, and a head it passes must not carry the framing
// tricks it exists to stop (checked here with a separate, simpler scan).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hpp"
#include "rangecache/proxy/framing.hpp"

namespace {

using rangecache::proxy::check_request_framing;
using rangecache::proxy::framing_verdict;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

bool has_bare_cr_or_lf(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) return true;
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return true;
  }
  return false;
}

// What a passed head may not contain, read line by line up to the empty line.
void check_passed_head(std::string_view block) {
  FUZZ_CHECK(!has_bare_cr_or_lf(block));
  auto eol = block.find("\r\n");
  if (eol == std::string_view::npos) return;
  const bool http10 = block.substr(0, eol).ends_with("HTTP/1.0");
  bool content_length = false, transfer_encoding = false;
  for (auto pos = eol + 2; pos < block.size();) {
    eol = block.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = block.size();
    const auto line = block.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty()) break;
    FUZZ_CHECK(line[0] != ' ' && line[0] != '\t');  // folded lines are refused
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto name = line.substr(0, colon);
    FUZZ_CHECK(name.empty() || (name.back() != ' ' && name.back() != '\t'));
    content_length |= lower(name) == "content-length";
    transfer_encoding |= lower(name) == "transfer-encoding";
  }
  FUZZ_CHECK(!(content_length && transfer_encoding));  // the classic CL.TE smuggle
  FUZZ_CHECK(!(http10 && transfer_encoding));
}

// Field names and the codings that matter are case-insensitive: flipping the case of every
// letter after the request line must not change the verdict.
std::string flip_case_after_request_line(std::string_view block) {
  std::string out(block);
  const auto eol = out.find("\r\n");
  if (eol == std::string::npos) return out;
  for (auto i = eol; i < out.size(); ++i) {
    char& c = out[i];
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 32);
    else if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c + 32);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view block(reinterpret_cast<const char*>(data), size);
  const framing_verdict verdict = check_request_framing(block);
  FUZZ_CHECK(std::string_view(to_string(verdict)) != "?");
  if (verdict == framing_verdict::ok) check_passed_head(block);
  FUZZ_CHECK(check_request_framing(flip_case_after_request_line(block)) == verdict);
  return 0;
}
