#!/bin/sh
# check-rules.sh - the shipped Prometheus rules: `promtool check rules`
# (syntax, templates, lint) and `promtool test rules` (the unit tests in
# chat-bridge.rules.test.yml). promtool is in Debian's prometheus package
# (scripts/deps.sh installs it). Without promtool: exit 77 (CTest: skipped),
# or 1 when CB_REQUIRE_PROMTOOL=1 (scripts/test.sh).
set -eu
cd "$(dirname "$0")/../.."
PROMTOOL=${PROMTOOL:-promtool}
if ! command -v "$PROMTOOL" >/dev/null 2>&1; then
	echo "check-rules.sh: promtool not found (Debian package prometheus)" >&2
	[ "${CB_REQUIRE_PROMTOOL:-0}" = 1 ] && exit 1
	exit 77
fi
"$PROMTOOL" check rules --lint=all --lint-fatal etc/prometheus/chat-bridge.rules.yml
"$PROMTOOL" test rules tests/prometheus/chat-bridge.rules.test.yml
