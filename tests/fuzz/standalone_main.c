/*
 * standalone_main.c - replays fuzz inputs without libFuzzer, so every
 * build runs the fuzz targets over their corpora (and every crash input
 * ever committed) as ordinary tests. Arguments: files or directories.
 * A property that fails (FUZZ_CHECK) aborts: the input being replayed is
 * named on stderr and the test fails.
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char current[4096];	/* the input being replayed, for on_abort */

/* SIGABRT: name the input (async-signal-safe writes only), then die of
 * the signal as before. */
static void
on_abort(int sig)
{
	static const char pre[] = "replay: aborted on input ";
	ssize_t w;

	w = write(STDERR_FILENO, pre, sizeof(pre) - 1);
	w = write(STDERR_FILENO, current, strlen(current));
	w = write(STDERR_FILENO, "\n", 1);
	(void)w;
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cannot read %s\n", path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	p = malloc((size_t)n + 1);
	if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(p);
		return -1;
	}
	fclose(f);
	snprintf(current, sizeof(current), "%s", path);
	if (LLVMFuzzerTestOneInput(p, (size_t)n) != 0) {
		fprintf(stderr, "%s: the target returned non-zero\n", path);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, files = 0;

	if (sodium_init() < 0)
		return 1;
	signal(SIGABRT, on_abort);
	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "missing %s\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) != 0)
				return 1;
			files++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL)
			return 1;
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (run_file(path) != 0) {
				closedir(d);
				return 1;
			}
			files++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", files);
	return files > 0 ? 0 : 1;
}
