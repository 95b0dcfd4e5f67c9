#include "tier.hpp"

#include <signal.h>

#include <sstream>
#include <stdexcept>

namespace rc_test {
namespace {

std::string node_list(const std::vector<std::string>& addresses,
                      const std::vector<std::size_t>& members) {
  std::string out = "[ ";
  for (std::size_t j = 0; j < members.size(); ++j)
    out += (j ? ", \"" : "\"") + addresses[members[j]] + "\"";
  return out + " ]";
}

// The fields of an access-log line.
std::vector<std::string> fields_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> f;
  for (std::string w; in >> w;) f.push_back(w);
  return f;
}

}  // namespace

tier::tier(std::uint16_t origin_port, std::string rule_lines, std::string parents_lines,
           std::size_t n)
    : origin_port_(origin_port),
      rule_lines_(std::move(rule_lines)),
      parents_lines_(std::move(parents_lines)) {
  for (std::size_t i = 0; i < n; ++i) {
    daemon_options o;
    o.origin_port = origin_port_;
    o.rule_extra = rule_lines_;
    o.workers = 1;
    o.max_size = "64MiB";
    o.cache_backend = "memory";
    // Distinct names, as distinct machines would have: Via tells the nodes apart.
    o.extra = "node_name: node-" + std::to_string(i) + "\n";
    options_.push_back(o);
    nodes_.push_back(std::make_unique<proxy_daemon>(o));
    addresses_.push_back("127.0.0.1:" + std::to_string(nodes_.back()->port()));
  }
}

std::string tier::address(std::size_t i) const {
  return addresses_[i];
}

std::size_t tier::index_of(const std::string& address) const {
  for (std::size_t i = 0; i < addresses_.size(); ++i)
    if (addresses_[i] == address) return i;
  return addresses_.size();
}

std::string tier::config_for(std::size_t i, const std::vector<std::size_t>& members) const {
  auto o = options_[i];
  const bool peer = std::find(members.begin(), members.end(), i) != members.end();
  o.rule_extra += "    parents:\n      nodes: " + node_list(addresses_, members) + "\n" +
                  (peer ? "      self: \"" + addresses_[i] + "\"\n" : "") + parents_lines_;
  return daemon_config(o, nodes_[i]->dir());
}

void tier::configure(std::size_t i, const std::vector<std::size_t>& members) {
  if (!write_file(nodes_[i]->config_path(), config_for(i, members)))
    throw std::runtime_error("cannot write the config of node " + std::to_string(i));
  nodes_[i]->proc().signal(SIGHUP);
  const bool applied =
      wait_until([&] { return owner(i, "/__probe")["order"].size() == members.size(); },
                 std::chrono::seconds(10));
  if (!applied)
    throw std::runtime_error("node " + std::to_string(i) +
                             " did not reload: " + nodes_[i]->proc().stderr_text());
}

void tier::configure_all() {
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < nodes_.size(); ++i) all.push_back(i);
  for (std::size_t i = 0; i < nodes_.size(); ++i) configure(i, all);
}

json_value tier::owner(std::size_t i, const std::string& target) {
  auto r = get(nodes_[i]->admin_port(), "/owner?url=http://" + std::string(tier_host) + target);
  return json_value::parse(r.body).value_or(json_value{});
}

response tier::get_from(std::size_t i, const std::string& target, header_list more) {
  more.emplace_back("Host", tier_host);
  return get(nodes_[i]->port(), target, more);
}

int tier::fetched_by(const std::string& target) {
  int found = -1;
  wait_until(
      [&] {
        for (std::size_t i = 0; i < nodes_.size(); ++i)
          if (nodes_[i] && access_lines(*nodes_[i], target, "origin") > 0)
            found = static_cast<int>(i);
        return found >= 0;
      },
      std::chrono::seconds(5));
  return found;
}

void tier::kill(std::size_t i) {
  nodes_[i]->proc().signal(SIGKILL);
  nodes_[i]->proc().wait_exit(std::chrono::seconds(10));
  nodes_[i].reset();
}

int access_lines(proxy_daemon& d, const std::string& target, const std::string& upstream) {
  std::istringstream in(d.access_log());
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    const auto f = fields_of(line);
    // time client method url status bytes duration cache upstream_status upstream
    if (f.size() >= 10 && f[3].ends_with(target) && f[9] == upstream) ++n;
  }
  return n;
}

}  // namespace rc_test
