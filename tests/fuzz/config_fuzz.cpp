// libFuzzer target for the config loader. The file is read at start-up and on every
// SIGHUP, and a bad one must end as a config_error that names the file and a line in it,
// never as a crash or any other exception (which would take a running daemon down on
// reload). Anything else escaping load_string is reported by libFuzzer as a crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hpp"
#include "rangecache/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const std::string name = "fuzz.yaml";
  try {
    const auto cfg = rangecache::config::load_string(yaml, name);
    // What the rest of the daemon takes for granted of a loaded config.
    FUZZ_CHECK(cfg.source == name);
    FUZZ_CHECK(!cfg.listen.empty());
    FUZZ_CHECK(!cfg.remap.empty());
    FUZZ_CHECK(cfg.cache.max_size > 0);
    // Heuristic freshness is a share of an age, never more than the age, never negative.
    FUZZ_CHECK(cfg.cache.heuristic_fraction >= 0 && cfg.cache.heuristic_fraction <= 1);
    FUZZ_CHECK(cfg.cache.heuristic_max.count() >= 0);
    for (const auto& rule : cfg.remap) {
      FUZZ_CHECK(!rule.from_host.empty() && rule.from_path.starts_with('/'));
      FUZZ_CHECK(!rule.to_host.empty() && rule.to_path.starts_with('/'));
      for (const auto& r :
           rule.background_fetch_rules.value_or(std::vector<rangecache::config::bgf_rule>{}))
        FUZZ_CHECK(r.match.url_regex.has_value() == (r.match.url_regex_compiled != nullptr));
    }
  } catch (const rangecache::config::config_error& e) {
    // "fuzz.yaml:LINE:COL: ..." with a line inside the text (or none at all).
    FUZZ_CHECK(e.file() == name);
    FUZZ_CHECK(std::string_view(e.what()).starts_with(name + ":"));
    const auto lines = static_cast<int>(std::count(yaml.begin(), yaml.end(), '\n')) + 1;
    FUZZ_CHECK(e.line() >= 0 && e.line() <= lines);
    FUZZ_CHECK(e.column() >= 0);
  }
  return 0;
}
