#!/usr/bin/env bash
# Unpacks a .deb into a temporary root (not installed) and runs the frozen program's self-test offscreen.
# Usage: installer/linux/smoke_test.sh PACKAGE.deb
set -euo pipefail

package=$(realpath "$1")
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$package" "$root"
[ "$(readlink "$root/usr/bin/counter-app")" = /opt/counter-app/counter-app ] || { echo "bad /usr/bin link" >&2; exit 1; }
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$root/usr/share/applications/counter-app.desktop"
fi

program="$root/opt/counter-app/counter-app"
"$program" --version
# a home of its own: the self-test writes nothing outside its temporary folder, and the check proves it
home=$(mktemp -d)
trap 'rm -rf "$root" "$home"' EXIT
HOME="$home" XDG_DATA_HOME="$home/data" XDG_STATE_HOME="$home/state" QT_QPA_PLATFORM=offscreen \
  "$program" --self-test
if [ -n "$(find "$home/data" -type f 2>/dev/null)" ]; then
  echo "the self-test wrote into the user's data folder" >&2
  exit 1
fi
echo "smoke test passed: $package"
