/* ratelimit.c - few log lines for many offenders (see ratelimit.h). */
#include "ratelimit.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static struct ratelimit *all;

void ratelimit_init(struct ratelimit *rl, const char *what, const char *whom)
{
	memset(rl, 0, sizeof(*rl));
	rl->what = what;
	rl->whom = whom;
	rl->interval = RATELIMIT_INTERVAL_S;
	rl->window_start = -1;
	rl->next = all;
	all = rl;
}

void ratelimit_fini(struct ratelimit *rl)
{
	for (struct ratelimit **p = &all; *p; p = &(*p)->next) {
		if (*p == rl) {
			*p = rl->next;
			break;
		}
	}
	rl->next = NULL;
}

static void window_clear(struct ratelimit *rl)
{
	rl->window_start = -1;
	rl->logged = 0;
	rl->quiet = rl->overflow = 0;
	rl->n = 0;
}

int ratelimit_roll(struct ratelimit *rl, int64_t now, char *buf, size_t len)
{
	if (rl->window_start < 0 || now - rl->window_start < rl->interval)
		return 0;
	int said = 0;
	if (rl->quiet > 0) {
		const struct ratelimit_slot *top = NULL;
		for (size_t i = 0; i < rl->n; i++)
			if (!top || rl->slot[i].count > top->count)
				top = &rl->slot[i];
		snprintf(buf, len, "%s: %llu more in the last %lld s, from %s%zu %s; most often %s "
			 "(%llu)",
			 rl->what, (unsigned long long)rl->quiet, (long long)(now - rl->window_start),
			 rl->overflow ? "more than " : "", rl->n, rl->whom,
			 top ? top->key : "?", top ? (unsigned long long)top->count : 0ULL);
		said = 1;
	}
	window_clear(rl);
	return said;
}

int ratelimit_count(struct ratelimit *rl, const char *key, int64_t now)
{
	if (rl->window_start < 0)
		rl->window_start = now;
	char k[RATELIMIT_KEY_MAX + 1];
	snprintf(k, sizeof(k), "%s", key);
	struct ratelimit_slot *s = NULL;
	for (size_t i = 0; i < rl->n && !s; i++)
		if (strcmp(rl->slot[i].key, k) == 0)
			s = &rl->slot[i];
	if (!s && rl->n < RATELIMIT_SLOTS) {
		s = &rl->slot[rl->n++];
		memcpy(s->key, k, sizeof(k));
		s->count = 0;
		s->logged = 0;
	}
	if (!s) {
		rl->overflow++;
		rl->quiet++;
		return 0;
	}
	s->count++;
	if (s->logged || rl->logged >= RATELIMIT_BURST) {
		rl->quiet++;
		return 0;
	}
	s->logged = 1;
	rl->logged++;
	return 1;
}

static int64_t mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

void ratelimit_flush(struct ratelimit *rl)
{
	char line[RATELIMIT_LINE_MAX];
	if (ratelimit_roll(rl, mono_s(), line, sizeof(line)))
		log_warn("%s", line);
}

int ratelimit_hit(struct ratelimit *rl, const char *key)
{
	ratelimit_flush(rl);
	return ratelimit_count(rl, key, mono_s());
}

void ratelimit_flush_all(void)
{
	for (struct ratelimit *rl = all; rl; rl = rl->next)
		ratelimit_flush(rl);
}
