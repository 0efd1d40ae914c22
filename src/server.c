/*
 * server.c - the FastCGI responder (`chat-bridge serve`).
 *
 * A pool of worker threads, each with its own FCGX_Request, libcurl
 * handle and PostgreSQL connections, accepting on one listening socket
 * (unix, loopback TCP, fd 0 from spawn-fcgi/systemd StandardInput=socket,
 * or systemd LISTEN_FDS). Only libfcgi's FCGX_* API is used.
 *
 * Signals are handled in the main thread with sigwait: SIGTERM/SIGINT stop
 * accepting, let requests in flight finish and exit 0; SIGHUP reloads the
 * configuration (issuers, keys, secrets, limits) without dropping a
 * request: workers hold a reference to the configuration they started a
 * request with, and new requests see the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "cli.h"
#include "config.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "mm.h"
#include "mmdb.h"
#include "page.h"
#include "ratelimit.h"
#include "request.h"
#include "route.h"
#include "server.h"
#include "store.h"
#include "teamcache.h"
#include "useragent.h"
#include "util.h"

#define RATELIMIT_SLOTS 65536
#define TEAMCACHE_SLOTS 256
#define PURGE_EVERY_S 60

/* A configuration shared by reference count (swapped on SIGHUP). */
struct cfg_ref {
	struct config *c;
	atomic_int refs;
};

enum { W_IDLE = 0, W_BUSY = 1, W_DONE = 2 };

struct server;

struct worker {
	struct server *srv;
	pthread_t thread;
	atomic_int state;
	FCGX_Request req;
	struct http *http;
	struct store *store;
	struct mmdb *mmdb;
	char store_dsn[CB_DSN_MAX];
	char mmdb_dsn[CB_DSN_MAX];
	int64_t last_purge;
	/* per request */
	struct request rq;
	struct response rs;
	struct attempt a;
	struct attempt_strings as;
	char body[CB_BODY_MAX + 1];
	char ua[CB_USER_AGENT_MAX + 1];
};

struct server {
	pthread_mutex_t cfg_mu;
	struct cfg_ref *cfg;
	int listen_fd;
	char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct metrics *metrics;
	struct ratelimit *rl;
	struct teamcache *teams;
	atomic_bool stopping;
	size_t nworkers;
	struct worker *workers;
};

/* ------------------------------------------------------------ config refs */

static struct cfg_ref *
cfg_acquire(struct server *s)
{
	struct cfg_ref *r;

	pthread_mutex_lock(&s->cfg_mu);
	r = s->cfg;
	atomic_fetch_add(&r->refs, 1);
	pthread_mutex_unlock(&s->cfg_mu);
	return r;
}

static void
cfg_release(struct cfg_ref *r)
{
	if (atomic_fetch_sub(&r->refs, 1) == 1) {
		config_free(r->c);
		free(r);
	}
}

static struct cfg_ref *
cfg_ref_new(struct config *c)
{
	struct cfg_ref *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->c = c;
	atomic_init(&r->refs, 1);
	return r;
}

/* ------------------------------------------------------------ listening */

static int
listen_unix(struct server *s, const char *path, unsigned mode)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_msg("error", "listen: socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (lstat(path, &st) == 0) {
		/* A socket left by a previous run: remove it, unless a live
		 * process still answers on it. */
		if (!S_ISSOCK(st.st_mode)) {
			log_msg("error", "listen: %s exists and is not a socket", path);
			close(fd);
			return -1;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			log_msg("error", "listen: another process is serving on %s", path);
			close(fd);
			return -1;
		}
		close(fd);
		unlink(path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, (mode_t)mode) != 0 ||
	    listen(fd, 1024) != 0) {
		log_msg("error", "listen: %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	(void)str_set(s->socket_path, sizeof(s->socket_path), path);
	return fd;
}

static int
listen_tcp(const char *host, unsigned port)
{
	struct addrinfo hints, *ai = NULL;
	char ports[8];
	int fd = -1, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | (strcmp(host, "localhost") == 0 ? 0 : AI_NUMERICHOST);
	(void)snprintf(ports, sizeof(ports), "%u", port);
	if ((rc = getaddrinfo(host, ports, &hints, &ai)) != 0) {
		log_msg("error", "listen: %s: %s", host, gai_strerror(rc));
		return -1;
	}
	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
		log_msg("error", "listen: %s:%u: %s", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int
is_listening_socket(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v != 0;
}

static int
open_listener(struct server *s, const char *listen_addr, unsigned mode)
{
	char kind, addr[CB_PATH_MAX];
	unsigned port;
	const char *lp, *lf;
	int fd;

	if (listen_addr == NULL || listen_addr[0] == '\0') {
		/* systemd socket activation with LISTEN_FDS hands over fd 3;
		 * StandardInput=socket and spawn-fcgi hand over fd 0. */
		lp = getenv("LISTEN_PID");
		lf = getenv("LISTEN_FDS");
		fd = (lp != NULL && lf != NULL && strtol(lp, NULL, 10) == (long)getpid() &&
		    strtol(lf, NULL, 10) >= 1) ? 3 : 0;
		if (!is_listening_socket(fd)) {
			log_msg("error", "no listen address configured and fd %d is not a listening "
			    "socket (use --listen, [bridge] listen, spawn-fcgi or systemd)", fd);
			return -1;
		}
		return fd;
	}
	if (config_listen_parse(listen_addr, &kind, addr, sizeof(addr), &port) != CB_OK) {
		log_msg("error", "listen: cannot parse '%s'", listen_addr);
		return -1;
	}
	if (kind == 'u')
		return listen_unix(s, addr, mode);
	if (kind == 'f') {
		if (!is_listening_socket((int)port)) {
			log_msg("error", "listen: fd %u is not a listening socket", port);
			return -1;
		}
		return (int)port;
	}
	return listen_tcp(addr, port);
}

/* ------------------------------------------------------------ requests */

static const char *
param(const struct worker *w, const char *name)
{
	return FCGX_GetParam(name, w->req.envp);
}

/* Re-creates per-worker resources whose configuration changed. */
static void
worker_resources(struct worker *w, const struct config *c)
{
	if (w->store == NULL || strcmp(w->store_dsn, c->store_database) != 0) {
		store_free(w->store);
		w->store = store_new(c->store_database, w->srv->metrics);
		(void)str_set(w->store_dsn, sizeof(w->store_dsn), c->store_database);
	}
	if (c->session_mode == SESSION_DATABASE &&
	    (w->mmdb == NULL || strcmp(w->mmdb_dsn, c->mm_database) != 0)) {
		mmdb_free(w->mmdb);
		w->mmdb = mmdb_new(c->mm_database, w->srv->metrics);
		(void)str_set(w->mmdb_dsn, sizeof(w->mmdb_dsn), c->mm_database);
	}
}

static void
read_request(struct worker *w)
{
	struct request *rq = &w->rq;
	const char *cl = param(w, "CONTENT_LENGTH");
	struct timespec ts;
	uint64_t len = 0;
	char rid[16];

	memset(rq, 0, sizeof(*rq));
	rq->method = param(w, "REQUEST_METHOD") != NULL ? param(w, "REQUEST_METHOD") : "GET";
	rq->query = param(w, "QUERY_STRING") != NULL ? param(w, "QUERY_STRING") : "";
	rq->query_len = strlen(rq->query);
	rq->content_type = param(w, "CONTENT_TYPE");
	rq->client = param(w, "REMOTE_ADDR") != NULL ? param(w, "REMOTE_ADDR") : "";
	ua_sanitize(param(w, "HTTP_USER_AGENT"), w->ua);
	rq->user_agent = w->ua;
	rq->accept = param(w, "HTTP_ACCEPT");
	rq->cookie = param(w, "HTTP_COOKIE");
	random_hex(rid, sizeof(rid));
	memcpy(rq->request_id, rid, sizeof(rid));
	rq->request_id[16] = '\0';
	clock_gettime(CLOCK_REALTIME, &ts);
	rq->now = (int64_t)ts.tv_sec;
	rq->now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (cl != NULL && cl[0] != '\0' && parse_u64(cl, strlen(cl), UINT64_MAX, &len) == CB_OK &&
	    len > 0) {
		if (len > CB_BODY_MAX) {
			rq->body_too_large = true;
		} else {
			int got = FCGX_GetStr(w->body, (int)len, w->req.in);

			rq->body = w->body;
			rq->body_len = got > 0 ? (size_t)got : 0;
			w->body[rq->body_len] = '\0';
		}
	}
}

static enum cb_err
simple_page(struct response *rs, int status, const char *ct, const char *text)
{
	rs->status = status;
	rs->content_type = ct;
	return buf_adds(&rs->body, text);
}

enum cb_err
ready_handle(const struct handler_ctx *h, const struct request *rq, struct response *rs)
{
	struct mm_ctx m = {h->cfg, h->http, h->metrics, NULL};
	struct mm_result res;
	enum cb_err es, em, ed = CB_OK;

	(void)rq;
	memset(&res, 0, sizeof(res));
	es = store_ping(h->store);
	em = mm_ping(&m, &res);
	if (h->mmdb != NULL)
		ed = mmdb_ping(h->mmdb);
	metrics_ready(h->metrics, es, em, h->mmdb != NULL ? &ed : NULL, rq->now);
	rs->status = (es == CB_OK && em == CB_OK && ed == CB_OK) ? 200 : 503;
	rs->content_type = "application/json";
	buf_printf(&rs->body, "{\"ready\":%s,\"store\":\"%s\",\"mattermost\":\"%s\"",
	    rs->status == 200 ? "true" : "false", cb_err_reason(es), cb_err_reason(em));
	if (h->mmdb != NULL)
		buf_printf(&rs->body, ",\"mattermost_database\":\"%s\"", cb_err_reason(ed));
	buf_adds(&rs->body, "}\n");
	return rs->body.err;
}

/* Writes the response; header values are checked for CR/LF once more.
 * The header block is built with our own formatting (libfcgi's printf
 * does not know every conversion) and sent in one piece. */
static void
write_response(struct worker *w, bool head)
{
	struct response *rs = &w->rs;
	struct buf hb;
	size_t i;

	if (rs->location[0] != '\0' && !is_visible_ascii(rs->location, strlen(rs->location))) {
		log_msg("error", "refusing to send a Location with forbidden bytes");
		rs->location[0] = '\0';
		rs->has_session = false;
		rs->status = 500;
		buf_reset(&rs->body);
		if (page_error(&rs->body, 500, w->rq.request_id, false, &rs->content_type) != CB_OK)
			buf_reset(&rs->body);
	}
	buf_init(&hb, 16384);
	buf_printf(&hb, "Status: %d %s\r\n", rs->status, http_status_text(rs->status));
	if (rs->location[0] != '\0')
		buf_printf(&hb, "Location: %s\r\n", rs->location);
	if (rs->has_session) {
		buf_printf(&hb, "Set-Cookie: %s\r\n", rs->session.auth);
		buf_printf(&hb, "Set-Cookie: %s\r\n", rs->session.user);
		buf_printf(&hb, "Set-Cookie: %s\r\n", rs->session.csrf);
	}
	for (i = 0; i < rs->n_extra_cookies; i++)
		buf_printf(&hb, "Set-Cookie: %s\r\n", rs->extra_cookies[i]);
	if (rs->retry_after > 0)
		buf_printf(&hb, "Retry-After: %u\r\n", rs->retry_after);
	if (rs->allow != NULL)
		buf_printf(&hb, "Allow: %s\r\n", rs->allow);
	buf_adds(&hb, "Cache-Control: no-store\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
	    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'\r\n");
	buf_printf(&hb, "X-Request-Id: %s\r\n", w->rq.request_id);
	buf_printf(&hb, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
	    rs->content_type != NULL ? rs->content_type : "text/plain; charset=utf-8", rs->body.len);
	if (hb.err == CB_OK) {
		FCGX_PutStr(hb.data, (int)hb.len, w->req.out);
		if (!head && rs->body.len > 0)
			FCGX_PutStr(rs->body.data, (int)rs->body.len, w->req.out);
	} else {
		FCGX_PutS("Status: 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", w->req.out);
	}
	buf_release_wipe(&hb);	/* it held the session cookies */
}

/* Handles one accepted request; returns true if it was a sign-in attempt. */
static bool
handle(struct worker *w, const struct config *cfg, enum cb_err *reason)
{
	struct handler_ctx h;
	struct route_params rp;
	enum route route;
	enum cb_err e = CB_OK;
	bool attempt = false, head;
	const char *m;

	read_request(w);
	memset(&w->rs, 0, sizeof(w->rs));
	buf_init(&w->rs.body, 65536);
	memset(&w->a, 0, sizeof(w->a));
	memset(&w->as, 0, sizeof(w->as));
	/* The parameters are freed by FCGX_Finish_r, before the audit row is
	 * written: copy what the attempt needs now. */
	(void)str_set(w->as.method, sizeof(w->as.method), w->rq.method);
	(void)str_set(w->as.client, sizeof(w->as.client), w->rq.client);
	m = w->rq.method;
	head = strcmp(m, "HEAD") == 0;
	h.cfg = cfg;
	h.http = w->http;
	h.store = w->store;
	h.mmdb = cfg->session_mode == SESSION_DATABASE ? w->mmdb : NULL;
	h.metrics = w->srv->metrics;
	h.teams = w->srv->teams;
	h.rl = cfg->rate_limit_per_minute > 0 ? w->srv->rl : NULL;

	rp.script_name = param(w, "SCRIPT_NAME");
	rp.path_info = param(w, "PATH_INFO");
	rp.document_uri = param(w, "DOCUMENT_URI");
	rp.request_uri = param(w, "REQUEST_URI");
	route = route_match(&rp);
	w->a.route = route == ROUTE_NONE ? NULL : route_path(route);
	switch (route) {
	case ROUTE_OPEN:
	case ROUTE_BACK:
		attempt = true;
		e = route == ROUTE_OPEN ? open_handle(&h, &w->rq, &w->rs, &w->a, &w->as)
		    : back_handle(&h, &w->rq, &w->rs, &w->a, &w->as);
		break;
	case ROUTE_PING:
	case ROUTE_READY:
	case ROUTE_METRICS:
		if (strcmp(m, "GET") != 0 && !head) {
			w->rs.allow = "GET, HEAD";
			e = CB_REQ_METHOD;
		} else if (route == ROUTE_PING) {
			e = simple_page(&w->rs, 200, "text/plain; charset=utf-8", "ok\n");
		} else if (route == ROUTE_READY) {
			e = ready_handle(&h, &w->rq, &w->rs);
		} else {
			w->rs.status = 200;
			w->rs.content_type = "text/plain; version=0.0.4; charset=utf-8";
			e = metrics_render(w->srv->metrics, &w->rs.body);
		}
		break;
	default:
		e = CB_REQ_NOT_FOUND;
		break;
	}
	if (e != CB_OK && (w->rs.status == 0 || w->rs.body.err != CB_OK)) {
		/* The generic page; the precise reason goes to the log only. */
		w->rs.status = cb_err_status(e);
		w->rs.location[0] = '\0';
		w->rs.has_session = false;
		w->rs.n_extra_cookies = 0;
		buf_release(&w->rs.body);
		buf_init(&w->rs.body, 65536);
		if (page_error(&w->rs.body, w->rs.status, w->rq.request_id,
		    page_wants_json(w->rq.accept), &w->rs.content_type) != CB_OK)
			buf_reset(&w->rs.body);
	}
	write_response(w, head);
	*reason = e;
	return attempt;
}

/* After the response went out: the log line, the audit row, metrics. */
static void
record(struct worker *w, const struct config *cfg, enum cb_err e, uint64_t t0)
{
	struct attempt *a = &w->a;

	a->ts_ms = w->rq.now_ms;
	a->request_id = w->rq.request_id;
	a->method = w->as.method;
	a->client = w->as.client;
	a->status = w->rs.status;
	a->reason = e;
	a->latency_us = (uint64_t)mono_us() - t0;
	if (a->mode == NULL)
		a->mode = cfg->session_mode == SESSION_LOGIN ? "login" : "database";
	log_attempt(a);
	metrics_attempt(w->srv->metrics, e);
	metrics_observe(w->srv->metrics, MH_CLICK, a->latency_us);
	metrics_observe(w->srv->metrics, MH_OWN,
	    a->latency_us > a->upstream_us ? a->latency_us - a->upstream_us : 0);
	/* No audit row for rate-limited attempts (the limiter exists to keep
	 * them away from the database) or when the store is down. */
	if (e != CB_REQ_RATE_LIMITED && e != CB_STORE_UNAVAILABLE && store_audit(w->store, a) != CB_OK)
		log_msg("warn", "audit row for request %s not written", w->rq.request_id);
	if (w->rq.now - w->last_purge >= PURGE_EVERY_S) {
		w->last_purge = w->rq.now;
		if (store_purge(w->store, cfg->audit_retention_days) != CB_OK)
			log_msg("warn", "purge of expired replay, OAuth2 state or audit rows failed");
	}
}

static void
set_usr2(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(how, &set, NULL);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct server *s = w->srv;

	w->http = http_new();
	if (w->http == NULL || FCGX_InitRequest(&w->req, s->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_msg("error", "worker: out of memory");
		atomic_store(&w->state, W_DONE);
		return NULL;
	}
	while (!atomic_load(&s->stopping)) {
		struct cfg_ref *ref;
		enum cb_err e;
		uint64_t t0;
		int rc;

		atomic_store(&w->state, W_IDLE);
		set_usr2(SIG_UNBLOCK);	/* only an idle worker may be interrupted */
		rc = FCGX_Accept_r(&w->req);
		set_usr2(SIG_BLOCK);
		if (rc < 0) {
			if (atomic_load(&s->stopping))
				break;
			if (errno != EINTR)
				nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
			continue;
		}
		atomic_store(&w->state, W_BUSY);
		t0 = (uint64_t)mono_us();
		ref = cfg_acquire(s);
		worker_resources(w, ref->c);
		if (handle(w, ref->c, &e)) {
			FCGX_Finish_r(&w->req);
			record(w, ref->c, e, t0);
		} else {
			FCGX_Finish_r(&w->req);
		}
		sodium_memzero(w->body, sizeof(w->body));
		buf_release_wipe(&w->rs.body);
		sodium_memzero(&w->rs.session, sizeof(w->rs.session));
		cfg_release(ref);
	}
	FCGX_Free(&w->req, 1);
	http_free(w->http);
	store_free(w->store);
	mmdb_free(w->mmdb);
	atomic_store(&w->state, W_DONE);
	return NULL;
}

static void
on_usr2(int sig)
{
	(void)sig;	/* only interrupts accept() */
}

static void
reload(struct server *s)
{
	struct cfg_ref *old, *nr;
	struct config *c;
	char err[1024];

	pthread_mutex_lock(&s->cfg_mu);
	old = s->cfg;
	pthread_mutex_unlock(&s->cfg_mu);
	if (config_load(old->c->path, &c, err, sizeof(err)) != CB_OK) {
		log_msg("error", "reload failed, keeping the running configuration: %s", err);
		metrics_reload(s->metrics, 0);
		return;
	}
	if (strcmp(c->listen, old->c->listen) != 0 || c->workers != old->c->workers)
		log_msg("warn", "reload: listen and workers changes take effect after a restart");
	if ((nr = cfg_ref_new(c)) == NULL) {
		config_free(c);
		metrics_reload(s->metrics, 0);
		return;
	}
	pthread_mutex_lock(&s->cfg_mu);
	s->cfg = nr;
	pthread_mutex_unlock(&s->cfg_mu);
	cfg_release(old);
	log_set_format(c->log_format);
	metrics_reload(s->metrics, 1);
	log_msg("info", "configuration reloaded: %zu issuer(s), session mode %s", c->issuers.n,
	    c->session_mode == SESSION_LOGIN ? "login" : "database");
}

/* Stops the workers: idle ones are interrupted in accept(), busy ones
 * finish their request first. */
static void
stop_workers(struct server *s)
{
	size_t i, alive;

	atomic_store(&s->stopping, true);
	FCGX_ShutdownPending();
	do {
		alive = 0;
		for (i = 0; i < s->nworkers; i++) {
			int st = atomic_load(&s->workers[i].state);

			if (st == W_DONE)
				continue;
			alive++;
			if (st == W_IDLE)
				pthread_kill(s->workers[i].thread, SIGUSR2);
		}
		if (alive > 0)
			nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	} while (alive > 0);
	for (i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i].thread, NULL);
}

int
server_run(struct config *c, const char *listen_override)
{
	struct server s;
	struct sigaction sa;
	sigset_t set;
	size_t i, started = 0;
	int sig, rc = EXIT_FAILURE;

	memset(&s, 0, sizeof(s));
	pthread_mutex_init(&s.cfg_mu, NULL);
	log_set_format(c->log_format);
	if ((s.cfg = cfg_ref_new(c)) == NULL) {
		config_free(c);
		return EXIT_FAILURE;
	}
	s.metrics = metrics_new();
	s.rl = ratelimit_new(RATELIMIT_SLOTS);
	s.teams = teamcache_new(TEAMCACHE_SLOTS);
	s.nworkers = c->workers;
	s.workers = calloc(s.nworkers, sizeof(*s.workers));
	if (s.metrics == NULL || s.rl == NULL || s.teams == NULL || s.workers == NULL)
		goto out;

	/* Signals: blocked in every thread; the main thread sigwaits for
	 * TERM/INT/HUP; SIGUSR2 (no SA_RESTART) interrupts idle accepts. */
	if (FCGX_Init() != 0)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	s.listen_fd = open_listener(&s, listen_override != NULL ? listen_override : c->listen,
	    c->listen_mode);
	if (s.listen_fd < 0)
		goto out;
	for (i = 0; i < s.nworkers; i++) {
		s.workers[i].srv = &s;
		atomic_init(&s.workers[i].state, W_IDLE);
		if (pthread_create(&s.workers[i].thread, NULL, worker_main, &s.workers[i]) != 0) {
			log_msg("error", "cannot start worker %zu", i);
			s.nworkers = started;
			stop_workers(&s);
			goto out;
		}
		started++;
	}
	log_msg("info", "chat-bridge serving %s on %s%s with %zu workers, session mode %s, "
	    "%zu issuer(s)", c->site_url,
	    listen_override != NULL ? listen_override : (c->listen[0] ? c->listen : "fd "),
	    listen_override != NULL || c->listen[0] ? "" : (s.listen_fd == 3 ? "3" : "0"),
	    s.nworkers, c->session_mode == SESSION_LOGIN ? "login" : "database", c->issuers.n);

	sigdelset(&set, SIGUSR2);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload(&s);
			continue;
		}
		log_msg("info", "signal %d: finishing requests in flight, then exiting", sig);
		break;
	}
	stop_workers(&s);
	log_msg("info", "stopped");
	rc = 0;
out:
	if (s.socket_path[0] != '\0')
		unlink(s.socket_path);
	if (s.listen_fd > 2)
		close(s.listen_fd);
	free(s.workers);
	teamcache_free(s.teams);
	ratelimit_free(s.rl);
	metrics_free(s.metrics);
	cfg_release(s.cfg);
	pthread_mutex_destroy(&s.cfg_mu);
	return rc;
}
