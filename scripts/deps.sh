#!/bin/sh
# Install what a fresh Debian 12 machine lacks to build and test glasshouse.
# Idempotent: does nothing when everything is present.
set -eu
need=""
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in libbpf-dev bpftool libelf-dev libjson-c-dev zlib1g-dev libssl-dev \
	 libsqlite3-dev sqlite3 clang llvm make bats jq strace python3 openssl \
	 liburing-dev; do
	have_pkg "$p" || need="$need $p"
done
[ -z "$need" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$need (run as root to install them)" >&2
	exit 2
fi
echo "deps.sh: installing$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >&2
