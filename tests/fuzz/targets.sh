# The fuzz targets and what each one links, sourced by build.sh. Each target is
# tests/fuzz/<name>_fuzz.cpp plus the project sources below (paths from the repository
# root), so a target compiles only the parsers it exercises, never the network code.
# shellcheck shell=bash

fuzz_targets=(range_parse content_range framing record config)

# Prints the sources of target $1, one a line; unknown targets print nothing.
fuzz_target_sources() {
  case "$1" in
    range_parse) echo src/range/*.cpp src/util/http_date.cpp ;;
    content_range) echo src/range/content_range.cpp ;;
    framing) echo src/proxy/framing.cpp ;;
    record) echo src/cache/record.cpp src/cache/field_rules.cpp ;;
    config) echo src/config/*.cpp src/util/*.cpp ;;
  esac
}

# Prints the extra link flags of target $1.
fuzz_target_libs() {
  case "$1" in
    config) echo -lyaml-cpp ;;
  esac
}
