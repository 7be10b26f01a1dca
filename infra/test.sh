#!/usr/bin/env bash
# The README's test command: installs what a fresh machine lacks, then runs every test
# (C# suites against real anvil, azurite and SQLite; forge tests run from the Chain suite).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash infra/ensure-node-modules.sh
bash infra/ensure-chromium.sh
bash infra/ensure-bubblewrap.sh

results="$(mktemp -d)"
# Artifacts the tests save (the dashboard's screenshots) go next to the results.
export FAIRDELEGATION_ARTIFACTS="${FAIRDELEGATION_ARTIFACTS:-$results/artifacts}"
echo "test results and artifacts: $results" >&2
set +e
dotnet test FairDelegation.Functions.sln --nologo -c Release --logger "trx" --results-directory "$results" "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
set -e

# One closing line for whoever reads the log: totals over every test assembly.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for trx in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(trx).getroot().find(".//{*}ResultSummary/{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
print(f"tests: {p} passed, {f} failed, {s} skipped")
PY
exit "$status"
