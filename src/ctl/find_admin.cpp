// Where `rangecache ctl` sends its requests.
#include <filesystem>

#include "admin_client.hpp"
#include "rangecache/config/config.hpp"

namespace rangecache::ctl {
namespace {

// The installed daemon's file when there is one, else the one the daemon itself defaults
// to in a source tree: `rangecache ctl stats` then works as typed in either place.
std::string config_to_read(const options& o) {
  if (!o.config_path.empty()) return o.config_path;
  const std::string installed = "/etc/rangecache/rangecache.yaml";
  std::error_code ec;
  if (std::filesystem::exists(installed, ec)) return installed;
  return "config/rangecache.yaml";
}

// A listener on every interface is reached on this machine's loopback.
admin_endpoint reachable(const config::listen_endpoint& ep, std::string source) {
  admin_endpoint out{ep.address, ep.port, ep.text, std::move(source)};
  if (out.address == "0.0.0.0") out.address = "127.0.0.1";
  if (out.address == "::") out.address = "::1";
  const bool v6 = out.address.find(':') != std::string::npos;
  out.text = (v6 ? "[" + out.address + "]" : out.address) + ":" + std::to_string(out.port);
  return out;
}

}  // namespace

admin_endpoint find_admin(const options& o) {
  config::listen_endpoint ep;
  if (!o.admin.empty()) {
    if (auto why = config::parse_endpoint(o.admin, ep); !why.empty())
      throw ctl_failure{usage, "--admin: " + why + ", got '" + o.admin + "'"};
    if (ep.port == 0) throw ctl_failure{usage, "--admin: the port must be 1-65535"};
    return reachable(ep, "--admin");
  }
  const auto path = config_to_read(o);
  std::optional<config::listen_endpoint> listen;
  try {
    listen = config::admin_listen_of(path);
  } catch (const config::config_error& e) {
    throw ctl_failure{usage, e.what()};
  }
  if (!listen)
    throw ctl_failure{usage, path +
                                 " has no admin.listen: the daemon has no admin listener "
                                 "(give --admin ADDR:PORT if it listens elsewhere)"};
  if (listen->port == 0)
    throw ctl_failure{usage, "admin.listen of " + path +
                                 " has port 0 (any free port): give the port the daemon got "
                                 "with --admin ADDR:PORT"};
  return reachable(*listen, "admin.listen of " + path);
}

}  // namespace rangecache::ctl
