#!/usr/bin/env bash
# test.sh - the whole test suite, from a fresh Debian 12 machine:
#   1. installs what is missing (scripts/deps.sh);
#   2. static checks: no banned function in src/ and include/
#      (scripts/check-banned.sh), the source layout (scripts/check-layout.py:
#      header <-> .c, no include cycles, the core includes no shell header),
#      gcc's -fanalyzer over src/ and the tests with findings as errors
#      (build-analyzer/); the shipped Prometheus rules checked and their
#      unit tests run (promtool);
#   3. builds with warnings as errors and runs every CTest test (unit,
#      vectors, CLI, fuzz-corpus replay, integration through real nginx,
#      Caddy, PostgreSQL, the Mattermost emulator and headless Chromium);
#   4. rebuilds with ASan+UBSan and runs the unit and integration tests
#      against that build;
#   5. builds the libFuzzer targets with clang and runs each for
#      FUZZ_SECONDS (default 30) under ASan+UBSan.
# Prints a summary with the counts. Exit status 0 only if all passed.
# CB_SHARED_DIR: the shared spec and vectors folder (default ../shared);
# tests that need it are skipped, with the reason, when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
SHARED=${CB_SHARED_DIR:-$ROOT/../shared}
JOBS=$(nproc)
start=$(date +%s)

scripts/deps.sh

echo "== static checks"
# Functions the project does not use (unbounded string functions, atoi,
# system, rand, fcgi_stdio ...): a use in src/ or include/ fails the run.
scripts/check-banned.sh
# The layout tells the truth: header <-> .c, no include cycle between
# modules, the core includes no shell header, only cli.c prints.
python3 scripts/check-layout.py
# gcc -fanalyzer (NULL dereference, use after free, double free, leaks,
# uninitialised values ...) over everything that builds with the project's
# warnings; -Werror makes a finding fail the build. No test runs here.
cmake -S . -B build-analyzer -DCB_ANALYZER=ON -DCB_WERROR=ON -DCB_INTEGRATION_TESTS=OFF \
	-DCB_SHARED_DIR="$SHARED" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-analyzer -j"$JOBS"
static_summary="banned functions: none; layout: ok; gcc -fanalyzer: no finding"

echo "== Prometheus rules (promtool check rules, promtool test rules)"
rules_out=$(CB_REQUIRE_PROMTOOL=1 tests/prometheus/check-rules.sh 2>&1) || { echo "$rules_out"; exit 1; }
echo "$rules_out"
rules_summary=$(grep -Eo 'SUCCESS: [0-9]+ rules found' <<<"$rules_out")

echo "== build (gcc, -Werror)"
cmake -S . -B build -DCB_WERROR=ON -DCB_SHARED_DIR="$SHARED" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$JOBS"

echo "== tests"
(cd build && ctest --output-on-failure -j2 --timeout 900) | tee build/ctest.log
main_summary=$(grep -E 'tests passed' build/ctest.log)

echo "== ASan+UBSan build and tests"
cmake -S . -B build-asan -DCB_SANITIZE=ON -DCB_WERROR=ON -DCB_SHARED_DIR="$SHARED" -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$JOBS"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure -j2 --timeout 900 -L 'unit|sanitize') | tee build-asan/ctest.log
asan_summary=$(grep -E 'tests passed' build-asan/ctest.log)

echo "== libFuzzer (clang, ASan+UBSan), ${FUZZ_SECONDS}s per target"
CC=clang cmake -S . -B build-fuzz -DCB_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$JOBS" --target fuzz_token fuzz_redirect fuzz_form fuzz_config fuzz_lang
fuzz_summary=""
for t in token redirect form config lang; do
	work=$(mktemp -d)
	cp tests/fuzz/corpus/"$t"/* "$work"/
	if [ "$t" = redirect ] && [ -f "$SHARED/vectors/openredirects.txt" ]; then	# seed with the shared open-redirect corpus too
		i=0; while IFS= read -r line; do i=$((i+1)); printf '%s' "$line" > "$work/or-$i"; done < "$SHARED/vectors/openredirects.txt"
	elif [ "$t" = redirect ]; then
		echo "fuzz_redirect: not seeded with the open-redirect corpus: $SHARED/vectors/openredirects.txt is missing"
	fi
	log=build-fuzz/fuzz_$t.log
	if ! build-fuzz/tests/fuzz_$t -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
		-artifact_prefix=build-fuzz/crash-$t- "$work" >"$log" 2>&1; then
		echo "fuzz_$t FAILED:"; tail -40 "$log"; exit 1
	fi
	execs=$(grep -Eo 'number_of_executed_units: [0-9]+' "$log" | grep -Eo '[0-9]+$')
	fuzz_summary+="  fuzz_$t: $execs executions in ${FUZZ_SECONDS}s, no crash"$'\n'
	rm -rf "$work"
done

echo
echo "== summary ($(( $(date +%s) - start ))s)"
echo "  static checks:   $static_summary"
echo "  main build:      $main_summary"
echo "  ASan+UBSan:      $asan_summary"
echo "  Prometheus:      $rules_summary, unit tests passed"
printf '%s' "$fuzz_summary"
