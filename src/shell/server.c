/*
 * server.c - the FastCGI responder (`chat-bridge serve`).
 *
 * A pool of worker threads, each with its own FCGX_Request, libcurl
 * handle and PostgreSQL connections, accepting on one listening socket
 * (listen.h). For each request a worker copies the FastCGI parameters
 * into a struct request, has dispatch.h answer it, sends the rendered
 * response (response.h), and only then writes the log line, the audit
 * row and the metrics. Only libfcgi's FCGX_* API is used.
 *
 * Signals are handled in the main thread with sigwait: SIGTERM/SIGINT stop
 * accepting, let requests in flight finish and exit 0; SIGHUP reloads the
 * configuration (issuers, keys, secrets, limits) without dropping a
 * request: workers hold a reference to the configuration they started a
 * request with, and new requests see the new one.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "clock.h"
#include "config.h"
#include "dispatch.h"
#include "handlers.h"
#include "http.h"
#include "listen.h"
#include "log.h"
#include "loginq.h"
#include "metrics.h"
#include "mm.h"
#include "mmdb.h"
#include "probe.h"
#include "ratelimit.h"
#include "ready.h"
#include "request.h"
#include "response.h"
#include "route.h"
#include "server.h"
#include "store.h"
#include "teamcache.h"
#include "useragent.h"
#include "util.h"

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
	bool mmdb_sessions;	/* w->mmdb was made for database mode */
	int64_t last_purge;
	/* per request */
	struct request rq;
	struct response rs;
	struct attempt a;
	struct attempt_strings as;
	char body[CB_BODY_MAX + 1];
	char ua[CB_USER_AGENT_MAX + 1];
	char sub_hash[CB_PSEUDONYM_LEN + 1];
};

struct server {
	pthread_mutex_t cfg_mu;
	struct cfg_ref *cfg;
	struct listener listener;
	struct metrics *metrics;
	struct ratelimit *rl;
	struct teamcache *teams;
	struct ready_cache *ready;
	struct mm_server_cache *mmserver;
	struct loginq *loginq;
	char probe_msg[768];	/* what the last probe said */
	atomic_bool stopping;
	atomic_uint kept;	/* workers waiting on a kept connection's next request */
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
	if (c->mm_database[0] == '\0') {
		mmdb_free(w->mmdb);
		w->mmdb = NULL;
		w->mmdb_dsn[0] = '\0';
	} else if (w->mmdb == NULL || strcmp(w->mmdb_dsn, c->mm_database) != 0 ||
	    w->mmdb_sessions != (c->session_mode == SESSION_DATABASE)) {
		mmdb_free(w->mmdb);
		w->mmdb_sessions = c->session_mode == SESSION_DATABASE;
		w->mmdb = mmdb_new(c->mm_database, w->mmdb_sessions, w->srv->metrics);
		(void)str_set(w->mmdb_dsn, sizeof(w->mmdb_dsn), c->mm_database);
	}
}

/* request.read_body: the body, at most CB_BODY_MAX bytes, within
 * CB_BODY_DEADLINE_MS. Reads no more than libfcgi has buffered, or one
 * more record, at a time, with the socket's receive timeout set to what
 * is left of the deadline, so a client trickling a byte a second cannot
 * hold the worker past it. */
static enum cb_err
read_body(const struct request *rq, const char **body, size_t *len)
{
	struct worker *w = rq->io;
	FCGX_Stream *in = w->req.in;
	int64_t deadline = clock_mono_us() + (int64_t)CB_BODY_DEADLINE_MS * 1000, left;
	size_t want = (size_t)rq->content_length, got = 0;
	enum cb_err e = CB_OK;

	*body = "";
	*len = 0;
	if (rq->content_length > CB_BODY_MAX)
		return CB_REQ_BODY_TOO_LARGE;
	while (got < want) {
		size_t buffered = (size_t)(in->stop - in->rdNext), n;
		int r;

		left = deadline - clock_mono_us();
		if (left <= 0) {
			e = CB_REQ_BODY_TIMEOUT;
			break;
		}
		if (buffered == 0) {
			struct timeval tv = {(time_t)(left / 1000000), (suseconds_t)(left % 1000000)};

			(void)setsockopt(w->req.ipcFd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			n = 1;	/* one read(2): libfcgi fills its buffer with what came */
		} else {
			n = buffered < want - got ? buffered : want - got;
		}
		if ((r = FCGX_GetStr(w->body + got, (int)n, in)) <= 0) {
			e = clock_mono_us() >= deadline ? CB_REQ_BODY_TIMEOUT : CB_REQ_MALFORMED;
			break;
		}
		got += (size_t)r;
	}
	if (w->req.ipcFd >= 0) {
		struct timeval none = {0, 0};

		(void)setsockopt(w->req.ipcFd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	}
	w->body[got] = '\0';
	*body = w->body;
	*len = got;
	return e;
}

/* Copies the FastCGI parameters the handlers may read. The body is read
 * later, by the route that takes one (read_body). */
static void
read_request(struct worker *w)
{
	struct request *rq = &w->rq;
	const char *cl = param(w, "CONTENT_LENGTH");
	uint64_t len = 0;

	memset(rq, 0, sizeof(*rq));
	rq->method = param(w, "REQUEST_METHOD") != NULL ? param(w, "REQUEST_METHOD") : "GET";
	rq->query = param(w, "QUERY_STRING") != NULL ? param(w, "QUERY_STRING") : "";
	rq->query_len = strlen(rq->query);
	rq->content_type = param(w, "CONTENT_TYPE");
	rq->client = param(w, "REMOTE_ADDR") != NULL ? param(w, "REMOTE_ADDR") : "";
	ua_sanitize(param(w, "HTTP_USER_AGENT"), w->ua);
	rq->user_agent = w->ua;
	rq->accept = param(w, "HTTP_ACCEPT");
	rq->accept_language = param(w, "HTTP_ACCEPT_LANGUAGE");
	rq->cookie = param(w, "HTTP_COOKIE");
	random_hex(rq->request_id, CB_REQUEST_ID_LEN);
	rq->request_id[CB_REQUEST_ID_LEN] = '\0';
	rq->now_ms = clock_now_ms();
	rq->now = rq->now_ms / 1000;
	if (cl != NULL && cl[0] != '\0' && parse_u64(cl, strlen(cl), UINT64_MAX, &len) == CB_OK)
		rq->content_length = len;
	rq->read_body = read_body;
	rq->io = w;
}

/* Sends the rendered response; a failure to render sends a bare 500. */
static void
write_response(struct worker *w, bool head)
{
	struct buf out;
	enum cb_err e;

	buf_init(&out, CB_RESPONSE_HEADER_MAX + CB_RESPONSE_BODY_MAX);
	e = response_render(&w->rs, w->rq.request_id, head, &out);
	if (e == CB_OK || e == CB_EINTERNAL) {
		if (e == CB_EINTERNAL)
			log_msg(LOG_ERROR, "refused to send a Location with forbidden bytes");
		FCGX_PutStr(out.data, (int)out.len, w->req.out);
	} else {
		FCGX_PutS("Status: 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", w->req.out);
	}
	buf_release_wipe(&out);	/* it held the session cookies */
}

/* Handles one accepted request; returns true if it was a sign-in attempt. */
static bool
handle(struct worker *w, const struct config *cfg, enum cb_err *reason)
{
	struct handler_ctx h;
	struct route_params rp;
	bool attempt;

	read_request(w);
	response_init(&w->rs);
	memset(&w->a, 0, sizeof(w->a));
	memset(&w->as, 0, sizeof(w->as));
	/* The parameters are freed by FCGX_Finish_r, before the audit row is
	 * written: copy what the attempt needs now. */
	(void)str_set(w->as.method, sizeof(w->as.method), w->rq.method);
	(void)str_set(w->as.client, sizeof(w->as.client), w->rq.client);
	h.cfg = cfg;
	h.http = w->http;
	h.store = w->store;
	h.mmdb = w->mmdb;
	h.metrics = w->srv->metrics;
	h.teams = w->srv->teams;
	h.rl = cfg->rate_limit_per_minute > 0 ? w->srv->rl : NULL;
	h.ready = w->srv->ready;
	h.mmserver = w->srv->mmserver;
	h.loginq = w->srv->loginq;
	rp.script_name = param(w, "SCRIPT_NAME");
	rp.path_info = param(w, "PATH_INFO");
	rp.document_uri = param(w, "DOCUMENT_URI");
	rp.request_uri = param(w, "REQUEST_URI");
	*reason = dispatch(&h, &rp, &w->rq, &w->rs, &w->a, &w->as, &attempt);
	write_response(w, strcmp(w->rq.method, "HEAD") == 0);
	return attempt;
}

/* On a connection the web server keeps (FCGI_KEEP_CONN), the next request
 * follows this one's records: read what is left of this one's body
 * (a body refused unread, say), within CB_BODY_DRAIN_MAX bytes and
 * CB_BODY_DRAIN_MS; true when its end was reached. */
static bool
drain_body(struct worker *w)
{
	struct timeval tv = {CB_BODY_DRAIN_MS / 1000, (CB_BODY_DRAIN_MS % 1000) * 1000}, none = {0, 0};
	char scratch[4096];
	size_t total = 0;
	int r;

	if (w->req.in == NULL || w->req.ipcFd < 0)
		return false;
	(void)setsockopt(w->req.ipcFd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while ((r = FCGX_GetStr(scratch, (int)sizeof(scratch), w->req.in)) > 0 &&
	    (total += (size_t)r) <= CB_BODY_DRAIN_MAX)
		;
	(void)setsockopt(w->req.ipcFd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	return r == 0 && total <= CB_BODY_DRAIN_MAX && FCGX_GetError(w->req.in) == 0 &&
	    FCGX_HasSeenEOF(w->req.in) != 0;
}

/* Ends the request with libfcgi. A kept connection (the web server's
 * fastcgi_keep_conn) stays open only when the request's records were
 * read to their end, and only while at most half the workers wait on kept
 * connections: libfcgi serves a kept connection with the worker that
 * accepted it, so a web server keeping more connections than there are
 * workers would leave new ones waiting. Past that the connection is
 * closed after the answer, as without keep-alive. True if kept. */
static bool
finish(struct worker *w)
{
	unsigned limit = (unsigned)w->srv->nworkers / 2;

	if (w->req.keepConnection &&
	    (atomic_load(&w->srv->kept) >= limit || !drain_body(w)))
		w->req.keepConnection = 0;
	FCGX_Finish_r(&w->req);
	return w->req.ipcFd >= 0;
}

/* After the response went out: the log line, the audit row, metrics. */
static void
record(struct worker *w, const struct config *cfg, enum cb_err e, int64_t t0)
{
	struct attempt *a = &w->a;

	store_pseudonym(w->store, a->sub, w->sub_hash);
	a->sub_hash = w->sub_hash;
	a->ts_ms = w->rq.now_ms;
	a->request_id = w->rq.request_id;
	a->method = w->as.method;
	a->client = w->as.client;
	a->status = w->rs.status;
	a->reason = e;
	a->latency_us = (uint64_t)(clock_mono_us() - t0);
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
		log_msg(LOG_WARN, "audit row for request %s not written", w->rq.request_id);
	if (w->rq.now - w->last_purge >= CB_PURGE_EVERY_S) {
		w->last_purge = w->rq.now;
		if (store_purge(w->store, cfg->audit_retention_days) != CB_OK)
			log_msg(LOG_WARN, "purge of expired replay, OAuth2 state or audit rows failed");
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
	bool kept = false;	/* FCGX_Accept_r reads the kept connection's next request */

	w->http = http_new();
	if (w->http == NULL ||
	    FCGX_InitRequest(&w->req, s->listener.fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_msg(LOG_ERROR, "worker: out of memory");
		atomic_store(&w->state, W_DONE);
		return NULL;
	}
	while (!atomic_load(&s->stopping)) {
		struct cfg_ref *ref;
		bool attempt;
		enum cb_err e;
		int64_t t0;
		int rc;

		atomic_store(&w->state, W_IDLE);
		set_usr2(SIG_UNBLOCK);	/* only an idle worker may be interrupted */
		rc = FCGX_Accept_r(&w->req);
		if (kept) {
			atomic_fetch_sub(&s->kept, 1);
			kept = false;
		}
		set_usr2(SIG_BLOCK);
		if (rc < 0) {
			if (atomic_load(&s->stopping))
				break;
			if (errno != EINTR)
				nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
			continue;
		}
		atomic_store(&w->state, W_BUSY);
		t0 = clock_mono_us();
		ref = cfg_acquire(s);
		worker_resources(w, ref->c);
		attempt = handle(w, ref->c, &e);
		if ((kept = finish(w)))
			atomic_fetch_add(&s->kept, 1);	/* this worker waits on it next */
		if (attempt)
			record(w, ref->c, e, t0);
		sodium_memzero(w->body, sizeof(w->body));
		response_release(&w->rs);
		cfg_release(ref);
	}
	if (kept)
		atomic_fetch_sub(&s->kept, 1);
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

/* Reads what Mattermost publishes about itself and, with tables, checks
 * its tables (probe.h), saying plainly in the log when no click could
 * succeed. quiet: log only what changed since the last probe. */
static void
probe(struct server *s, const struct config *c, bool tables, bool quiet)
{
	char msg[sizeof(s->probe_msg)];
	enum cb_err e = probe_mattermost(c, tables, s->mmserver, s->metrics, msg, sizeof(msg));

	if (quiet && strcmp(msg, s->probe_msg) == 0)
		return;
	(void)str_set(s->probe_msg, sizeof(s->probe_msg), msg);
	/* What Mattermost publishes is logged by mm.c when it changes
	 * (including login mode made impossible); the rest here. */
	switch (e) {
	case CB_OK:
	case CB_MM_LOGIN_DISABLED:
		break;
	case CB_MMDB_SCHEMA:
		log_msg(LOG_ERROR, "every sign-in will be refused: %s", msg);
		break;
	default:
		log_msg(LOG_WARN, "mattermost: %s (checked again by /auth/ready and every %d s)",
		    msg, CB_MM_PROBE_EVERY_S);
		break;
	}
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
		log_msg(LOG_ERROR, "reload failed, keeping the running configuration: %s", err);
		metrics_reload(s->metrics, 0);
		return;
	}
	if (strcmp(c->listen, old->c->listen) != 0 || c->workers != old->c->workers)
		log_msg(LOG_WARN, "reload: listen and workers changes take effect after a restart");
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
	log_msg(LOG_INFO, "configuration reloaded: %zu issuer(s), session mode %s", c->issuers.n,
	    c->session_mode == SESSION_LOGIN ? "login" : "database");
	mm_server_relog(s->mmserver);
	probe(s, c, true, false);
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

enum cb_err
server_run(struct config *c, const char *listen_override)
{
	struct server s;
	struct sigaction sa;
	sigset_t set;
	size_t i, started = 0;
	int sig;
	enum cb_err e = CB_ENOMEM;

	memset(&s, 0, sizeof(s));
	atomic_init(&s.kept, 0);
	s.listener.fd = -1;
	pthread_mutex_init(&s.cfg_mu, NULL);
	log_set_format(c->log_format);
	if ((s.cfg = cfg_ref_new(c)) == NULL) {
		config_free(c);
		return CB_ENOMEM;
	}
	s.metrics = metrics_new();
	s.rl = ratelimit_new(CB_RATELIMIT_SLOTS);
	s.teams = teamcache_new(CB_TEAMCACHE_SLOTS);
	s.ready = ready_cache_new();
	s.mmserver = mm_server_cache_new();
	s.loginq = loginq_new();
	s.nworkers = c->workers;
	s.workers = calloc(s.nworkers, sizeof(*s.workers));
	if (s.metrics == NULL || s.rl == NULL || s.teams == NULL || s.ready == NULL ||
	    s.mmserver == NULL || s.loginq == NULL || s.workers == NULL)
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

	e = CB_EIO;
	if (listen_open(&s.listener, listen_override != NULL ? listen_override : c->listen,
	    c->listen_mode) < 0)
		goto out;
	for (i = 0; i < s.nworkers; i++) {
		s.workers[i].srv = &s;
		atomic_init(&s.workers[i].state, W_IDLE);
		if (pthread_create(&s.workers[i].thread, NULL, worker_main, &s.workers[i]) != 0) {
			log_msg(LOG_ERROR, "cannot start worker %zu", i);
			s.nworkers = started;
			stop_workers(&s);
			goto out;
		}
		started++;
	}
	log_msg(LOG_INFO, "chat-bridge serving %s on %s%s with %zu workers, session mode %s, "
	    "%zu issuer(s)", c->site_url,
	    listen_override != NULL ? listen_override : (c->listen[0] ? c->listen : "fd "),
	    listen_override != NULL || c->listen[0] ? "" : (s.listener.fd == 3 ? "3" : "0"),
	    s.nworkers, c->session_mode == SESSION_LOGIN ? "login" : "database", c->issuers.n);
	probe(&s, c, true, false);

	/* The main thread waits for signals, and between them keeps what is
	 * known of Mattermost's settings fresh, off the clicks' path. */
	sigdelset(&set, SIGUSR2);
	for (;;) {
		struct timespec every = {CB_MM_PROBE_EVERY_S, 0};

		if ((sig = sigtimedwait(&set, NULL, &every)) < 0) {
			if (errno == EAGAIN) {
				struct cfg_ref *ref = cfg_acquire(&s);

				probe(&s, ref->c, false, true);
				cfg_release(ref);
			}
			continue;
		}
		if (sig == SIGHUP) {
			reload(&s);
			continue;
		}
		log_msg(LOG_INFO, "signal %d: finishing requests in flight, then exiting", sig);
		break;
	}
	stop_workers(&s);
	log_msg(LOG_INFO, "stopped");
	e = CB_OK;
out:
	listen_close(&s.listener);
	free(s.workers);
	teamcache_free(s.teams);
	ready_cache_free(s.ready);
	mm_server_cache_free(s.mmserver);
	loginq_free(s.loginq);
	ratelimit_free(s.rl);
	metrics_free(s.metrics);
	cfg_release(s.cfg);
	pthread_mutex_destroy(&s.cfg_mu);
	return e;
}
