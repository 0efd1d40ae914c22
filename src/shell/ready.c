/*
 * ready.c - the readiness probe (see ready.h).
 */
#include <string.h>

#include "config.h"
#include "handlers.h"
#include "mm.h"
#include "metrics.h"
#include "mmdb.h"
#include "ready.h"
#include "request.h"
#include "response.h"
#include "store.h"

enum cb_err
ready_handle(const struct handler_ctx *h, const struct request *rq, struct response *rs)
{
	struct mm_ctx m = {h->cfg, h->http, h->metrics, NULL};
	struct mm_result res;
	enum cb_err es, em, ed = CB_OK;

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
