#!/usr/bin/env bash
# PostgreSQL server binaries for the tests' private clusters (initdb + postgres on a free port).
# Installs Debian's postgresql when missing; the tests never use a system-wide cluster.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
echo "PostgreSQL server binaries missing: installing Debian's postgresql" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq postgresql >&2
# The package creates and starts a default cluster; the tests do not need it.
$SUDO pg_ctlcluster --force "$(ls /usr/lib/postgresql | sort -V | tail -1)" main stop >/dev/null 2>&1 || true
