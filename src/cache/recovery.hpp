// Start-up: finish what a crash or a kill left behind, and read back what the writer keeps
// in memory (object table, eviction order, charged bytes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core.hpp"
#include "env.hpp"

namespace rangecache::cache::detail {

struct recovered_object {
  key_hash hash;
  key_hash url_hash;
  std::uint64_t id = 0;
  std::uint64_t length = 0;
  std::uint64_t charge = 0;
  std::int64_t last_access = 0;
};

struct recovered {
  std::vector<recovered_object> objects;  // oldest access first
  std::uint64_t next_id = 1;
};

// Sweeps `gc` (unfinished fills, dead objects), drops undecodable records, deletes chunks no
// record names, and lists the objects. Returns a reason if the environment is unusable (the
// caller moves it aside), empty on success.
std::string recover(environment& env, const core& c, recovered& out, open_report& report);

}  // namespace rangecache::cache::detail
