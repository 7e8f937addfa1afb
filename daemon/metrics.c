/* metrics.c - counters and histograms in Prometheus text format. */
#include "metrics.h"

#include <string.h>

#include "err.h"
#include "scrub.h"

static const double batch_bounds[METRICS_BATCH_BUCKETS] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};
static const double latency_bounds[METRICS_LATENCY_BUCKETS] = {
	0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512};

void metrics_init(struct metrics *m, double now)
{
	memset(m, 0, sizeof(*m));
	m->started = now;
}

void metrics_rejected(struct metrics *m, const char *reason)
{
	m->rejected++;
	for (unsigned i = 0; i < m->nreasons; i++) {
		if (m->reasons[i].reason == reason) {
			m->reasons[i].count++;
			return;
		}
	}
	if (m->nreasons == METRICS_REASONS_MAX) {
		m->reasons_other++;
		return;
	}
	m->reasons[m->nreasons].reason = reason;
	m->reasons[m->nreasons++].count = 1;
}

static void observe(struct histogram *h, const double *bounds, int nb, double v)
{
	h->count++;
	h->sum += v;
	for (int i = 0; i < nb; i++) {
		if (v <= bounds[i]) {
			h->bucket[i]++;
			return;
		}
	}
}

void metrics_commit(struct metrics *m, unsigned events, double seconds, double now)
{
	observe(&m->batch_events, batch_bounds, METRICS_BATCH_BUCKETS, events);
	observe(&m->commit_seconds, latency_bounds, METRICS_LATENCY_BUCKETS, seconds);
	m->last_commit = now;
	m->refusals_at_commit = m->refusals;
}

/* Label values escape backslash, double quote and newline. */
static void put_label(struct evbuffer *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			evbuffer_add_printf(out, "\\%c", *s);
		else if (*s == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, s, 1);
	}
}

static void put_histogram(struct evbuffer *out, const char *name, const char *help,
			  const struct histogram *h, const double *bounds, int nb)
{
	uint64_t cum = 0;
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (int i = 0; i < nb; i++) {
		cum += h->bucket[i];
		evbuffer_add_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i],
				    (unsigned long long)cum);
	}
	evbuffer_add_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", name,
			    (unsigned long long)h->count, name, h->sum, name,
			    (unsigned long long)h->count);
}

#define COUNTER(name, help, value)                                                        \
	evbuffer_add_printf(out, "# HELP " name " " help "\n# TYPE " name " counter\n" name \
				 " %llu\n", (unsigned long long)(value))
#define GAUGE(name, help, fmt, value) \
	evbuffer_add_printf(out, "# HELP " name " " help "\n# TYPE " name " gauge\n" name " " fmt "\n", value)

/* The scrub's progress and last pass, and whether the store has met damage. */
static void render_scrub(const struct scrub_status *sc, int damaged, struct evbuffer *out)
{
	GAUGE("lawtally_store_damaged",
	      "1 once the store has met a damaged record (a read, a batch, the scrub): ingest "
	      "refused until it is restored.", "%d", damaged);
	GAUGE("lawtally_scrub_period_seconds", "Seconds from one scrub pass to the next (0: off).",
	      "%u", sc->period_s);
	COUNTER("lawtally_scrub_passes_total", "Scrub passes completed.", sc->passes);
	GAUGE("lawtally_scrub_running", "1 while a scrub pass is under way.", "%d", sc->running);
	GAUGE("lawtally_scrub_progress", "Share of the pass under way's walk done (1: none under way).",
	      "%.4f", sc->progress);
	GAUGE("lawtally_scrub_records", "Records checked by the pass under way, or the last.", "%llu",
	      (unsigned long long)sc->records);
	GAUGE("lawtally_scrub_bytes", "Bytes of keys and values checked by the pass under way, or the "
	      "last.", "%llu", (unsigned long long)sc->bytes);
	GAUGE("lawtally_scrub_last_result",
	      "The last pass: 1 sound, 0 damage found, -1 none finished yet.", "%d", sc->last_result);
	GAUGE("lawtally_scrub_last_end_timestamp_seconds", "Unix time the last pass ended (0: none).",
	      "%.3f", sc->last_end);
	GAUGE("lawtally_scrub_last_duration_seconds", "How long the last pass took.", "%.3f",
	      sc->last_seconds);
	GAUGE("lawtally_scrub_last_records", "Records the last pass checked.", "%llu",
	      (unsigned long long)sc->last_records);
	COUNTER("lawtally_scrub_damaged_records_total", "Damaged records the scrub has met.",
		sc->damaged);
}

int metrics_render(const struct metrics *m, const struct store_stats *st,
		   const struct scrub_status *sc, int damaged, struct evbuffer *out)
{
	evbuffer_add_printf(out,
			    "# HELP lawtally_events_total Events received, by outcome.\n"
			    "# TYPE lawtally_events_total counter\n"
			    "lawtally_events_total{status=\"accepted\"} %llu\n"
			    "lawtally_events_total{status=\"duplicate\"} %llu\n"
			    "lawtally_events_total{status=\"rejected\"} %llu\n",
			    (unsigned long long)m->accepted, (unsigned long long)m->duplicate,
			    (unsigned long long)m->rejected);
	evbuffer_add_printf(out, "# HELP lawtally_events_rejected_total Rejected events, by reason.\n"
				 "# TYPE lawtally_events_rejected_total counter\n");
	for (unsigned i = 0; i < m->nreasons; i++) {
		evbuffer_add_printf(out, "lawtally_events_rejected_total{reason=\"");
		put_label(out, m->reasons[i].reason);
		evbuffer_add_printf(out, "\"} %llu\n", (unsigned long long)m->reasons[i].count);
	}
	if (m->reasons_other)
		evbuffer_add_printf(out, "lawtally_events_rejected_total{reason=\"other\"} %llu\n",
				    (unsigned long long)m->reasons_other);
	COUNTER("lawtally_requests_total", "Submit requests received.", m->requests);
	COUNTER("lawtally_bad_frames_total", "Frames that were not a valid SubmitRequest.",
		m->bad_frames);
	COUNTER("lawtally_refusals_total", "Requests refused for a temporary cause (store full).",
		m->refusals);
	COUNTER("lawtally_clock_refusals_total",
		"Requests refused for now: an event more than a day ahead of this clock.",
		m->clock_refusals);
	COUNTER("lawtally_auth_refused_total",
		"Messages refused: a revoked key, a non-office query, no authenticated sender.",
		m->auth_refused);
	COUNTER("lawtally_township_names_rejected_total",
		"Township names forwarded with events and not kept (the log says why).",
		m->names_rejected);
	COUNTER("lawtally_replies_dropped_total", "Replies that could not be sent (peer gone).",
		m->replies_dropped);
	evbuffer_add_printf(out,
			    "# HELP lawtally_queries_total Queries answered, by endpoint.\n"
			    "# TYPE lawtally_queries_total counter\n"
			    "lawtally_queries_total{endpoint=\"zmq\"} %llu\n"
			    "lawtally_queries_total{endpoint=\"http\"} %llu\n",
			    (unsigned long long)m->queries_zmq, (unsigned long long)m->queries_http);
	GAUGE("lawtally_http_connections", "HTTP connections open.", "%llu",
	      (unsigned long long)m->http_open);
	evbuffer_add_printf(out,
			    "# HELP lawtally_http_connections_closed_total HTTP connections the "
			    "daemon refused or closed, by cause.\n"
			    "# TYPE lawtally_http_connections_closed_total counter\n"
			    "lawtally_http_connections_closed_total{cause=\"limit\"} %llu\n"
			    "lawtally_http_connections_closed_total{cause=\"shed\"} %llu\n"
			    "lawtally_http_connections_closed_total{cause=\"deadline\"} %llu\n",
			    (unsigned long long)m->http_refused, (unsigned long long)m->http_shed,
			    (unsigned long long)m->http_timed_out);
	COUNTER("lawtally_http_accept_errors_total",
		"Failed accepts of HTTP connections (out of descriptors, ...); each pauses accepting.",
		m->http_accept_errors);
	put_histogram(out, "lawtally_commit_events", "Events per store commit (group commit size).",
		      &m->batch_events, batch_bounds, METRICS_BATCH_BUCKETS);
	put_histogram(out, "lawtally_commit_seconds", "Time to apply and durably commit a group.",
		      &m->commit_seconds, latency_bounds, METRICS_LATENCY_BUCKETS);
	GAUGE("lawtally_last_commit_timestamp_seconds", "Unix time of the last commit (0: none yet).",
	      "%.3f", m->last_commit);
	GAUGE("lawtally_start_time_seconds", "Unix time the daemon started.", "%.3f", m->started);
	if (st) {
		GAUGE("lawtally_store_events", "Events stored, retractions included.", "%llu",
		      (unsigned long long)st->events);
		GAUGE("lawtally_store_used_bytes", "Bytes of the store in use.", "%zu", st->used_bytes);
		GAUGE("lawtally_store_map_bytes", "Current map size of the store.", "%zu", st->map_size);
	}
	render_scrub(sc, damaged, out);
	return 0;
}
