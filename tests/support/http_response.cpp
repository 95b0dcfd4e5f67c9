#include <algorithm>
#include <cctype>
#include <ostream>

#include "http_client.hpp"

namespace rc_test {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::string> response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> response::header_values(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) values.push_back(value);
  }
  return values;
}

std::ostream& operator<<(std::ostream& out, const response& r) {
  out << "{status " << r.status;
  if (!r.reason.empty()) out << " " << r.reason;
  for (int interim : r.interim_statuses) out << ", after " << interim;
  out << ", body " << r.body_size << " bytes";
  if (!r.complete) out << ", INCOMPLETE";
  if (r.timed_out) out << ", timed out";
  if (!r.error.empty()) out << ", error: " << r.error;
  for (const auto& [name, value] : r.headers) out << "\n  " << name << ": " << value;
  // A short text body (error pages, JSON) says more than its size.
  const bool printable = std::all_of(r.body.begin(), r.body.end(), [](unsigned char c) {
    return std::isprint(c) || c == '\n' || c == '\r' || c == '\t';
  });
  if (!r.body.empty() && r.body.size() <= 512 && printable) out << "\n  body: " << r.body;
  return out << "}";
}

}  // namespace rc_test
