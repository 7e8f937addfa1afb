"""zflood.py - CurveZMQ handshakes with unknown keys, for end-to-end tests.

    zflood.py ENDPOINT SERVER_PUB ATTEMPTS KEYS

Makes ATTEMPTS handshakes with the daemon whose public key file is
SERVER_PUB, one after the other, each with the next of KEYS fresh key
pairs in turn (KEYS 2: two alternating keys; KEYS = ATTEMPTS: a new key
every time), and waits for each one's outcome on a socket monitor.
Prints "refused N succeeded N other N"; exits 1 if an outcome did not
come within 5 s.
"""
import sys

import zmq
from zmq.utils.monitor import recv_monitor_message

OUTCOME_MS = 5000
FAILED = (zmq.EVENT_HANDSHAKE_FAILED_AUTH, zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL,
          zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)


def attempt(ctx, endpoint, server_pub, pair):
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.curve_serverkey = server_pub
    s.curve_publickey, s.curve_secretkey = pair
    mon = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH |
                               zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    s.connect(endpoint)
    outcome = None
    try:
        if mon.poll(OUTCOME_MS):
            ev = recv_monitor_message(mon)["event"]
            outcome = ("succeeded" if ev == zmq.EVENT_HANDSHAKE_SUCCEEDED
                       else "refused" if ev == zmq.EVENT_HANDSHAKE_FAILED_AUTH else "other")
    finally:
        s.disable_monitor()
        mon.close(0)
        s.close(0)
    return outcome


def main():
    endpoint, pub_file, attempts, nkeys = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(pub_file, "rb") as f:
        server_pub = f.read().strip()
    pairs = [zmq.curve_keypair() for _ in range(nkeys)]
    counts = {"refused": 0, "succeeded": 0, "other": 0}
    ctx = zmq.Context()
    for i in range(attempts):
        outcome = attempt(ctx, endpoint, server_pub, pairs[i % nkeys])
        if outcome is None:
            print("attempt %d: no outcome within %d ms" % (i, OUTCOME_MS), file=sys.stderr)
            return 1
        counts[outcome] += 1
    ctx.term()
    print("refused %d succeeded %d other %d" % (counts["refused"], counts["succeeded"],
                                                counts["other"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
