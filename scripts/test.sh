#!/usr/bin/env bash
# Runs every test. Installs with apt-get what the tests need when it is missing (PostgreSQL 15 server binaries, and
# Debian's Chromium for the dashboard's browser tests), then runs dotnet test on the whole solution. Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x "${PG_BIN:-/usr/lib/postgresql/15/bin}/initdb" ] || need+=(postgresql-15)
command -v runuser >/dev/null || need+=(util-linux)
[ -x /usr/bin/chromium ] || need+=(chromium) # Playwright drives this one; it never downloads a browser here
if [ ${#need[@]} -gt 0 ]; then
  echo "scripts/test.sh: installing ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The Debian package starts a cluster of its own on 5432; the tests start theirs on free ports.
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi

dotnet tool restore >/dev/null
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test CanvasSync.slnx --nologo "$@" 2>&1 | tee "$log" || status=$?

# One closing line over all test assemblies, in the plain "N passed, N failed" form CI reads.
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
