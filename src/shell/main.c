/*
 * main.c - process entry: initialise the libraries once, then run the
 * command line.
 */
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	int rc;

	if (sodium_init() < 0) {
		fputs("chat-bridge: libsodium initialisation failed\n", stderr);
		return EXIT_FAILURE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("chat-bridge: libcurl initialisation failed\n", stderr);
		return EXIT_FAILURE;
	}
	rc = cli_main(argc, argv);
	curl_global_cleanup();
	return rc;
}
