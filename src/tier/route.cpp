#include "rangecache/tier/route.hpp"

namespace rangecache::tier {

ring ring_of(const config::parents_settings& p) {
  std::vector<std::string> names;
  names.reserve(p.nodes.size());
  for (const auto& n : p.nodes) names.push_back(n.text);
  return ring(names);
}

std::string url_key(std::string_view host_header, std::string_view path_and_query) {
  std::string out = "http://";
  out.append(host_header).append(path_and_query);
  return out;
}

route plan_route(const config::parents_settings& p, const ring& r, std::string_view key,
                 bool from_tier, const std::function<bool(std::size_t)>& is_down) {
  route out;
  if (from_tier || r.size() == 0) return out;  // then_direct: a tier request ends here
  for (const auto i : r.order(key)) {
    if (p.self && i == *p.self) return out;  // our own entry: this node fetches, never a 502
    if (!is_down(i)) out.parents.push_back(i);
  }
  out.then_direct = p.go_direct;
  return out;
}

bool fetches_itself(const config::parents_settings& p, const ring& r, std::string_view key,
                    const std::function<bool(std::size_t)>& is_down) {
  const auto plan = plan_route(p, r, key, false, is_down);
  return plan.parents.empty() && plan.then_direct;
}

std::string_view via_name(const config::parents_settings& p, const config::config& cfg) {
  if (p.self) return p.nodes[*p.self].text;
  return cfg.node_name;
}

}  // namespace rangecache::tier
