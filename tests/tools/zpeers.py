"""zpeers.py - ZeroMQ connections for end-to-end tests of the daemon's bounds.

    zpeers.py bound ENDPOINT KEY SERVER_PUB CONNS
        CONNS CurveZMQ connections with the secret key file KEY, all made
        before any sends; then one frame on each in turn, and a line for
        each reply: "conn I: answered" or "conn I: too many"; then one more
        connection: "new: succeeded" or "new: refused"; then the first is
        closed and a new one tried until it gets in (5 s): "after close:
        succeeded".
    zpeers.py hold ENDPOINT CONNS SECONDS
        CONNS plain connections held for SECONDS, then closed.
"""
import resource
import sys
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

WAIT_MS = 5000


def handshake(ctx, endpoint, server_pub, secret):
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.curve_serverkey = server_pub
    s.curve_secretkey = secret
    s.curve_publickey = zmq.curve_public(secret)
    mon = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH)
    s.connect(endpoint)
    ok = None
    if mon.poll(WAIT_MS):
        ok = recv_monitor_message(mon)["event"] == zmq.EVENT_HANDSHAKE_SUCCEEDED
    s.disable_monitor()
    mon.close(0)
    return s, ok


def bound(endpoint, key_file, pub_file, conns):
    with open(key_file, "rb") as f:
        secret = f.read().strip()
    with open(pub_file, "rb") as f:
        server_pub = f.read().strip()
    ctx = zmq.Context()
    socks = []
    for i in range(conns):
        s, ok = handshake(ctx, endpoint, server_pub, secret)
        if not ok:
            print("conn %d: no handshake" % i)
            return 1
        socks.append(s)
    for i, s in enumerate(socks):
        s.send(b"x")
        if not s.poll(WAIT_MS):
            print("conn %d: no reply" % i)
            return 1
        reply = s.recv()
        print("conn %d: %s" % (i, "too many" if b"connections_per_key" in reply else "answered"))
    s, ok = handshake(ctx, endpoint, server_pub, secret)
    print("new: %s" % ("succeeded" if ok else "refused"))
    s.close(0)
    socks.pop(0).close(0)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        s, ok = handshake(ctx, endpoint, server_pub, secret)
        s.close(0)
        if ok:
            print("after close: succeeded")
            break
        time.sleep(0.1)
    for s in socks:
        s.close(0)
    ctx.term()
    return 0


def hold(endpoint, conns, seconds):
    # a libzmq socket takes a descriptor for its mailbox and one for its connection
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 3 * conns + 64), hard))
    ctx = zmq.Context()
    ctx.max_sockets = conns + 16
    socks = []
    for _ in range(conns):
        s = ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(endpoint)
        socks.append(s)
    time.sleep(seconds)
    for s in socks:
        s.close(0)
    ctx.term()
    return 0


def main():
    if sys.argv[1] == "bound":
        return bound(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    return hold(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))


if __name__ == "__main__":
    sys.exit(main())
