#!/usr/bin/env bash
# Debian's chromium for the dashboard's browser tests (Microsoft.Playwright drives it by its executable path:
# Playwright's own browser download cannot work on these machines). Idempotent; apt-get runs under a lock so two
# callers (parallel test runs, worktrees) never run it at once.
set -euo pipefail
has() { [ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ]; }
if has; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
exec 9>/tmp/fairdelegation-ensure-chromium.lock
flock 9
if has; then exit 0; fi
echo "chromium missing: installing Debian's chromium" >&2
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
has
