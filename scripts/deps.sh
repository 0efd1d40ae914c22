#!/usr/bin/env bash
# deps.sh - installs what building, the demo and the tests need on Debian 12
# (apt packages; npm packages for the browser and Client4 tests). Safe to
# run again: it only calls apt-get when a package is missing. The one list
# of the project's packages: .ci/run and scripts/test.sh call this.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
	# build
	build-essential cmake pkg-config clang libclang-rt-14-dev
	libfcgi-dev libcurl4-openssl-dev libjansson-dev libsodium-dev libpq-dev
	# real components the tests and the demo run
	postgresql postgresql-client nginx-light caddy curl openssl spawn-fcgi
	# the Mattermost and SSO emulators, PHP interop, data
	python3 python3-psycopg2 python3-bcrypt php-cli iso-codes
	# browser tests, leak checks, unit verification, packaging
	chromium valgrind systemd dpkg-dev
	# the monitoring test reads the shipped rules (YAML)
	python3-yaml
)
# promtool checks and unit-tests the shipped Prometheus rules; Debian ships
# it only in the prometheus package (whose own service the tests do not use).
command -v promtool >/dev/null 2>&1 || PACKAGES+=(prometheus)
# Static analysis (gcc -fanalyzer) needs only gcc 12, in build-essential.

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm for the npm steps below: Debian's, when there is no npm at
# all (a bare Debian 12 has neither). A node installed otherwise is kept.
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	echo "deps.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Debian's postgresql package starts a cluster where it can; tests run their
# own throwaway clusters and need nothing from it.

# npm packages, pinned by their package-lock.json: Mattermost's Client4
# (tests/client4) and playwright-core, which drives Debian's chromium
# (tests/browser; it downloads no browser).
for d in tests/client4 tests/browser; do
	if [ -f "$d/package.json" ] && [ ! -d "$d/node_modules" ]; then
		command -v npm >/dev/null || { echo "deps.sh: npm is required for the Client4 and browser tests" >&2; exit 1; }
		(cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
	fi
done
