#!/usr/bin/env bash
# check-banned.sh [FILE...] - fails when src/ or include/ (or the files
# given) call a function this project does not use: unbounded copies and
# formatting, parsers that cannot report errors, shells, weak randomness,
# racy temporary names, stack allocation of unchecked size, and libfcgi's
# stdio emulation (fcgi_stdio.h, FCGI_printf, FCGI_Accept ...; the bridge
# uses only the FCGX_* API). Comments and string literals are not
# searched. Prints FILE:LINE: NAME: use instead; exits 1 on any hit.
set -euo pipefail
cd "$(dirname "$0")/.."

# name=what to use instead
BANNED=(
	"strcpy=str_set() or snprintf()"
	"strcat=struct buf (buf.h) or snprintf()"
	"sprintf=snprintf()"
	"vsprintf=vsnprintf()"
	"gets=fgets()"
	"strtok=a length-carrying parser (strtok keeps hidden state)"
	"strtok_r=a length-carrying parser"
	"atoi=parse_u64() (util.h): atoi cannot report errors"
	"atol=parse_u64() (util.h)"
	"atoll=parse_u64() (util.h)"
	"system=fork/exec without a shell, or nothing"
	"popen=fork/exec without a shell, or nothing"
	"rand=randombytes_buf() (libsodium)"
	"srand=randombytes_buf() (libsodium)"
	"random=randombytes_buf() (libsodium)"
	"tmpnam=mkstemp()"
	"tempnam=mkstemp()"
	"mktemp=mkstemp() or mkdtemp()"
	"alloca=a bounded array or malloc()"
	"FCGI_[A-Za-z_]+=the FCGX_* API (fcgiapp.h), not fcgi_stdio's"
)

files=("$@")
[ ${#files[@]} -gt 0 ] || files=(src/*/*.c include/*/*.h)

# Blanks comments and the contents of string and character literals,
# keeping line numbers, so only code is searched.
strip_c() {
	awk '
	BEGIN { incomment = 0 }
	{
		out = ""; n = length($0); i = 1; q = ""
		while (i <= n) {
			c = substr($0, i, 1); c2 = substr($0, i, 2)
			if (incomment) {
				if (c2 == "*/") { incomment = 0; i += 2; out = out "  " } else { i++; out = out " " }
			} else if (q != "") {
				if (c == "\\") { i += 2; out = out "  " }
				else if (c == q) { q = ""; i++; out = out c }
				else { i++; out = out " " }
			} else if (c2 == "/*") { incomment = 1; i += 2; out = out "  "
			} else if (c2 == "//") { break
			} else if (c == "\"" || c == "\047") { q = c; i++; out = out c
			} else { out = out c; i++ }
		}
		print out
	}' "$1"
}

hits=0
for f in "${files[@]}"; do
	code=$(strip_c "$f")
	if grep -qE '#[[:space:]]*include[[:space:]]*<fcgi_stdio\.h>' "$f"; then
		echo "$f: includes fcgi_stdio.h: use fcgiapp.h and the FCGX_* API"
		hits=$((hits + 1))
	fi
	for entry in "${BANNED[@]}"; do
		name=${entry%%=*} instead=${entry#*=}
		pattern="(^|[^A-Za-z0-9_.>])$name[[:space:]]*\("
		while IFS=: read -r line text; do
			called=$(grep -oE "$pattern" <<<"$text" | head -1 | sed -E 's/^[^A-Za-z_]//; s/[[:space:]]*\($//')
			echo "$f:$line: $called: banned, use $instead"
			hits=$((hits + 1))
		done < <(printf '%s\n' "$code" | grep -nE "$pattern" || true)
	done
done
if [ "$hits" -gt 0 ]; then
	echo "check-banned: $hits use(s) of banned functions"
	exit 1
fi
echo "check-banned: ${#files[@]} files, no banned function"
