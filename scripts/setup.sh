#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, test and demo oschange.
# Idempotent: every step checks first and skips what is already there.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${OSCHANGE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oschange}"
mysql_root="$cache/mysql-sid-root"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" = 0 ] || die "$1 needs root (apt-get, debootstrap, chroot). Run 'sudo make setup', or install it yourself: $2"
}

if [ ! -r /etc/debian_version ]; then
  say "not a Debian system: install MariaDB 10.11 and a MySQL 9.x server yourself,"
  say "or point the tests at servers with OSCHANGE_TEST_DSN / OSCHANGE_TEST_REPLICA_DSN."
fi

# 1. Node packages.
if [ ! -d "$here/node_modules" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  say "npm ci"
  (cd "$here" && npm ci --no-audit --no-fund)
else
  say "node_modules is up to date"
fi

apt_updated=0
apt_install() {
  need_root "installing $*" "apt-get install $*"
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 2. MariaDB 10.11 (Debian 12's own package). The packaged service is not used: the sandbox starts
#    its own processes.
if [ -r /etc/debian_version ]; then
  missing=()
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  command -v mariadb >/dev/null 2>&1 || missing+=(mariadb-client)
  command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
  command -v nc >/dev/null 2>&1 || missing+=(netcat-openbsd)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; else say "mariadb-server, debootstrap present"; fi
fi

# 3. MySQL 9.7 from Debian unstable, in a chroot (it needs a newer C library than Debian 12's).
if [ -x "$mysql_root/usr/sbin/mysqld" ]; then
  say "MySQL chroot present: $mysql_root ($("$mysql_root/usr/sbin/mysqld" --version 2>/dev/null | head -1 || chroot "$mysql_root" /usr/sbin/mysqld --version))"
elif [ -r /etc/debian_version ]; then
  need_root "building the MySQL 9.7 chroot" "debootstrap --variant=minbase sid ROOT, then apt-get install mysql-server-core mysql-client inside it"
  mkdir -p "$cache"
  tmp="$mysql_root.partial"
  rm -rf "$tmp"
  say "debootstrap sid into $tmp (about 220 MB)"
  mirror="$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/* *$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
  [ -n "$mirror" ] || mirror="$(awk '/^deb / && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)"
  /usr/sbin/debootstrap --variant=minbase sid "$tmp" ${mirror:+"$mirror"} >"$cache/debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $cache/debootstrap.log"
  # The archive copy these machines reach is a dated snapshot: apt would refuse its Release file as expired.
  chroot "$tmp" apt-get -o Acquire::Check-Valid-Until=false update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$tmp" apt-get -o Acquire::Check-Valid-Until=false install -y -qq \
    --no-install-recommends mysql-server-core mysql-client >"$cache/chroot-apt.log" 2>&1 \
    || die "installing mysql-server-core in the chroot failed; see $cache/chroot-apt.log"
  chroot "$tmp" apt-get clean
  mv "$tmp" "$mysql_root"
  say "MySQL chroot ready: $(chroot "$mysql_root" /usr/sbin/mysqld --version)"
fi
say "done"
