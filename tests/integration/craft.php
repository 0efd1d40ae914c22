<?php
/**
 * Signs arbitrary, possibly hostile, header and payload JSON text as a JWS
 * compact token, for attack tests (an independent implementation: PHP's
 * sodium and hash extensions):
 *   php craft.php ed25519 SEED_FILE 'HEADER_JSON' 'PAYLOAD_JSON'
 *   php craft.php hs256   KEY_FILE  'HEADER_JSON' 'PAYLOAD_JSON'
 */
[$self, $alg, $keyfile, $header, $payload] = $argv + [null, null, null, null, null];
if ($payload === null) {
	fwrite(STDERR, "usage: php craft.php ed25519|hs256 KEY_FILE HEADER PAYLOAD\n");
	exit(2);
}
$b64 = fn(string $s): string => sodium_bin2base64($s, SODIUM_BASE64_VARIANT_URLSAFE_NO_PADDING);
$key = rtrim(file_get_contents($keyfile), "\r\n");
$si = $b64($header) . '.' . $b64($payload);
if ($alg === 'ed25519') {
	$kp = sodium_crypto_sign_seed_keypair(sodium_base642bin($key, SODIUM_BASE64_VARIANT_URLSAFE_NO_PADDING));
	$sig = sodium_crypto_sign_detached($si, sodium_crypto_sign_secretkey($kp));
} else {
	$sig = hash_hmac('sha256', $si, $key, true);
}
echo $si, '.', $b64($sig), "\n";
