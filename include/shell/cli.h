/*
 * cli.h - the chat-bridge command line (product.md "Command line
 * contract").
 *
 * Exit status: 0 success; 1 refused token, invalid configuration or an
 * operation that failed; 2 usage error or command not available.
 */
#ifndef CB_CLI_H
#define CB_CLI_H

#define EXIT_REFUSED 1
#define EXIT_USAGE 2

/* Runs the command line; returns the process exit status. */
int cli_main(int argc, char **argv);

#endif
