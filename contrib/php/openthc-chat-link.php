<?php
/**
 * OpenTHC Chat link minting, for OpenTHC application developers.
 *
 * Only PHP's built-in sodium and json extensions are used. The token format
 * is ../../../shared/spec/token.md (the contract with the chat bridge):
 * JWS compact serialisation, unpadded base64url, version 1 = Ed25519
 * ("EdDSA", kid = the 43-character public key), version 0 = HS256 with the
 * issuer's shared secret (what OpenTHC\JWT emits today).
 *
 *   $link = openthc_chat_link_v1($seed, [
 *       'iss' => OPENTHC_SERVICE_ID, 'sub' => $Contact['id'], 'com' => $Company['id'],
 *       'email' => $Contact['username'], 'name' => $Contact['fullname'], 'cre' => $Company['cre'],
 *   ], 'https://chat.openthc.example.com');
 *
 * $seed is the issuer's 32-byte Ed25519 seed as 43-character base64url (from
 * `chat-bridge keygen`); keep it secret, e.g. in openthc/<svc>/sign-sk.
 */

function openthc_chat_b64(string $bin): string
{
	return sodium_bin2base64($bin, SODIUM_BASE64_VARIANT_URLSAFE_NO_PADDING);
}

/** Claims common to both versions; $ttl is capped by the version's limit. */
function openthc_chat_claims(array $claims, string $aud, int $ttl): array
{
	foreach (['iss', 'sub', 'com', 'email'] as $k) {
		if (empty($claims[$k])) {
			throw new InvalidArgumentException("claim '$k' is required");
		}
	}
	$now = $claims['iat'] ?? time();
	$out = [
		'intent' => 'chat-open',
		'iss' => $claims['iss'],
		'aud' => $aud,
		'sub' => $claims['sub'],
		'com' => $claims['com'],
		'email' => strtolower(trim($claims['email'])),
	];
	foreach (['lic', 'name', 'com_name', 'reg', 'cre'] as $k) {
		if (!empty($claims[$k])) {
			$out[$k] = $claims[$k];
		}
	}
	if (!empty($claims['team'])) {
		$out['team'] = array_values((array)$claims['team']);
	}
	$out['iat'] = $now;
	$out['exp'] = $now + $ttl;
	$out['jti'] = $claims['jti'] ?? openthc_chat_b64(random_bytes(32));
	return $out;
}

function openthc_chat_json(array $v): string
{
	return json_encode($v, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
}

/** Version 1 (canonical): Ed25519. Lifetime at most 300 s. */
function openthc_chat_token_v1(string $seed_b64, array $claims, string $aud, int $ttl = 300): string
{
	$seed = sodium_base642bin($seed_b64, SODIUM_BASE64_VARIANT_URLSAFE_NO_PADDING);
	$kp = sodium_crypto_sign_seed_keypair($seed);
	$sk = sodium_crypto_sign_secretkey($kp);
	$kid = openthc_chat_b64(sodium_crypto_sign_publickey($kp));
	$payload = ['ver' => 1] + openthc_chat_claims($claims, $aud, min($ttl, 300));
	$si = openthc_chat_b64(openthc_chat_json(['typ' => 'JWT', 'alg' => 'EdDSA', 'kid' => $kid]))
		. '.' . openthc_chat_b64(openthc_chat_json($payload));
	$sig = sodium_crypto_sign_detached($si, $sk);
	sodium_memzero($sk);
	sodium_memzero($seed);
	return $si . '.' . openthc_chat_b64($sig);
}

/** Version 0 (compatibility): HS256 keyed with the issuer's secret string. */
function openthc_chat_token_v0(string $secret, array $claims, string $aud, int $ttl = 900): string
{
	$payload = openthc_chat_claims($claims, $aud, min($ttl, 900));
	$payload['nbf'] = $payload['iat'];
	$si = openthc_chat_b64(openthc_chat_json(['typ' => 'JWT', 'alg' => 'HS256']))
		. '.' . openthc_chat_b64(openthc_chat_json($payload));
	return $si . '.' . openthc_chat_b64(hash_hmac('sha256', $si, $secret, true));
}

/** The "Open Chat" link: $site_url/auth/open?jwt=...[&r=...] */
function openthc_chat_link_v1(string $seed_b64, array $claims, string $site_url, ?string $r = null): string
{
	$q = ['jwt' => openthc_chat_token_v1($seed_b64, $claims, $site_url)];
	if ($r !== null) {
		$q['r'] = $r;
	}
	return $site_url . '/auth/open?' . http_build_query($q);
}

function openthc_chat_link_v0(string $secret, array $claims, string $site_url, ?string $r = null): string
{
	$q = ['jwt' => openthc_chat_token_v0($secret, $claims, $site_url)];
	if ($r !== null) {
		$q['r'] = $r;
	}
	return $site_url . '/auth/open?' . http_build_query($q);
}
