// Simulates a tier's ring with the daemon's own hashing (rangecache::tier::ring): how evenly
// keys spread over the nodes, and what share of keys moves when one node leaves or joins.
//
//   ring_sim [NODES] [KEYS]      defaults: 100 nodes, 1,000,000 keys
//
// Pure computation, no network: the numbers in README "Scaling out" come from it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "rangecache/tier/ring.hpp"

namespace {

using rangecache::tier::ring;

std::vector<std::string> node_names(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + ":8080");
  return out;
}

std::string key(std::size_t i) {
  return "http://videos.example.com/v/" + std::to_string(i) + ".mp4";
}

// Owners by name, for comparing rings over different node lists.
std::vector<const std::string*> owners(const std::vector<std::string>& names, std::size_t keys) {
  const ring r(names);
  std::vector<const std::string*> out(keys);
  for (std::size_t i = 0; i < keys; ++i) out[i] = &names[r.owner(key(i))];
  return out;
}

void spread(const std::vector<std::string>& names, const std::vector<const std::string*>& own) {
  std::vector<double> load(names.size(), 0);
  for (const auto* o : own) ++load[static_cast<std::size_t>(o - names.data())];
  const double mean = static_cast<double>(own.size()) / static_cast<double>(names.size());
  double var = 0;
  for (double l : load) var += (l - mean) * (l - mean);
  const auto [lo, hi] = std::minmax_element(load.begin(), load.end());
  std::printf("spread:  mean %.0f keys/node, max/mean %.3f, min/mean %.3f, stddev/mean %.3f\n",
              mean, *hi / mean, *lo / mean,
              std::sqrt(var / static_cast<double>(load.size())) / mean);
}

// Share of keys whose owner differs between `a` and `b` (by name), and how many of those
// moved anywhere but where consistent hashing says they may (`allowed`).
void moved(const char* what, const std::vector<const std::string*>& a,
           const std::vector<const std::string*>& b, const std::string& allowed, double ideal) {
  std::size_t n = 0, stray = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (*a[i] == *b[i]) continue;
    ++n;
    if (*a[i] != allowed && *b[i] != allowed) ++stray;
  }
  std::printf("%s moved %.4f%% of keys (ideal %.4f%%), %zu moved between other nodes\n", what,
              100.0 * static_cast<double>(n) / static_cast<double>(a.size()), 100.0 * ideal, stray);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t nodes = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100;
  const std::size_t keys = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1'000'000;
  if (nodes < 2 || keys == 0) {
    std::fprintf(stderr, "usage: ring_sim [NODES>=2] [KEYS>0]\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto names = node_names(nodes);
  const auto base = owners(names, keys);
  std::printf("rendezvous ring (XXH3 + 64-bit mix): %zu nodes, %zu keys\n", nodes, keys);
  spread(names, base);

  auto fewer = names;
  const auto gone = fewer[nodes / 3];
  fewer.erase(fewer.begin() + static_cast<long>(nodes / 3));
  moved("leave:  ", base, owners(fewer, keys), gone, 1.0 / static_cast<double>(nodes));

  auto more = node_names(nodes + 1);
  moved("join:   ", base, owners(more, keys), more.back(), 1.0 / static_cast<double>(nodes + 1));

  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::printf("lookups: %.0f ns per key on %zu nodes (%lld ms in all)\n",
              1e6 * static_cast<double>(ms) / static_cast<double>(3 * keys), nodes,
              static_cast<long long>(ms));
  return 0;
}
