#!/usr/bin/env bash
# Builds the Debian package from a build directory and checks it without installing it:
# its files, control fields, conffiles and maintainer scripts (syntax, and what they do with
# stand-ins for adduser, systemctl and deb-systemd-helper), the unit, the logrotate file and
# the man page, and that the packaged binary runs.
#   check_deb.sh BUILD_DIR VERSION
set -euo pipefail
build=$(cd "$1" && pwd)
version=$2
work=$(mktemp -d /tmp/rc-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
expect_in() {  # expect_in TEXT FRAGMENT WHAT
  grep -qF -- "$2" <<<"$1" || fail "$3: no '$2' in:"$'\n'"$1"
}

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; exit 1; }
deb="$work/rangecache_${version}_amd64.deb"
[[ -f $deb ]] || { ls "$work"; echo "no $deb"; exit 1; }

# The files, their owner and modes.
listing=$(dpkg-deb -c "$deb")
files=$(awk '$1 !~ /^d/ {print $6}' <<<"$listing" | sort)
expected=$(printf '%s\n' ./etc/logrotate.d/rangecache ./etc/rangecache/rangecache.yaml \
  ./lib/systemd/system/rangecache.service ./usr/bin/rangecache \
  ./usr/share/doc/rangecache/README.md ./usr/share/man/man8/rangecache.8.gz | sort)
[[ $files == "$expected" ]] || fail "files: got"$'\n'"$files"$'\n'"expected"$'\n'"$expected"
awk '{print $2}' <<<"$listing" | grep -qv '^root/root$' && fail "a file not owned by root"
grep -qE '^-rwxr-xr-x .* \./usr/bin/rangecache$' <<<"$listing" || fail "binary mode"

# Control fields.
[[ $(dpkg-deb -f "$deb" Package) == rangecache ]] || fail "Package"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "Version"
[[ $(dpkg-deb -f "$deb" Architecture) == amd64 ]] || fail "Architecture"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in adduser init-system-helpers libc6 libstdc++6 liblmdb0 libyaml-cpp libspdlog \
  libfmt libsystemd0 libxxhash0; do
  expect_in "$depends" "$lib" "Depends"
done
dpkg-deb -I "$deb" >/dev/null || fail "dpkg-deb -I"

# Control archive: conffiles and the maintainer scripts.
mkdir "$work/ctrl"
dpkg-deb --ctrl-tarfile "$deb" | tar -xf - -C "$work/ctrl"
[[ $(cat "$work/ctrl/conffiles") == $'/etc/rangecache/rangecache.yaml\n/etc/logrotate.d/rangecache' ]] ||
  fail "conffiles: $(cat "$work/ctrl/conffiles")"
for script in postinst prerm postrm; do
  f="$work/ctrl/$script"
  [[ -f $f ]] || { fail "no $script"; continue; }
  [[ $(stat -c %a "$f") == 755 ]] || fail "$script mode $(stat -c %a "$f")"
  sh -n "$f" || fail "$script: sh -n"
  [[ $(head -1 "$f") == "#!/bin/sh" ]] || fail "$script: not a /bin/sh script"
  grep -q '^set -e' "$f" || fail "$script: no set -e"
done
expect_in "$(cat "$work/ctrl/postrm")" 'rm -rf /var/cache/rangecache /var/log/rangecache' "postrm"
expect_in "$(cat "$work/ctrl/postrm")" 'deluser --system' "postrm"

# The scripts run against stand-ins that record their calls: nothing on this machine changes.
stubs="$work/stubs"
mkdir "$stubs"
for tool in adduser deluser delgroup systemctl deb-systemd-helper deb-systemd-invoke; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$tool" "$work" >"$stubs/$tool"
  chmod +x "$stubs/$tool"
done
# A copy of each script looks for a directory of the test's own instead of
# /run/systemd/system, so both cases run here: with systemd and without (a container).
systemd_dir="$work/run-systemd"
run_script() {  # run_script SYSTEMD(yes|no) USER_EXISTS(yes|no) SCRIPT ARGS...
  local systemd=$1 exists=$2 script=$3
  shift 3
  printf '#!/bin/sh\nexit %s\n' "$([[ $exists == yes ]] && echo 0 || echo 2)" >"$stubs/getent"
  chmod +x "$stubs/getent"
  rm -rf "$systemd_dir"
  [[ $systemd == yes ]] && mkdir "$systemd_dir"
  sed "s|/run/systemd/system|$systemd_dir|g" "$work/ctrl/$script" >"$work/$script.copy"
  : >"$work/calls"
  PATH="$stubs:$PATH" sh "$work/$script.copy" "$@" || fail "$script $*: exit $?"
  cat "$work/calls"
}
calls=$(run_script yes no postinst configure)
expect_in "$calls" "adduser --system --group" "postinst on a new install"
expect_in "$calls" "deb-systemd-helper unmask rangecache.service" "postinst"
expect_in "$calls" "systemctl --system daemon-reload" "postinst"
expect_in "$calls" "deb-systemd-invoke start rangecache.service" "postinst on a new install"
calls=$(run_script yes yes postinst configure 0.0.9)
grep -q '^adduser' <<<"$calls" && fail "postinst on upgrade added the user again: $calls"
expect_in "$calls" "deb-systemd-invoke restart rangecache.service" "postinst on upgrade"
calls=$(run_script no no postinst configure)
expect_in "$calls" "adduser --system --group" "postinst without systemd"
grep -qE '^(systemctl|deb-systemd-invoke)' <<<"$calls" &&
  fail "postinst without systemd tried to run the service: $calls"
calls=$(run_script yes yes prerm remove)
expect_in "$calls" "deb-systemd-invoke stop rangecache.service" "prerm remove"
calls=$(run_script yes yes prerm upgrade 0.1.1)
grep -q 'stop' <<<"$calls" && fail "prerm stopped the service for an upgrade: $calls"
calls=$(run_script no yes prerm remove)
[[ -z $calls ]] || fail "prerm without systemd: $calls"
calls=$(run_script yes yes postrm remove)
expect_in "$calls" "deb-systemd-helper mask rangecache.service" "postrm remove"
expect_in "$calls" "systemctl --system daemon-reload" "postrm remove"
grep -q '^deluser' <<<"$calls" && fail "postrm remove deleted the user: $calls"

# The files themselves.
dpkg-deb -x "$deb" "$work/root"
root="$work/root"
unit="$root/lib/systemd/system/rangecache.service"
grep -q /usr/local "$unit" && fail "the packaged unit names /usr/local"
grep -q '^DynamicUser' "$unit" && fail "the packaged unit still has DynamicUser"
expect_in "$(cat "$unit")" "User=rangecache" "unit"
expect_in "$(cat "$unit")" "ExecStart=/usr/bin/rangecache -c /etc/rangecache/rangecache.yaml" "unit"
if command -v systemd-analyze >/dev/null; then
  sed "s|/usr/bin/rangecache|$root/usr/bin/rangecache|g" "$unit" >"$work/rangecache.service"
  out=$(systemd-analyze verify "$work/rangecache.service" 2>&1) || fail "systemd-analyze: $out"
  grep -q 'rangecache.service:' <<<"$out" && fail "systemd-analyze: $out"
fi
[[ $("$root/usr/bin/rangecache" --version) == "rangecache $version" ]] || fail "--version"
"$root/usr/bin/rangecache" --check -c "$root/etc/rangecache/rangecache.yaml" >/dev/null ||
  fail "the packaged config does not pass --check"
warnings=$(zcat "$root/usr/share/man/man8/rangecache.8.gz" | groff -man -Tutf8 -ww -z 2>&1)
[[ -z $warnings ]] || fail "man page: $warnings"
rotate="$root/etc/logrotate.d/rangecache"
sed -n '/postrotate/,/endscript/p' "$rotate" | sed '1d;$d' | sh -n || fail "postrotate: sh -n"
expect_in "$(cat "$rotate")" "--signal=HUP rangecache.service" "logrotate"
if command -v logrotate >/dev/null; then
  logrotate -d -s "$work/logrotate.state" "$rotate" >"$work/logrotate.out" 2>&1 ||
    fail "logrotate -d: $(cat "$work/logrotate.out")"
  grep -qi 'error' "$work/logrotate.out" && fail "logrotate -d: $(cat "$work/logrotate.out")"
fi

echo "$(basename "$deb"): $(wc -l <<<"$files") files, $failures failures"
[[ $failures -eq 0 ]]
