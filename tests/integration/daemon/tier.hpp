// A tier of real rangecache daemons on loopback in front of one origin. Each node starts on
// port 0 without parents; once every port is known, each node's config is rewritten with
// the tier's `parents` and reloaded by SIGHUP, and the reload is waited for on /owner.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon.hpp"

namespace rc_test {

// The Host every tier test sends: hash: url includes it, and a fixed one makes every node
// see the same URL whatever port the client talks to.
inline constexpr const char* tier_host = "tier.test";

class tier {
 public:
  // `n` nodes in front of the origin on `origin_port`; `rule_lines` are YAML lines added to
  // the single remap rule (indented 4 spaces), `parents_lines` to its parents map (indented 6).
  tier(std::uint16_t origin_port, std::string rule_lines, std::string parents_lines,
       std::size_t n = 3);

  std::size_t size() const { return nodes_.size(); }
  proxy_daemon& node(std::size_t i) { return *nodes_[i]; }
  // "127.0.0.1:PORT": the node's entry in `nodes`.
  std::string address(std::size_t i) const;
  std::size_t index_of(const std::string& address) const;

  // Node i's parents become the nodes in `members` (with itself as `self` when it is one of
  // them, else a hierarchy edge) and it reloads; returns once /owner shows the new list.
  void configure(std::size_t i, const std::vector<std::size_t>& members);
  // Every node, the whole tier, a peer tier.
  void configure_all();

  // /owner?url=http://tier.test<target> asked of node i.
  json_value owner(std::size_t i, const std::string& target);
  // The node that fetched `target` from the origin, by the access logs ("upstream" field
  // `origin`), or -1; waits a little for the line (the access log is flushed every second).
  int fetched_by(const std::string& target);
  // GET of http://tier.test<target> from node i, with `more` headers.
  response get_from(std::size_t i, const std::string& target, header_list more = {});
  // SIGKILL: the node is gone without a goodbye, its port refuses connections.
  void kill(std::size_t i);
  bool alive(std::size_t i) const { return nodes_[i] != nullptr; }

 private:
  std::string config_for(std::size_t i, const std::vector<std::size_t>& members) const;
  std::uint16_t origin_port_;
  std::string rule_lines_, parents_lines_;
  std::vector<std::unique_ptr<proxy_daemon>> nodes_;
  std::vector<std::string> addresses_;
  std::vector<daemon_options> options_;
};

// The lines of every node's access log whose URL ends with `target` and whose last field is
// `upstream` (origin, parent:ADDR).
int access_lines(proxy_daemon& d, const std::string& target, const std::string& upstream);

}  // namespace rc_test
