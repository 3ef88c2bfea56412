#!/usr/bin/env bash
# `make test`: typecheck, unit tests, integration tests on both flavors; then checks that the run
# left no sandbox server behind, and prints one plain summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

before=$(bash scripts/sandbox-servers.sh)
report=$(mktemp --suffix=.json)
trap 'rm -f "$report"' EXIT

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit || { echo "typecheck failed"; exit 1; }

echo "== tests (unit + integration on ${OSCHANGE_TEST_FLAVORS:-mysql,mariadb})"
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
rc=$?

after=$(bash scripts/sandbox-servers.sh)
left=$(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')
if [ -n "${left// /}" ]; then
  echo "test run left sandbox servers running: pids $left"
  rc=1
fi

node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`oschange: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" 2>/dev/null || echo "oschange: no test report written"
exit $rc
