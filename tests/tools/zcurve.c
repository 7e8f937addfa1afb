/*
 * zcurve.c - one CurveZMQ connection that sends frames and prints replies.
 *
 *   zcurve ENDPOINT KEY SERVER_PUB ITEM...
 *
 * KEY is a secret key file and SERVER_PUB the daemon's public key file
 * (keyfile.h); KEY "-" connects without CURVE. Each ITEM, in order, on the
 * same connection:
 *   FILE.jsonl  its lines (events, JSON Lines) as one SubmitRequest
 *   FILE        its bytes as one frame
 *   -           wait for a line on stdin first (the test changes something)
 *   township=T  the SubmitRequests of the .jsonl items after it forward for
 *               township T (SubmitRequest.township; "township=" none)
 * Each reply is printed as a SubmitReply, as zsend prints it:
 * "batch_id=N acks=N error=TEXT", then "ack I status=S reason=R" lines.
 * For end-to-end tests of authentication (a key revoked while connected).
 * Exit 0 when every frame got its reply, 3 when one did not within 5 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "jsonl.h"
#include "keyfile.h"
#include "lawtally.pb-c.h"
#include "xalloc.h"

#define FRAME_MAX (32 << 20)
#define EVENTS_MAX 1000
#define REPLY_WAIT_MS 5000

static const char *township = "";

/* Packs the events of a JSON Lines file into buf; returns the length or -1. */
static long pack_jsonl(const char *path, uint64_t batch_id, uint8_t *buf)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	static Lawtally__V1__Event *events[EVENTS_MAX];
	char *line = NULL, err[256];
	size_t cap = 0, n = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0 && n < EVENTS_MAX) {
		if (jsonl_parse_event(line, (size_t)len, &events[n], err, sizeof(err)) != 0) {
			fprintf(stderr, "zcurve: %s: %s\n", path, err);
			n = 0;
			break;
		}
		n++;
	}
	free(line);
	fclose(f);
	if (n == 0)
		return -1;
	Lawtally__V1__SubmitRequest req = LAWTALLY__V1__SUBMIT_REQUEST__INIT;
	req.batch_id = batch_id;
	req.township = (char *)township;
	req.n_events = n;
	req.events = events;
	long packed = (long)lawtally__v1__submit_request__pack(&req, buf);
	for (size_t i = 0; i < n; i++)
		jsonl_event_free(events[i]);
	return packed;
}

static int print_reply(void *s)
{
	zmq_pollitem_t pi = {s, 0, ZMQ_POLLIN, 0};
	if (zmq_poll(&pi, 1, REPLY_WAIT_MS) != 1) {
		printf("no reply\n");
		return -1;
	}
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, s, 0) < 0)
		return -1;
	Lawtally__V1__SubmitReply *r =
		lawtally__v1__submit_reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
	zmq_msg_close(&m);
	if (!r) {
		printf("undecodable reply\n");
		return 0;
	}
	printf("batch_id=%llu acks=%zu error=%s\n", (unsigned long long)r->batch_id, r->n_acks,
	       r->error);
	for (size_t i = 0; i < r->n_acks; i++)
		printf("ack %zu status=%d reason=%s\n", i, r->acks[i]->status, r->acks[i]->reason);
	lawtally__v1__submit_reply__free_unpacked(r, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	char sec[41], pub[41], server[41], err[512];
	if (argc < 5) {
		fprintf(stderr, "usage: zcurve ENDPOINT KEY SERVER_PUB ITEM...\n");
		return 2;
	}
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0, rc = 0;
	uint8_t *buf = xmalloc(FRAME_MAX);
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	if (strcmp(argv[2], "-") != 0) {
		if (keyfile_read(argv[2], 1, sec, err, sizeof(err)) ||
		    keyfile_read(argv[3], 0, server, err, sizeof(err)) ||
		    zmq_curve_public(pub, sec) != 0) {
			fprintf(stderr, "zcurve: %s\n", err);
			return 2;
		}
		zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, 40);
		zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, 40);
		zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, 40);
	}
	if (zmq_connect(s, argv[1]) != 0) {
		fprintf(stderr, "zcurve: cannot connect to %s\n", argv[1]);
		return 2;
	}
	uint64_t batch_id = 1;
	for (int i = 4; i < argc && rc == 0; i++) {
		const char *item = argv[i];
		size_t n = strlen(item);
		long len;
		if (strcmp(item, "-") == 0) {
			char line[64];
			fflush(stdout);
			if (!fgets(line, sizeof(line), stdin))
				break;
			continue;
		}
		if (strncmp(item, "township=", 9) == 0) {
			township = item + 9;
			continue;
		}
		if (n > 6 && strcmp(item + n - 6, ".jsonl") == 0) {
			len = pack_jsonl(item, batch_id++, buf);
		} else {
			FILE *f = fopen(item, "rb");
			len = f ? (long)fread(buf, 1, FRAME_MAX, f) : -1;
			if (f)
				fclose(f);
		}
		if (len < 0) {
			fprintf(stderr, "zcurve: %s: cannot read\n", item);
			rc = 2;
			break;
		}
		if (zmq_send(s, buf, (size_t)len, 0) < 0 || print_reply(s) != 0)
			rc = 3;
		fflush(stdout);
	}
	free(buf);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return rc;
}
