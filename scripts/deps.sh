#!/bin/sh
# Install what a fresh Debian 12 machine lacks to build glasshouse, run the
# demo and the whole suite (make test, make check-fresh).
# Idempotent: does nothing when everything is present; runs apt-get update
# only when a package is missing.
# One package a line. tests/deps.bats checks that every command the suites,
# the Makefile and the scripts run comes from one of these packages (or
# their dependencies) or from a minimal Debian 12 (scripts/minbase-bookworm.txt).
set -eu
pkgs='
bats
bpftool
chromium
clang
curl
debootstrap
gcc
git
groff-base
iproute2
jq
libbpf-dev
libclang-rt-14-dev
libelf-dev
libjson-c-dev
libpq-dev
libsqlite3-dev
libssl-dev
liburing-dev
llvm
make
openssl
postgresql
procps
python3
python3-cryptography
python3-securesystemslib
sqlite3
strace
valgrind
zlib1g-dev
'
need=""
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in $pkgs; do
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
