/* forward.c - spool -> lawtallyd, settling each chunk after its Acks (see forward.h). */
#include "forward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xalloc.h"

/* Chunks of this many windows' worth of events keep the pipe full between settles. */
#define CHUNK_WINDOWS 2
#define CHUNK_MAX 20000

struct chunk {
	struct spool_batch b;
	size_t nsend;         /* b's first nsend events are sent; the rest are held back */
	char *answered;       /* 1 once the event has its Ack */
	struct spool *sp;
	int settle_rc;        /* first failure to move a rejected event */
	const struct forward_opts *o;
	struct forward_result *res;
};

/*
 * A rejected event moves to the rejected list at once, while its reason
 * is at hand (rejections are rare); delivered ones are settled per chunk.
 */
static void on_ack(size_t i, Lawtally__V1__Ack__Status status, const char *reason, void *arg)
{
	struct chunk *c = arg;
	if (c->o->on_ack)
		c->o->on_ack(c->b.seq[i], status, reason, c->o->arg);
	switch (status) {
	case LAWTALLY__V1__ACK__STATUS__ACCEPTED: c->res->accepted++; break;
	case LAWTALLY__V1__ACK__STATUS__DUPLICATE: c->res->duplicate++; break;
	default:
		c->res->rejected++;
		if (!reason)
			reason = "rejected, no reason given";
		int rc = spool_settle(c->sp, &c->b.seq[i], &reason, 1);
		if (rc && !c->settle_rc)
			c->settle_rc = rc;
		if (c->o->on_reject)
			c->o->on_reject(c->b.seq[i], c->b.events[i], reason, c->o->arg);
		return; /* settled already */
	}
	c->answered[i] = 1;
}

/*
 * Deletes the delivered events of the chunk in one spool transaction. The
 * unanswered stay queued: the next flush sends them again.
 */
static int settle(struct spool *sp, struct chunk *c)
{
	size_t k = 0;
	for (size_t i = 0; i < c->nsend; i++)
		if (c->answered[i])
			c->b.seq[k++] = c->b.seq[i];
	int rc = spool_settle(sp, c->b.seq, NULL, k);
	return c->settle_rc ? c->settle_rc : rc;
}

/* Moves the events o->hold holds back to the end of the chunk, keeping the order of the rest. */
static void hold_back(struct chunk *c)
{
	c->nsend = c->b.n;
	if (!c->o->hold)
		return;
	size_t k = 0, n = c->b.n;
	uint64_t *hseq = xcalloc(n, sizeof(*hseq));
	Lawtally__V1__Event **hev = xcalloc(n, sizeof(*hev));
	size_t nh = 0;
	for (size_t i = 0; i < n; i++) {
		if (c->o->hold(c->b.seq[i], c->b.events[i], c->o->arg)) {
			hseq[nh] = c->b.seq[i];
			hev[nh++] = c->b.events[i];
		} else {
			c->b.seq[k] = c->b.seq[i];
			c->b.events[k++] = c->b.events[i];
		}
	}
	memcpy(c->b.seq + k, hseq, nh * sizeof(*hseq));
	memcpy(c->b.events + k, hev, nh * sizeof(*hev));
	c->nsend = k;
	free(hseq);
	free(hev);
}

static void chunk_free(struct chunk *c)
{
	free(c->answered);
	c->answered = NULL;
	spool_batch_free(&c->b);
}

/*
 * What spool status shows of the flush: why what is left waits (the
 * daemon's refusal for now, or its silence, as err says), or nothing once
 * the queue is empty. An interrupted flush notes nothing new.
 */
static int note_wait(struct spool *sp, const struct forward_opts *o,
		     const struct forward_result *res, int rc, const char *err)
{
	if (rc == 0)
		return spool_note_wait(sp, NULL, 0);
	if ((rc != LT_ETIMEOUT && rc != LT_EPROTO) || !err[0] || (o->cancel && *o->cancel))
		return 0;
	return spool_note_wait(sp, err, res->accepted + res->duplicate + res->rejected > 0);
}

int forward_flush(struct spool *sp, const struct forward_opts *o, struct forward_result *res,
		  char *err, size_t errlen)
{
	struct client *cl = NULL;
	struct spool_status st;
	uint64_t after = 0;
	size_t chunk_max = (o->batch_size ? o->batch_size : 1) * (o->window ? o->window : 1) *
			   CHUNK_WINDOWS;
	int rc = 0;
	memset(res, 0, sizeof(*res));
	err[0] = '\0';
	if (chunk_max > CHUNK_MAX)
		chunk_max = CHUNK_MAX;
	for (;;) {
		struct chunk c = {.sp = sp, .o = o, .res = res};
		if ((rc = spool_take(sp, after, chunk_max, &c.b))) {
			snprintf(err, errlen, "cannot read the spool: %s", lt_strerror(rc));
			break;
		}
		if (c.b.n == 0)
			break;
		c.answered = xcalloc(c.b.n, 1);
		if (!cl) {
			if ((rc = client_open(&cl, o->endpoint, o->keys))) {
				chunk_free(&c);
				snprintf(err, errlen, "cannot connect to %s: %s", o->endpoint,
					 lt_strerror(rc));
				break;
			}
			client_set_retry(cl, o->retry_ms);
			client_set_cancel(cl, o->cancel);
		}
		after = c.b.seq[c.b.n - 1];
		hold_back(&c);
		struct client_submit so = {o->batch_size, o->window, o->timeout_ms, on_ack, &c};
		rc = c.nsend ? client_submit(cl, c.b.events, c.nsend, &so, err, errlen) : 0;
		int src = settle(sp, &c);
		chunk_free(&c);
		if (src && !rc) {
			rc = src;
			snprintf(err, errlen, "cannot update the spool: %s", lt_strerror(src));
		}
		if (rc)
			break;
	}
	if (cl) {
		res->reconnects = client_reconnects(cl);
		client_close(&cl);
	}
	int nrc = note_wait(sp, o, res, rc, err);
	if (nrc && !rc) {
		rc = nrc;
		snprintf(err, errlen, "cannot update the spool: %s", lt_strerror(nrc));
	}
	if (spool_status(sp, &st) == 0)
		res->left = st.queued;
	return rc;
}
