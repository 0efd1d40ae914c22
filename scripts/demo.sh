#!/usr/bin/env bash
# demo.sh - builds the bridge and shows a link token's life: a new issuer
# key, a minted "Open Chat" link, and its verification.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)" >/dev/null
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
B=build/chat-bridge
PUB=$($B keygen --seed-file "$D/app.seed" | sed 's/^public: //')
printf 'demo-admin-token-0000000001\n' > "$D/mm.token"; head -c 48 /dev/urandom | base64 > "$D/pw.secret"
chmod 600 "$D"/mm.token "$D"/pw.secret
cat > "$D/bridge.conf" <<CONF
[bridge]
site_url = https://chat.openthc.example.com
[mattermost]
url = http://127.0.0.1:8065
token_file = mm.token
password_secret_file = pw.secret
[store]
database = postgresql:///chat_bridge
[issuer "010PENTHC0DEM0SVC000000P0S"]
name = pos
ed25519 = $PUB
CONF
TOKEN=$($B mint --seed-file "$D/app.seed" --iss 010PENTHC0DEM0SVC000000P0S --aud https://chat.openthc.example.com \
	--sub 0165B6QY0F4TGXCTDRS8ZCM0V4 --com 019EV8MMKC5HX5QV46F0HEJX4S --email jane.doe@greenleaf.example \
	--name "Jane Doe" --cre usa/wa)
echo "link: https://chat.openthc.example.com/auth/open?jwt=$TOKEN"
$B verify --config "$D/bridge.conf" "$TOKEN"
