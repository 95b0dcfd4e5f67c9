// The `ctl` part of the command line. A new command is one more subcommand here and one
// function in commands.cpp.
#include <CLI/CLI.hpp>

#include "rangecache/ctl/ctl.hpp"

namespace rangecache::ctl {
namespace {

CLI::App* add(CLI::App& ctl, const char* name, const char* help, command run, command& chosen) {
  auto* sub = ctl.add_subcommand(name, help);
  // -c/--config of the main command line may come after the command as well.
  sub->fallthrough();
  sub->callback([run, &chosen] { chosen = run; });
  return sub;
}

}  // namespace

void add_commands(CLI::App& ctl, options& o, command& chosen) {
  ctl.add_option("--admin", o.admin,
                 "the admin listener, ADDR:PORT (default: admin.listen of the config file)");
  ctl.add_option("--timeout", o.timeout_s, "seconds to wait for an answer")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  ctl.require_subcommand(1);
  ctl.fallthrough();

  auto* p = add(ctl, "purge", "remove a URL's cached objects (every one, or one range object)",
                purge, chosen);
  p->add_option("URL", o.url, "the URL as clients ask for it: http://host[:port]/path")->required();
  p->add_option("--range", o.range, "only the object of this range: 0-99, -500 or bytes=0-99");

  auto* s =
      add(ctl, "stats", "print the daemon's counters and gauges (its /metrics)", stats, chosen);
  s->add_option("NAME", o.names, "only the metrics whose name contains one of these");

  auto* w =
      add(ctl, "owner", "which node of the URL's tier owns it, and where a miss for it goes now",
          owner, chosen);
  w->add_option("URL", o.url, "the URL as clients ask for it: http://host[:port]/path")->required();

  add(ctl, "reload", "reload the config file as SIGHUP does, and say how it went", reload, chosen);
}

}  // namespace rangecache::ctl
