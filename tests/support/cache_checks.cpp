#include "cache_checks.hpp"

#include <algorithm>
#include <atomic>
#include <sstream>

#include "assertions.hpp"
#include "byteranges.hpp"
#include "content.hpp"
#include "json.hpp"

namespace rc_test {
namespace {

using span_list = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

// Sorted, with overlapping and adjacent spans joined.
span_list merged(span_list spans) {
  std::sort(spans.begin(), spans.end());
  span_list out;
  for (const auto& s : spans) {
    if (!out.empty() && s.first <= out.back().second + 1)
      out.back().second = std::max(out.back().second, s.second);
    else
      out.push_back(s);
  }
  return out;
}

std::string describe(const span_list& spans) {
  std::ostringstream out;
  for (const auto& [a, b] : spans) out << " " << a << "-" << b;
  return out.str();
}

::testing::AssertionResult check_part(const content_range& cr, std::string_view data,
                                      std::string_view name, std::uint64_t size,
                                      std::string_view version) {
  if (cr.unsatisfied || cr.complete_length != size)
    return ::testing::AssertionFailure() << "part with Content-Range total "
                                         << cr.complete_length.value_or(0) << ", expected " << size;
  if (cr.last >= size) return ::testing::AssertionFailure() << "part past the end: " << cr.last;
  auto same = is_content(data, name, cr.first, cr.last - cr.first + 1, version);
  if (!same) return same << " (part " << cr.first << "-" << cr.last << ")";
  return ::testing::AssertionSuccess();
}

}  // namespace

std::string http_date(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

std::string x_cache(const response& r) {
  return r.header("X-Cache").value_or("<none>");
}

::testing::AssertionResult from_complete_object(const response& r) {
  const auto x = x_cache(r);
  if (x == "HIT_FULL" || x == "COLLAPSED") return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "X-Cache " << x << ", expected HIT_FULL or COLLAPSED";
}

std::string unique_gen(std::uint64_t size, std::string_view suffix) {
  static std::atomic<unsigned> counter{0};
  std::string name = "t";
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info())
    name = std::string(info->test_suite_name()) + "." + info->name();
  for (auto& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  return "/gen/" + std::to_string(size) + "/" + name + "-" + std::to_string(++counter) +
         std::string(suffix);
}

::testing::AssertionResult is_partial(const response& r, std::string_view name, std::uint64_t first,
                                      std::uint64_t last, std::uint64_t size,
                                      std::string_view version) {
  if (r.status != 206) return ::testing::AssertionFailure() << "expected 206, got " << r;
  if (!r.complete) return ::testing::AssertionFailure() << "incomplete: " << r;
  const std::string want =
      "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size);
  if (r.header("Content-Range") != want)
    return ::testing::AssertionFailure()
           << "Content-Range " << r.header("Content-Range").value_or("<none>") << ", expected "
           << want;
  if (r.header("Content-Length") != std::to_string(last - first + 1))
    return ::testing::AssertionFailure()
           << "Content-Length " << r.header("Content-Length").value_or("<none>") << ", expected "
           << (last - first + 1);
  return is_content(r.body, name, first, last - first + 1, version);
}

::testing::AssertionResult is_whole(const response& r, std::string_view name, std::uint64_t size,
                                    std::string_view version) {
  if (r.status != 200) return ::testing::AssertionFailure() << "expected 200, got " << r;
  if (!r.complete) return ::testing::AssertionFailure() << "incomplete: " << r;
  if (r.has_header("Content-Range"))
    return ::testing::AssertionFailure() << "a 200 with Content-Range: " << r;
  return is_content(r.body, name, 0, size, version);
}

::testing::AssertionResult is_unsatisfiable(const response& r, std::uint64_t size) {
  if (r.status != 416) return ::testing::AssertionFailure() << "expected 416, got " << r;
  if (!r.complete) return ::testing::AssertionFailure() << "incomplete 416: " << r;
  if (r.header("Content-Range") != "bytes */" + std::to_string(size))
    return ::testing::AssertionFailure()
           << "Content-Range " << r.header("Content-Range").value_or("<none>")
           << ", expected bytes */" << size;
  return ::testing::AssertionSuccess();
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> clamp(const asked_range& a,
                                                             std::uint64_t size) {
  if (a.suffix) {
    if (a.first == 0 || size == 0) return std::nullopt;
    return std::pair{size - std::min(size, a.first), size - 1};
  }
  if (a.first >= size) return std::nullopt;
  return std::pair{a.first, std::min(a.last, size - 1)};
}

::testing::AssertionResult is_multi(const response& r, std::string_view name, std::uint64_t size,
                                    const std::vector<asked_range>& asked,
                                    std::string_view version) {
  span_list want;
  for (const auto& a : asked)
    if (auto c = clamp(a, size)) want.push_back(*c);
  want = merged(want);
  if (want.empty()) return is_unsatisfiable(r, size);
  if (r.status != 206) return ::testing::AssertionFailure() << "expected 206, got " << r;
  if (!r.complete) return ::testing::AssertionFailure() << "incomplete: " << r;
  if (r.header("Content-Length") != std::to_string(r.body.size()))
    return ::testing::AssertionFailure() << "Content-Length disagrees with the body: " << r;

  span_list got;
  auto type = r.header("Content-Type").value_or("");
  if (auto boundary = multipart_boundary(type)) {
    if (r.has_header("Content-Range"))
      return ::testing::AssertionFailure() << "multipart answer with Content-Range: " << r;
    std::string error;
    auto parts = parse_byteranges(r.body, *boundary, &error);
    if (!parts) return ::testing::AssertionFailure() << "bad multipart body: " << error;
    if (parts->empty()) return ::testing::AssertionFailure() << "multipart without parts";
    for (const auto& p : *parts) {
      auto ok = check_part(p.range, p.data, name, size, version);
      if (!ok) return ok;
      got.emplace_back(p.range.first, p.range.last);
    }
  } else {
    auto cr = parse_content_range(r.header("Content-Range").value_or(""));
    if (!cr) return ::testing::AssertionFailure() << "neither multipart nor a Content-Range: " << r;
    auto ok = check_part(*cr, r.body, name, size, version);
    if (!ok) return ok;
    got.emplace_back(cr->first, cr->last);
  }
  if (merged(got) != want)
    return ::testing::AssertionFailure()
           << "parts cover" << describe(merged(got)) << ", expected" << describe(want);
  return ::testing::AssertionSuccess();
}

std::optional<std::string> echoed_header(const response& r, std::string_view name) {
  auto doc = json_value::parse(r.body);
  if (!doc) return std::nullopt;
  for (const auto& [k, v] : (*doc)["headers"].as_object())
    if (iequals(k, name)) return v.as_string();
  return std::nullopt;
}

}  // namespace rc_test
