<?php
/**
 * Command-line wrapper used by the bridge's tests to prove the PHP and C
 * implementations agree:
 *   php mint.php v1 SEED_FILE AUD CLAIMS_JSON
 *   php mint.php v0 SECRET_FILE AUD CLAIMS_JSON
 */
require __DIR__ . '/openthc-chat-link.php';

[$self, $ver, $keyfile, $aud, $json] = $argv + [null, null, null, null, null];
if ($json === null || !in_array($ver, ['v0', 'v1'], true)) {
	fwrite(STDERR, "usage: php mint.php v1|v0 KEY_FILE AUD CLAIMS_JSON\n");
	exit(2);
}
$key = rtrim(file_get_contents($keyfile), "\r\n");
$claims = json_decode($json, true, 8, JSON_THROW_ON_ERROR);
echo ($ver === 'v1' ? openthc_chat_token_v1($key, $claims, $aud) : openthc_chat_token_v0($key, $claims, $aud)), "\n";
