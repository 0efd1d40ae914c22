#!/usr/bin/env bash
# bench.sh - the benchmark (not part of the test suite), in one command:
#   1. installs what is missing (scripts/deps.sh, plus wrk, the load
#      generator, which only the benchmark needs);
#   2. builds chat-bridge, bench-hello and bench-verify (build/, RelWithDebInfo);
#   3. runs bench/bench.py: the real stack (nginx, bridge, Mattermost
#      emulator, PostgreSQL) for each session mode and PBKDF2 work factor;
#      prints the table and writes bench/results/{results.json,results.txt,
#      latency.svg}.
# BENCH_QUICK=1 scripts/bench.sh gives a quick run (about a minute); the
# other BENCH_* variables are described in bench/bench.py and bench/README.md.
# The full run takes about three minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

scripts/deps.sh
if ! command -v wrk >/dev/null; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench.sh: wrk is missing (apt-get install wrk, as root)" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk ||
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk; }
fi

if [ ! -f build/CMakeCache.txt ]; then
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -j"$(nproc)" --target chat-bridge bench-hello bench-verify >/dev/null

rc=0
CB_BRIDGE="$PWD/build/chat-bridge" /usr/bin/python3 bench/bench.py || rc=$?
echo "bench.sh: wall time $(($(date +%s) - start)) s"
exit "$rc"
