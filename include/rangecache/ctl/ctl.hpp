// `rangecache ctl`: commands for a running daemon, sent as HTTP requests to its admin
// listener (in the spirit of traffic_ctl and varnishadm).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace rangecache::ctl {

// Exit statuses, distinct so that a script can tell what happened.
enum exit_status : int {
  done = 0,
  nothing = 1,      // purge: nothing was cached for the URL; stats: no metric matched;
                    // owner: no remap rule takes the URL
  usage = 2,        // bad arguments, no admin address to use, or a request the daemon
                    // called malformed (a URL no remap rule matches, a bad range)
  unreachable = 3,  // no answer from the admin listener: not running, wrong address, timeout
  refused = 4,      // the admin listener refused (403): not allowed from this address
  failed = 5,       // the daemon answered with a failure (a reload that kept the old config)
};

struct options {
  std::string admin;               // --admin ADDR:PORT; empty: admin.listen of the config file
  std::string config_path;         // -c FILE, when given
  double timeout_s = 15;           // --timeout: for the whole exchange
  std::string url;                 // purge
  std::string range;               // purge --range
  std::vector<std::string> names;  // stats: metric name filters
};

using command = int (*)(const options&);

// Adds each command under `ctl`; once the command line is parsed, `chosen` is the one given.
void add_commands(CLI::App& ctl, options& o, command& chosen);

// The commands (stdout gets what they found, stderr why they failed).
int purge(const options& o);
int stats(const options& o);
int reload(const options& o);
int owner(const options& o);

// The exit status for an admin listener's answer to a command.
exit_status status_for(unsigned http_status);

// The sample lines of Prometheus text (no # comments) whose metric name contains one of
// `names` (every line when empty), the values aligned in a column; `matched` counts them.
std::string stats_table(std::string_view metrics, const std::vector<std::string>& names,
                        std::size_t& matched);

// "bytes=0-99" from "0-99", "-500" or "bytes=0-99" (what --range takes).
std::string range_header(std::string_view range);

}  // namespace rangecache::ctl
