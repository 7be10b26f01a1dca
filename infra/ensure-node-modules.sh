#!/usr/bin/env bash
# Runs `npm ci` when node_modules is missing or was installed from another package-lock.json.
# Safe to call from many parallel builds: the work happens under an exclusive flock.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stamp=node_modules/.fairdelegation-lock-hash
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0
exec 9>"$root/.npm-ci.lock"
flock 9
# Another build may have finished the install while we waited for the lock.
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0
command -v npm >/dev/null || { echo "error: npm not found; install Node.js 20+ (it provides anvil, cast, forge, solcjs, azurite)" >&2; exit 1; }
# `dotnet run` builds quietly, so build output (stderr included) is not shown: tell the person at the terminal too,
# or the first `demo` looks hung for minutes.
say() {
  echo "$*" >&2
  { [ -t 2 ] || echo "$*" > /dev/tty; } 2>/dev/null || true
}
say "fairdelegation: first build: installing anvil, forge, solc and azurite from npm (node_modules; a minute or two), then compiling"
# `npm ci` refuses this lockfile when the registry copy lacks the other platforms' optional Foundry
# binaries (it does here: only *-linux-amd64 exist). `npm install --no-save` then installs exactly the
# versions and integrity hashes of package-lock.json without rewriting it.
npm ci --no-audit --no-fund --loglevel=silent >&2 2>/dev/null \
  || npm install --no-save --no-audit --no-fund --loglevel=error >&2
echo "$want" > "$stamp"
say "fairdelegation: npm packages installed; compiling (the first build takes a minute or two more)"
