// rangecache: the daemon (parse flags, load the config, serve until SIGTERM), or `ctl`, a
// command for a running daemon.
#include <CLI/CLI.hpp>
#include <string>

#include "rangecache/ctl/ctl.hpp"
#include "run_daemon.hpp"

int main(int argc, char** argv) {
  CLI::App app{"rangecache: a caching reverse proxy for byte-range requests"};
  rangecache::daemon_options d;
  app.add_option("-c,--config", d.config_path, "YAML configuration file")->capture_default_str();
  app.add_flag("--check", d.check_only, "validate the configuration and exit");
  app.add_option("-l,--log-level", d.log_level, "override log.level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--port-file", d.port_file,
                 "write the bound listen/admin ports to this file once listening");
  app.set_version_flag("--version", std::string("rangecache ") + RANGECACHE_VERSION);

  rangecache::ctl::options c;
  rangecache::ctl::command chosen = nullptr;
  auto* ctl = app.add_subcommand(
      "ctl", "control a running daemon through its admin listener: purge, stats, reload");
  rangecache::ctl::add_commands(*ctl, c, chosen);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here too (status 0); every usage error is status 2, as a
    // bad config file is.
    return app.exit(e) == 0 ? 0 : rangecache::ctl::usage;
  }

  if (*ctl && chosen) {
    // The config file is only where to find admin.listen: given or not makes a difference.
    if (app.count("--config")) c.config_path = d.config_path;
    return chosen(c);
  }
  return rangecache::run_daemon(d);
}
