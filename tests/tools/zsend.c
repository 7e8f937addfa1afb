/*
 * zsend.c - sends raw bytes as one ZeroMQ frame and prints the reply.
 *
 *   zsend ENDPOINT [FILE]     (stdin without FILE)
 *
 * For end-to-end tests of malformed frames: the reply is decoded as a
 * SubmitReply and printed as "batch_id=N acks=N error=TEXT", one line.
 * Exit 0 on a reply, 3 on no reply within 5 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

#include "lawtally.pb-c.h"
#include "xalloc.h"

#define FRAME_MAX (32 << 20)

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: zsend ENDPOINT [FILE]\n");
		return 2;
	}
	FILE *in = argc == 3 ? fopen(argv[2], "rb") : stdin;
	if (!in) {
		perror(argv[2]);
		return 2;
	}
	char *buf = xmalloc(FRAME_MAX);
	size_t len = fread(buf, 1, FRAME_MAX, in);
	if (in != stdin)
		fclose(in);
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0, rc = 3;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(s, argv[1]) != 0 || zmq_send(s, buf, len, 0) < 0) {
		fprintf(stderr, "zsend: cannot send: %s\n", zmq_strerror(zmq_errno()));
		rc = 2;
		goto out;
	}
	zmq_pollitem_t pi = {s, 0, ZMQ_POLLIN, 0};
	if (zmq_poll(&pi, 1, 5000) == 1) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s, 0) >= 0) {
			Lawtally__V1__SubmitReply *r =
				lawtally__v1__submit_reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
			if (r) {
				printf("batch_id=%llu acks=%zu error=%s\n", (unsigned long long)r->batch_id,
				       r->n_acks, r->error);
				for (size_t i = 0; i < r->n_acks; i++)
					printf("ack %zu status=%d reason=%s\n", i, r->acks[i]->status,
					       r->acks[i]->reason);
				lawtally__v1__submit_reply__free_unpacked(r, NULL);
				rc = 0;
			} else {
				printf("undecodable reply\n");
				rc = 1;
			}
		}
		zmq_msg_close(&m);
	} else {
		fprintf(stderr, "zsend: no reply\n");
	}
out:
	free(buf);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return rc;
}
