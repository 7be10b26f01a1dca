#!/usr/bin/env bash
# bubblewrap (bwrap), the sandbox a provider node runs customers' `command` SLA checkers in (docs/node.md, issue 11 #5).
# Installs Debian's bubblewrap when missing; idempotent, serialized with the other installers.
set -euo pipefail
command -v bwrap >/dev/null 2>&1 && exit 0
exec 9>/tmp/fairdelegation-apt.lock
flock 9
command -v bwrap >/dev/null 2>&1 && exit 0
echo "bubblewrap missing: installing Debian's bubblewrap" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq bubblewrap >&2
