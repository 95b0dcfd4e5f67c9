#!/usr/bin/env bash
# Installs every Debian 12 package rangecache needs to build, test and run. Idempotent:
# packages already present are not fetched again.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git ca-certificates
  libboost1.81-dev liblmdb-dev lmdb-utils libspdlog-dev libcli11-dev libyaml-cpp-dev
  libsystemd-dev libxxhash-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format
  python3 nginx-light haproxy curl wrk systemd procps
  # the Debian package and its test (dpkg-shlibdeps), the man page's, logrotate's file
  dpkg-dev groff-base man-db logrotate adduser
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
