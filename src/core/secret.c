/*
 * secret.c - secrets in guarded memory and secret files (see secret.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "bounds.h"
#include "secret.h"

enum cb_err
secret_set(struct secret *s, const void *p, size_t n)
{
	secret_free(s);
	if (n == 0)
		return CB_OK;
	if ((s->p = sodium_malloc(n)) == NULL)
		return CB_ENOMEM;
	memcpy(s->p, p, n);
	s->len = n;
	return CB_OK;
}

void
secret_free(struct secret *s)
{
	if (s->p != NULL)
		sodium_free(s->p);	/* wipes */
	s->p = NULL;
	s->len = 0;
}

/* A secret file's owner is one who could not have swapped it under the
 * bridge: the user it runs as; and for root (an operator running migrate,
 * users or check-config), root or the service user the package creates. */
static bool
owner_trusted(uid_t owner)
{
	struct passwd *pw;

	if (owner == geteuid())
		return true;
	if (geteuid() != 0)
		return false;
	return owner == 0 || ((pw = getpwnam(CB_SERVICE_USER)) != NULL && pw->pw_uid == owner);
}

enum cb_err
secret_read_file(const char *path, struct secret *out, char *err, size_t errcap)
{
	unsigned char buf[CB_SECRET_MAX + 2];
	struct stat st;
	size_t len = 0;
	ssize_t r;
	enum cb_err e = CB_ECONFIG;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		(void)snprintf(err, errcap, "cannot open secret file %s: %s", path, strerror(errno));
		return CB_ECONFIG;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		(void)snprintf(err, errcap, "secret file %s is not a regular file", path);
		goto out;
	}
	if (!owner_trusted(st.st_uid)) {
		(void)snprintf(err, errcap, "secret file %s is owned by uid %u; it must belong to the "
		    "user the bridge runs as (uid %u)%s", path, (unsigned)st.st_uid,
		    (unsigned)geteuid(), geteuid() == 0 ? ", root or " CB_SERVICE_USER : "");
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		(void)snprintf(err, errcap,
		    "secret file %s has mode %04o; it must not be accessible by group or others "
		    "(run: chmod 600 %s)", path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	while (len < sizeof(buf) && (r = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			(void)snprintf(err, errcap, "cannot read secret file %s: %s", path,
			    strerror(errno));
			goto out;
		}
		len += (size_t)r;
	}
	if (len > CB_SECRET_MAX) {
		(void)snprintf(err, errcap, "secret file %s is larger than %d bytes", path,
		    CB_SECRET_MAX);
		goto out;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		(void)snprintf(err, errcap, "secret file %s is empty", path);
		goto out;
	}
	if ((e = secret_set(out, buf, len)) != CB_OK)
		(void)snprintf(err, errcap, "out of memory reading %s", path);
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return e;
}
