#!/usr/bin/env bash
# Run the emulator's black-box tests against a throwaway PostgreSQL cluster.
# Exit code = the tests' result.  The cluster and temporary files are always removed.
#   tests/emulator/run-tests.sh [unittest args, e.g. test_mmemu.TestLogin]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pg_tmp="$root/tests/lib/pg-tmp"

work=$(mktemp -d "${TMPDIR:-/tmp}/mmemu-run.XXXXXX") || exit 1
chmod 0755 "$work"
cleanup() {
	"$pg_tmp" destroy "$work/pg" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Client4 tests need the pinned @mattermost/client (installed from package-lock.json).
if command -v node >/dev/null && [ ! -d "$root/tests/client4/node_modules/@mattermost/client" ]; then
	(cd "$root/tests/client4" && npm ci --no-audit --no-fund >/dev/null 2>&1) ||
		echo "run-tests: npm ci failed; Client4 tests will be skipped" >&2
fi

"$pg_tmp" start "$work/pg" >/dev/null || exit 1
"$pg_tmp" createdb "$work/pg" mmemu_test || exit 1
MMEMU_TEST_DSN=$("$pg_tmp" dsn "$work/pg" mmemu_test)
export MMEMU_TEST_DSN

cd "$here" || exit 1
if [ $# -eq 0 ]; then
	set -- test_mmemu
fi
/usr/bin/python3 -m unittest -v "$@"
