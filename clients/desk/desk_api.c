/*
 * desk_api.c - the desk's requests: who may ask (loopback, its own Host
 * and Origin, the run's token), the routes, the page's files and the
 * state (see desk_api.h).
 */
#include "desk_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "calendar.h"
#include "desk_assets.h"
#include "desk_int.h"
#include "err.h"
#include "ledger.h"
#include "peer.h"
#include "xalloc.h"

#define DAY 86400

struct desk_api *desk_api_new(const struct desk_api_config *c)
{
	struct desk_api *a = xcalloc(1, sizeof(*a));
	a->c = *c;
	a->who = (struct desk_who){c->village, c->source, c->villages};
	snprintf(a->hosts[0], sizeof(a->hosts[0]), "127.0.0.1:%u", c->port);
	snprintf(a->hosts[1], sizeof(a->hosts[1]), "localhost:%u", c->port);
	snprintf(a->hosts[2], sizeof(a->hosts[2]), "[::1]:%u", c->port);
	return a;
}

void desk_api_free(struct desk_api **a)
{
	free(*a);
	*a = NULL;
}

void desk_response_free(struct desk_response *rs)
{
	free(rs->body);
	memset(rs, 0, sizeof(*rs));
}

void desk_reply_json(struct desk_response *rs, int status, json_t *obj)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (!text) { /* jansson refuses text that is not UTF-8: none is made here */
		status = 500;
		text = xstrdup("{\"error\":\"内部错误\"}");
	}
	free(rs->body);
	rs->status = status;
	rs->content_type = "application/json; charset=utf-8";
	rs->body = text;
	rs->data = (const unsigned char *)text;
	rs->len = strlen(text);
	rs->cache = 0;
}

void desk_reply_error(struct desk_response *rs, int status, const char *message,
		      const char *field, const char *detail)
{
	json_t *o = json_pack("{s:s}", "error", message);
	if (field && *field)
		json_object_set_new(o, "field", json_string(field));
	if (detail && *detail)
		json_object_set_new(o, "detail", json_string(detail));
	desk_reply_json(rs, status, o);
}

int64_t desk_local_day(int64_t t)
{
	int64_t local = t + LEDGER_TZ_OFFSET;
	return local / DAY - (local % DAY < 0);
}

/* Compares without leaving a timing trace of where two tokens differ. */
static int same_token(const char *given, const char *token)
{
	size_t n = strlen(token);
	if (!given || strlen(given) != n)
		return 0;
	unsigned char diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(given[i] ^ token[i]);
	return diff == 0;
}

/*
 * The checks every request passes. Returns 1 if allowed, else 0 with the
 * refusal in *rs. A page of another site can make a browser send a
 * request to 127.0.0.1, but not with our Host (DNS rebinding aside, which
 * the Host check stops), nor our token (it cannot read /api/state), nor a
 * JSON body or our header without a preflight (OPTIONS: refused).
 */
static int allowed(struct desk_api *a, const struct desk_request *rq, int api, int needs_token,
		   struct desk_response *rs)
{
	if (!peer_is_loopback(rq->peer)) {
		desk_reply_error(rs, 403, "只接受本机的请求", NULL, NULL);
		return 0;
	}
	int host_ok = 0;
	for (int i = 0; rq->host && i < 3; i++)
		host_ok |= strcasecmp(rq->host, a->hosts[i]) == 0;
	if (!host_ok) {
		desk_reply_error(rs, 403, "请用 http://127.0.0.1 地址打开本页", NULL, NULL);
		return 0;
	}
	if (rq->fetch_site && strcmp(rq->fetch_site, "same-origin") != 0 &&
	    strcmp(rq->fetch_site, "none") != 0) {
		desk_reply_error(rs, 403, "不接受其他网站发来的请求", NULL, NULL);
		return 0;
	}
	if (rq->method == DESK_POST) {
		char origin[80];
		snprintf(origin, sizeof(origin), "http://%s", rq->host);
		if (!rq->origin || strcasecmp(rq->origin, origin) != 0) {
			desk_reply_error(rs, 403, "不接受其他网站发来的请求", NULL, NULL);
			return 0;
		}
	}
	if (api && needs_token && !same_token(rq->token, a->c.token)) {
		desk_reply_error(rs, 403, "页面已过期，请刷新", NULL, NULL);
		return 0;
	}
	return 1;
}

static void serve_asset(const struct desk_asset *as, struct desk_response *rs)
{
	rs->status = 200;
	rs->content_type = as->content_type;
	rs->data = as->data;
	rs->len = (size_t)(as->end - as->data);
	rs->cache = 1;
}

static const char *link_word(enum desk_link_state s)
{
	switch (s) {
	case DESK_LINK_UP: return "up";
	case DESK_LINK_DOWN: return "down";
	case DESK_LINK_WAITING: return "waiting";
	default: return "unknown";
	}
}

static void get_state(struct desk_api *a, int64_t now, struct desk_response *rs)
{
	struct spool_status st;
	const struct village *v = villages_find(a->c.villages, a->c.village);
	int64_t y;
	int m, d;
	char today[16], month[8];
	cal_civil_from_days(desk_local_day(now), &y, &m, &d);
	snprintf(today, sizeof(today), "%04lld-%02d-%02d", (long long)y, m, d);
	snprintf(month, sizeof(month), "%04lld-%02d", (long long)y, m);
	if (spool_status(a->c.sp, &st)) {
		desk_reply_error(rs, 500, "读不了本机的记录库（spool）", NULL, NULL);
		return;
	}
	json_t *link = json_pack("{s:s, s:s, s:s, s:I, s:I}", "state", "unknown", "endpoint",
				 a->c.endpoint ? a->c.endpoint : "", "error", "", "since",
				 (json_int_t)0, "last_delivery", (json_int_t)st.last_delivered);
	if (a->c.link) {
		pthread_mutex_lock(&a->c.link->mu);
		json_object_set_new(link, "state", json_string(link_word(a->c.link->state)));
		json_object_set_new(link, "error", json_string(a->c.link->error));
		json_object_set_new(link, "since", json_integer(a->c.link->since));
		pthread_mutex_unlock(&a->c.link->mu);
	}
	json_object_set_new(link, "waiting", json_string(st.wait_reason));
	json_t *o = json_pack("{s:{s:s, s:s}, s:s, s:o, s:I, s:I, s:I, s:s, s:s, s:I, s:o}",
			      "village", "code", a->c.village, "name", v ? v->name : a->c.village,
			      "token", a->c.token, "link", link, "queued", (json_int_t)st.queued,
			      "rejected", (json_int_t)st.rejected, "delivered",
			      (json_int_t)st.delivered, "today", today, "month", month,
			      "now", (json_int_t)now, "labels", desk_record_labels());
	desk_reply_json(rs, 200, o);
}

/* "/api/records/SEQ/WHAT": SEQ and WHAT; 0 if the path is not of that form. */
static int change_path(const char *path, uint64_t *seq, const char **what)
{
	static const char prefix[] = "/api/records/";
	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	const char *p = path + sizeof(prefix) - 1;
	uint64_t v = 0;
	int digits = 0;
	for (; *p >= '0' && *p <= '9' && digits < 19; p++, digits++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (!digits || v == 0)
		return 0;
	if (strcmp(p, "/correct") == 0)
		*what = "correct";
	else if (strcmp(p, "/retract") == 0)
		*what = "retract";
	else
		return 0;
	*seq = v;
	return 1;
}

/* 1 if the request's content type is type (parameters such as charset aside). */
static int content_is(const struct desk_request *rq, const char *type)
{
	size_t n = strlen(type);
	return rq->content_type && strncasecmp(rq->content_type, type, n) == 0 &&
	       (rq->content_type[n] == '\0' || rq->content_type[n] == ';');
}

void desk_api_handle(struct desk_api *a, const struct desk_request *rq, int64_t now,
		     struct desk_response *rs)
{
	memset(rs, 0, sizeof(*rs));
	const char *path = rq->path ? rq->path : "";
	int api = strncmp(path, "/api/", 5) == 0;
	const struct desk_asset *as = api ? NULL : desk_assets_find(path);
	uint64_t seq = 0;
	const char *what = NULL;
	if (!api && !as) {
		desk_reply_error(rs, 404, "没有这个页面", NULL, NULL);
		return;
	}
	if (!allowed(a, rq, api, strcmp(path, "/api/state") != 0, rs))
		return;
	if (as) {
		if (rq->method != DESK_GET && rq->method != DESK_HEAD)
			desk_reply_error(rs, 405, "不支持的请求方法", NULL, NULL);
		else
			serve_asset(as, rs);
		return;
	}
	int get = rq->method == DESK_GET || rq->method == DESK_HEAD;
	int post = rq->method == DESK_POST;
	if (strcmp(path, "/api/state") == 0 && get) {
		get_state(a, now, rs);
	} else if (strcmp(path, "/api/records") == 0 && get) {
		desk_get_records(a, now, rs);
	} else if (strcmp(path, "/api/cases") == 0 && get) {
		desk_get_cases(a, rs);
	} else if (strcmp(path, "/api/records") == 0 && post) {
		if (!content_is(rq, "application/json"))
			desk_reply_error(rs, 415, "记录应以 JSON 提交", NULL, NULL);
		else if (rq->body_len > DESK_RECORD_BODY_MAX)
			desk_reply_error(rs, 413, "记录太长", NULL, NULL);
		else
			desk_post_record(a, rq, now, rs);
	} else if (change_path(path, &seq, &what) && post) {
		if (!content_is(rq, "application/json"))
			desk_reply_error(rs, 415, "记录应以 JSON 提交", NULL, NULL);
		else if (rq->body_len > DESK_RECORD_BODY_MAX)
			desk_reply_error(rs, 413, "记录太长", NULL, NULL);
		else
			desk_post_change(a, rq, seq, what, now, rs);
	} else if (strcmp(path, "/api/ledger") == 0 && post) {
		if (!content_is(rq, "application/octet-stream"))
			desk_reply_error(rs, 415, "台账文件应以 application/octet-stream 上传", NULL,
					 NULL);
		else if (rq->body_len > DESK_LEDGER_BODY_MAX)
			desk_reply_error(rs, 413, "台账文件超过 8 MiB", NULL, NULL);
		else
			desk_post_ledger(a, rq, now, rs);
	} else if (strcmp(path, "/api/state") == 0 || strcmp(path, "/api/records") == 0 ||
		   strcmp(path, "/api/cases") == 0 || strcmp(path, "/api/ledger") == 0 ||
		   change_path(path, &seq, &what)) {
		desk_reply_error(rs, 405, "不支持的请求方法", NULL, NULL);
	} else {
		desk_reply_error(rs, 404, "没有这个接口", NULL, NULL);
	}
}
