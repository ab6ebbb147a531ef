#!/bin/sh
# Install the Debian packages qerrors needs to build and test, when they
# are missing.  As root this runs apt-get; otherwise it prints the exact
# command and stops, so nothing is installed behind anyone's back.
#   scripts/deps.sh [build|test]
set -eu
want=${1:-test}
pkgs="gcc make pkg-config libc6-dev libyaml-dev libcurl4-openssl-dev libpcre2-dev
libsqlite3-dev libjansson-dev libhiredis-dev libsystemd-dev libvectorscan-dev ca-certificates"
if [ "$want" = test ]; then
	pkgs="$pkgs libcmocka-dev python3 redis-server man-db groff-base procps clang
clang-format clang-tidy bash-completion zsh fish systemd systemd-journal-remote logrotate gzip"
fi
missing=
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "qerrors: missing Debian packages:$missing" >&2
	echo "run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
