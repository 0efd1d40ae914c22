/*
 * iso3166.h - ISO 3166-1 alpha-2 -> alpha-3 (lower case), for the
 * jurisdiction team of a "reg" claim (token.md "Teams": BR-SP -> bra).
 */
#ifndef CB_ISO3166_H
#define CB_ISO3166_H

#include <stddef.h>

/* Lower-case alpha-3 code for the upper-case alpha-2 code a2, or NULL if
 * a2 is not an assigned code. The result is static. */
const char *iso3166_alpha3(const char *a2);

/* Number of countries in the table. */
size_t iso3166_count(void);

#endif
