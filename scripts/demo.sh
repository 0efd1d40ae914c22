#!/usr/bin/env bash
# demo.sh - the local demo on a fresh Debian 12 machine: installs what is
# missing, builds the bridge, then starts a throwaway PostgreSQL, the
# Mattermost emulator, nginx and the bridge; mints an "Open Chat" link,
# performs the click with curl, follows it to the chat page and prints who
# is signed in. With a terminal attached it then prints a link to try in a
# browser and waits; CB_MODE=database shows the other session mode.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec /usr/bin/python3 -W ignore tests/integration/demo.py "$@"
