#!/usr/bin/env bash
# Runs every OneCard test: unit tests, integration tests and specs against a throwaway PostgreSQL,
# and the browser test in Chromium. Ends with one summary line: "Tests: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing Chromium and CJK fonts for the browser test" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "test.sh: the browser test needs Chromium: sudo apt-get install -y chromium fonts-noto-cjk" >&2
    exit 2
  fi
fi

dotnet build OneCard.sln -c Release -nologo -clp:ErrorsOnly
results="TestResults/$(date +%Y%m%d-%H%M%S)"
# Each browser page's Playwright trace, to replay a failure (BrowserTest.TraceDirectory).
export ONECARD_BROWSER_TRACES="$PWD/$results/browser-traces"
status=0
scripts/with-postgres.sh dotnet test OneCard.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

passed=0; failed=0; total=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); total=$((total + ${t:-0}))
done
if [ "$total" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  [ "$status" -eq 0 ] && status=1
fi
[ "$failed" -gt 0 ] && [ "$status" -eq 0 ] && status=1
# The traces are for replaying a failure; a green run does not need them.
[ "$status" -eq 0 ] && rm -rf "$ONECARD_BROWSER_TRACES"
echo "Tests: $passed passed, $failed failed"
exit "$status"
