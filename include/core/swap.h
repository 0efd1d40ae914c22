/*
 * swap.h - the session-swap guard (issue 12, finding 9): a page can send
 * a signed-in person's browser to someone else's fresh link. When the
 * browser already carries MMUSERID for another Mattermost user than the
 * link's, the bridge asks first ("You are signed in to chat as A.
 * Continue as B?") and goes on only with a confirmation code that the
 * page carries and a cross-site request cannot compute: a MAC, under a
 * key only the bridges have, of the token's replay key and the user the
 * browser is signed in as.
 */
#ifndef CB_SWAP_H
#define CB_SWAP_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"

#define SWAP_CODE_LEN CB_B64_LEN(32)

/* True if the request's Cookie header holds exactly one MMUSERID, a valid
 * Mattermost id (copied to current), and it is not expected: the link's
 * account, or "" when that account does not exist yet. */
bool swap_needed(const char *cookie_header, const char *expected, char current[CB_MMID_LEN + 1]);

/* The confirmation code for the token with replay key jti and the signed
 * in user current, under secret (any length; the bridge uses its
 * Mattermost token, which every host of one deployment shares). */
void swap_code(const unsigned char *secret, size_t secret_len, const char *jti, const char *current,
    char out[SWAP_CODE_LEN + 1]);

/* True if given is the code for (jti, current), compared in constant time. */
bool swap_code_ok(const unsigned char *secret, size_t secret_len, const char *jti,
    const char *current, const char *given, size_t given_len);

#endif
