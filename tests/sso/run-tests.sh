#!/usr/bin/env bash
# Run the OpenTHC SSO emulator's black-box tests.  Exit code = the tests' result.
#   tests/sso/run-tests.sh [unittest args, e.g. test_ssoemu.TestToken]
#   tests/sso/run-tests.sh --mutants   check that the tests catch deliberately broken emulators
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
cd "$here" || exit 1

if [ "${1:-}" != "--mutants" ]; then
	[ $# -eq 0 ] && set -- test_ssoemu
	exec "$py" -m unittest -v "$@"
fi

# Each mutant: one exact, unique line fragment of ssoemu.py replaced; the named
# test must then FAIL.  A mutant the tests do not catch fails this run.
work=$(mktemp -d "${TMPDIR:-/tmp}/ssoemu-mutants.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

mutants=(
	'reused code accepted|grant = self.codes.pop(f["code"], None)|grant = self.codes.get(f["code"])|test_ssoemu.TestToken.test_reused_code_fails'
	'code expiry ignored|if now >= grant["expires_at"]:|if False:|test_ssoemu.TestToken.test_expired_code'
	'PKCE not checked|return reject(400, "invalid_grant", "code_verifier does not match code_challenge")|pass|test_ssoemu.TestToken.test_pkce_verifier_must_match'
	'redirect_uri prefix match|if q["redirect_uri"] != client["redirect_uri"]:|if not q["redirect_uri"].startswith(client["redirect_uri"]):|test_ssoemu.TestAuthorizeErrors.test_redirect_uri_must_match_exactly'
	'secret prefix accepted|if not secret or not hmac.compare_digest(|if not secret or not client["client_secret"].startswith(secret) and not hmac.compare_digest(|test_ssoemu.TestToken.test_wrong_client_secret_does_not_consume_the_code'
	'contact details without scope|contact.update(fullname="", email="", phone="")|pass|test_ssoemu.TestHappyPath.test_authorize_token_profile_with_pkce'
	'state altered|{"code": code, "state": q["state"]}|{"code": code, "state": q["state"].replace("+", " ")}|test_ssoemu.TestHappyPath.test_state_echoed_exactly_and_redirect_query_kept'
	'deny ignored|if user["deny"]:|if False:|test_ssoemu.TestAuthorizeErrors.test_deny_redirects_with_access_denied'
	'scope not checked|if s not in client["context_list"]:|if False:|test_ssoemu.TestAuthorizeErrors.test_scope_not_allowed_for_client'
)
rc=0
for m in "${mutants[@]}"; do
	IFS='|' read -r name old new test <<<"$m"
	if ! "$py" - "$here/ssoemu.py" "$work/ssoemu.py" "$old" "$new" <<'EOF'; then
import sys
src, dst, old, new = sys.argv[1:]
text = open(src, encoding="utf-8").read()
if text.count(old) != 1:
    sys.exit("fragment found %d times: %s" % (text.count(old), old))
open(dst, "w", encoding="utf-8").write(text.replace(old, new))
EOF
		echo "mutant '$name': cannot apply" >&2
		rc=1
		continue
	fi
	# caught = an assertion failed (not merely an error such as a crash at start-up)
	if SSOEMU_PY="$work/ssoemu.py" "$py" -m unittest "$test" >"$work/out" 2>&1 ||
		! grep -q '^FAILED (failures=' "$work/out"; then
		echo "mutant '$name': NOT caught by $test" >&2
		tail -n 5 "$work/out" >&2
		rc=1
	else
		echo "mutant '$name': caught by $test"
	fi
done
exit $rc
