// The commands: each one request to the admin listener, its answer turned into output and
// an exit status.
#include <cctype>
#include <cstdio>
#include <optional>

#include "admin_client.hpp"
#include "rangecache/util/url_query.hpp"

namespace rangecache::ctl {
namespace {

// The admin listener's text answers are "<status> <text>\n": the text alone.
std::string text_of(std::string_view body) {
  if (body.size() > 4 && body[3] == ' ' && std::isdigit(static_cast<unsigned char>(body[0])))
    body.remove_prefix(4);
  while (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  return std::string(body);
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "rangecache ctl: %s\n", message.c_str());
}

// The answer to `ask`, or the exit status after saying why there is none.
std::optional<admin_answer> send(const options& o, const admin_ask& ask, int& status) {
  admin_endpoint ep;
  try {
    ep = find_admin(o);
  } catch (const ctl_failure& f) {
    print_error(f.message);
    status = f.status;
    return std::nullopt;
  }
  const auto timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));
  auto answer = ask_admin(ep, ask, timeout);
  if (!answer.reached) {
    print_error("cannot reach the admin listener at " + ep.text + " (" + ep.source +
                "): " + answer.error + "; is rangecache running?");
    status = unreachable;
    return std::nullopt;
  }
  if (answer.status == 403) {
    print_error("refused by the admin listener at " + ep.text + ": " + text_of(answer.body));
    status = refused;
    return std::nullopt;
  }
  return answer;
}

// The text of an answer on stdout when it is a result (done, nothing), on stderr otherwise.
int report(const admin_answer& a, const char* what) {
  const auto status = status_for(a.status);
  if (status == done || status == nothing)
    std::printf("%s\n", text_of(a.body).c_str());
  else
    print_error(std::string(what) + ": " + std::to_string(a.status) + " " + text_of(a.body));
  return status;
}

}  // namespace

exit_status status_for(unsigned http_status) {
  if (http_status >= 200 && http_status < 300) return done;
  if (http_status == 403) return refused;
  if (http_status == 404) return nothing;
  if (http_status == 400) return usage;
  return failed;
}

std::string range_header(std::string_view range) {
  if (range.starts_with("bytes=")) return std::string(range);
  return "bytes=" + std::string(range);
}

int purge(const options& o) {
  admin_ask ask{true, "/purge?url=" + util::percent_encode(o.url), {}};
  if (!o.range.empty()) ask.fields.emplace_back("Range", range_header(o.range));
  int status = done;
  const auto answer = send(o, ask, status);
  return answer ? report(*answer, "purge") : status;
}

// The admin listener's JSON about the URL's place in its rule's tier, as it is.
int owner(const options& o) {
  int status = done;
  const auto answer =
      send(o, admin_ask{false, "/owner?url=" + util::percent_encode(o.url), {}}, status);
  if (!answer) return status;
  const auto result = status_for(answer->status);
  if (result == done) {
    std::fputs(answer->body.c_str(), stdout);
    return done;
  }
  print_error("owner: " + std::to_string(answer->status) + " " + text_of(answer->body));
  return result;
}

int reload(const options& o) {
  int status = done;
  const auto answer = send(o, admin_ask{true, "/reload", {}}, status);
  return answer ? report(*answer, "reload failed") : status;
}

int stats(const options& o) {
  int status = done;
  const auto answer = send(o, admin_ask{false, "/metrics", {}}, status);
  if (!answer) return status;
  if (answer->status != 200) return report(*answer, "stats");
  std::size_t matched = 0;
  const auto table = stats_table(answer->body, o.names, matched);
  std::fputs(table.c_str(), stdout);
  if (matched == 0 && !o.names.empty()) {
    print_error("no metric name contains what was asked");
    return nothing;
  }
  return done;
}

}  // namespace rangecache::ctl
