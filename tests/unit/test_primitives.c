/*
 * test_primitives.c - strict integers, base64url, Mattermost ids, the
 * derived login password and its PBKDF2 PHC hash (RFC 7914 section 11
 * PBKDF2-HMAC-SHA256 vectors; PHC string cross-checked with Python's
 * hashlib); an operator's --since (durations and UTC dates, checked
 * against date -u +%s).
 */
#include "harness.h"
#include "mmid.h"
#include "password.h"
#include "timefmt.h"
#include "util.h"

static void
test_parse_u64(void)
{
	uint64_t v = 7;

	ok(parse_u64("0", 1, 10, &v) == CB_OK && v == 0, "0");
	ok(parse_u64("10", 2, 10, &v) == CB_OK && v == 10, "max inclusive");
	ok(parse_u64("11", 2, 10, &v) != CB_OK, "over max");
	ok(parse_u64("18446744073709551615", 20, UINT64_MAX, &v) == CB_OK && v == UINT64_MAX, "UINT64_MAX");
	ok(parse_u64("18446744073709551616", 20, UINT64_MAX, &v) != CB_OK, "overflow");
	ok(parse_u64("01", 2, 10, &v) != CB_OK, "leading zero");
	ok(parse_u64("+1", 2, 10, &v) != CB_OK, "sign");
	ok(parse_u64(" 1", 2, 10, &v) != CB_OK, "space");
	ok(parse_u64("", 0, 10, &v) != CB_OK, "empty");
	ok(parse_u64("9", 1, 5, &v) != CB_OK, "digit above a small max");
}

static void
test_b64(void)
{
	unsigned char out[8];
	char enc[16];
	size_t n;

	ok(b64url_decode("AAEC", 4, out, sizeof(out), &n) == CB_OK && n == 3 && out[2] == 2, "decode");
	ok(b64url_decode("AAE", 3, out, sizeof(out), &n) == CB_OK && n == 2, "unpadded");
	ok(b64url_decode("AAF", 3, out, sizeof(out), &n) != CB_OK, "non-canonical trailing bits");
	ok(b64url_decode("AAE=", 4, out, sizeof(out), &n) != CB_OK, "padding");
	ok(b64url_decode("AA+/", 4, out, sizeof(out), &n) != CB_OK, "standard alphabet");
	ok(b64url_decode("A", 1, out, sizeof(out), &n) != CB_OK, "dangling group");
	ok(b64url_decode("AAAAAAAAAAAAAAAA", 16, out, sizeof(out), &n) != CB_OK, "output too small");
	ok(b64url_encode((const unsigned char *)"\xfb\xff", 2, enc, sizeof(enc)) == CB_OK &&
	    !strcmp(enc, "-_8"), "encode uses -_ and no padding");
	ok(b64url_encode((const unsigned char *)"abc", 3, enc, 4) == CB_ETOOBIG, "encode bound");
}

static void
test_mmid(void)
{
	unsigned char in[16];
	char id[27], id2[27];
	int i;

	for (i = 0; i < 16; i++)
		in[i] = (unsigned char)i;
	mmid_encode(in, id);
	is_str(id, "yyyoryarywdyqnyjbefoadeqbh", "NewId encoding of 00..0f");
	memset(in, 0xff, 16);
	mmid_encode(in, id);
	is_str(id, "9999999999999999999999999h", "NewId encoding of ff..ff");
	mmid_new(id);
	mmid_new(id2);
	ok(mmid_valid(id, strlen(id)) && strlen(id) == 26, "new id is valid");
	ok(strcmp(id, id2) != 0, "two ids differ");
	{
		char ids[MMID_BATCH_MAX + 1][27];

		memset(ids, 'x', sizeof(ids));
		mmid_new_n(ids, 3);
		ok(mmid_valid(ids[0], strlen(ids[0])) && mmid_valid(ids[1], strlen(ids[1])) &&
		    mmid_valid(ids[2], strlen(ids[2])), "three ids at once, each valid");
		ok(strcmp(ids[0], ids[1]) != 0 && strcmp(ids[1], ids[2]) != 0 && strcmp(ids[0], ids[2]) != 0,
		    "and different");
		ok(ids[3][0] == 'x', "no more than asked for");
		mmid_new_n(ids, MMID_BATCH_MAX + 1);
		ok(ids[MMID_BATCH_MAX][0] == 'x', "at most MMID_BATCH_MAX");
	}
	ok(!mmid_valid("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26), "upper case invalid");
	ok(!mmid_valid("abc", 3), "short invalid");
}

static void
test_password(void)
{
	static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";
	unsigned char dk[64], salt[16];
	char pw[CB_PASSWORD_MAX + 1], phc[PASSWORD_PHC_MAX], hexs[129];
	int i, lower = 0, upper = 0, digit = 0, sym = 0;

	password_pbkdf2_sha256("passwd", 6, (const unsigned char *)"salt", 4, 1, dk, 64);
	sodium_bin2hex(hexs, sizeof(hexs), dk, 64);
	is_str(hexs, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
	    "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783", "RFC 7914 PBKDF2 c=1");
	password_pbkdf2_sha256("Password", 8, (const unsigned char *)"NaCl", 4, 80000, dk, 64);
	sodium_bin2hex(hexs, sizeof(hexs), dk, 64);
	is_str(hexs, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
	    "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d", "RFC 7914 PBKDF2 c=80000");
	for (i = 0; i < 16; i++)
		salt[i] = (unsigned char)i;
	is_int(password_phc_salted("Ob1!secret", 1000, salt, phc), CB_OK, "PHC");
	is_str(phc, "$pbkdf2$f=SHA256,w=1000,l=32$AAECAwQFBgcICQoLDA0ODw$as+GFzI0jEf5s+mlfpJNXzMwWlBnPW8JNaPVWnZ5pJQ",
	    "PHC string Mattermost's hasher parses (raw std base64)");
	is_int(password_derive(secret, 32, "0165B6QY0F4TGXCTDRS8ZCM0V4", PASSWORD_V1, pw), CB_OK, "derive v1");
	is_str(pw, "Ob1!_pdwwtANGNfeg8B8b1EjUIxzFuoi8qgnDC5XxErLOgI", "HMAC-SHA256 known answer");
	is_int(strlen(pw), PASSWORD_V1_LEN, "v1: 47 bytes");
	is_int(password_derive(secret, 32, "0165B6QY0F4TGXCTDRS8ZCM0V4", PASSWORD_V2, pw), CB_OK, "derive v2");
	is_int(strlen(pw), 72, "v2: 72 bytes, Mattermost's longest MinimumLength");
	ok(strncmp(pw, "Ob1!", 4) == 0 && is_b64url(pw + 4, 68), "v2: the prefix and base64url");
	for (i = 0; pw[i]; i++) {
		lower |= pw[i] >= 'a' && pw[i] <= 'z';
		upper |= pw[i] >= 'A' && pw[i] <= 'Z';
		digit |= pw[i] >= '0' && pw[i] <= '9';
		sym |= !ascii_isalnum(pw[i]);
	}
	ok(lower && upper && digit && sym, "all four character classes");
	{
		char pw2[CB_PASSWORD_MAX + 1];

		ok(password_derive(secret, 32, "0165B6QY0F4TGXCTDRS8ZCM0V5", PASSWORD_V2, pw2) == CB_OK &&
		    strcmp(pw, pw2) != 0, "another contact, another password");
		ok(password_derive(secret, 31, "0165B6QY0F4TGXCTDRS8ZCM0V4", PASSWORD_V2, pw2) == CB_OK &&
		    strcmp(pw, pw2) != 0, "another secret, another password");
		ok(password_derive(secret, 32, "0165B6QY0F4TGXCTDRS8ZCM0V4", PASSWORD_V2, pw2) == CB_OK &&
		    strcmp(pw, pw2) == 0, "recomputable");
	}
	is_int(password_derive(NULL, 0, "x", PASSWORD_V2, pw), CB_ECONFIG, "no secret");
	is_int(password_derive(secret, 32, "x", (enum password_version)3, pw), CB_EINTERNAL, "no version 3");
	/* bcrypt for Mattermost 10.x: OpenBSD's known answer ("U*U"), then a
	 * hash of a 72-byte password made and checked (the failed derivations
	 * above cleared pw). */
	ok(password_bcrypt_check("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
	    "bcrypt known answer");
	ok(!password_bcrypt_check("U*V", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
	    "bcrypt: another password fails");
	ok(pw[0] == '\0', "a failed derivation leaves no password behind");
	is_int(password_derive(secret, 32, "0165B6QY0F4TGXCTDRS8ZCM0V4", PASSWORD_V2, pw), CB_OK, "derive v2 again");
	is_int(password_bcrypt_salted(pw, 4, salt, phc), CB_OK, "bcrypt of the v2 password");
	ok(strncmp(phc, "$2b$04$", 7) == 0 && strlen(phc) == 60, "a $2b$ hash (%s)", phc);
	ok(password_bcrypt_check(pw, phc), "verifies");
	is_int(password_bcrypt(pw, phc), CB_OK, "bcrypt, random salt");
	ok(strncmp(phc, "$2b$10$", 7) == 0 && password_bcrypt_check(pw, phc), "cost 10, verifies");
	is_int(password_phc("", 1000, phc), CB_EINTERNAL, "empty password refused");
}

static void
test_hash_for_log(void)
{
	char h[17], h2[17];

	hash_for_log("0165B6QY0F4TGXCTDRS8ZCM0V4", 26, h);
	hash_for_log("0165B6QY0F4TGXCTDRS8ZCM0V4", 26, h2);
	ok(strlen(h) == 16 && !strcmp(h, h2), "stable 16-hex pseudonym");
	ok(strstr(h, "0165") == NULL, "not the id");
}

static void
test_since(void)
{
	const int64_t now = 1767225600123LL;	/* 2026-01-01T00:00:00.123Z */
	int64_t t = 1;

	ok(timefmt_parse_since("90m", now, &t) == CB_OK && t == now - 90 * 60000, "90m");
	ok(timefmt_parse_since("7d", now, &t) == CB_OK && t == now - 7 * 86400000LL, "7d");
	ok(timefmt_parse_since("2w", now, &t) == CB_OK && t == now - 14 * 86400000LL, "2w");
	ok(timefmt_parse_since("30s", now, &t) == CB_OK && t == now - 30000, "30s");
	ok(timefmt_parse_since("24h", now, &t) == CB_OK && t == now - 86400000LL, "24h");
	/* date -u -d 2026-11-22 +%s = 1795305600 */
	ok(timefmt_parse_since("2026-11-22", now, &t) == CB_OK && t == 1795305600000LL, "a date");
	/* date -u -d '2024-02-29 13:45:10' +%s = 1709214310 */
	ok(timefmt_parse_since("2024-02-29T13:45:10Z", now, &t) == CB_OK && t == 1709214310000LL,
	    "a leap day with a time and Z");
	ok(timefmt_parse_since("2024-02-29T13:45", now, &t) == CB_OK && t == 1709214300000LL,
	    "minutes only, no Z");
	ok(timefmt_parse_since("1970-01-01", now, &t) == CB_OK && t == 0, "the epoch");
	is_int(timefmt_parse_since("2023-02-29", now, &t), CB_REQ_MALFORMED, "no 29 February in 2023");
	is_int(timefmt_parse_since("2026-04-31", now, &t), CB_REQ_MALFORMED, "no 31 April");
	is_int(timefmt_parse_since("2026-13-01", now, &t), CB_REQ_MALFORMED, "month 13");
	is_int(timefmt_parse_since("2026-01-01T24:00", now, &t), CB_REQ_MALFORMED, "hour 24");
	is_int(timefmt_parse_since("2026-01-01 10:00", now, &t), CB_REQ_MALFORMED, "a space, not T");
	is_int(timefmt_parse_since("1969-12-31", now, &t), CB_REQ_MALFORMED, "before the epoch");
	is_int(timefmt_parse_since("7", now, &t), CB_REQ_MALFORMED, "no unit");
	is_int(timefmt_parse_since("d", now, &t), CB_REQ_MALFORMED, "no number");
	is_int(timefmt_parse_since("07d", now, &t), CB_REQ_MALFORMED, "leading zero");
	is_int(timefmt_parse_since("0d", now, &t), CB_REQ_MALFORMED, "zero");
	is_int(timefmt_parse_since("-7d", now, &t), CB_REQ_MALFORMED, "a sign");
	is_int(timefmt_parse_since("7y", now, &t), CB_REQ_MALFORMED, "unknown unit");
	is_int(timefmt_parse_since("7 d", now, &t), CB_REQ_MALFORMED, "a space");
	is_int(timefmt_parse_since("99999999w", now, &t), CB_REQ_MALFORMED, "before the epoch");
	is_int(timefmt_parse_since("", now, &t), CB_REQ_MALFORMED, "empty");
}

static void
run_tests(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_parse_u64();
	test_b64();
	test_mmid();
	test_password();
	test_hash_for_log();
	test_since();
}
