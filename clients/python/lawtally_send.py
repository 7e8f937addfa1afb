#!/usr/bin/env python3
"""lawtally_send.py - a small example sender for lawtallyd, in Python.

A working model for senders written in other languages than C: it builds
events with the module that protoc generates from proto/lawtally.proto,
sends them in one SubmitRequest on a ZeroMQ DEALER socket, and waits for
the SubmitReply, re-sending with the same event ids (Lazy Pirate: a new
socket, exponential back-off with jitter) when the daemon stays silent.
Re-sending is always safe: the daemon counts an id once, ever.

Needs Debian's python3-zmq and python3-protobuf, and lawtally_pb2.py on
PYTHONPATH:

    protoc --proto_path=proto --python_out=/tmp/py proto/lawtally.proto
    PYTHONPATH=/tmp/py /usr/bin/python3 clients/python/lawtally_send.py \\
        --endpoint tcp://127.0.0.1:5570 --village ZL07 --count 3

It sends COUNT training sessions of the village's mediators, then the same
events a second time to show that they come back DUPLICATE. Exit status as
lawtally's: 0 all acknowledged, 1 some rejected, 2 usage, 3 no answer.
"""

import argparse
import os
import random
import sys
import time

import zmq

try:
    import lawtally_pb2 as pb
except ImportError:
    sys.exit("lawtally_send: lawtally_pb2 not found; generate it with protoc "
             "--python_out (see the top of this file)")

STATUS = {pb.Ack.ACCEPTED: "accepted", pb.Ack.DUPLICATE: "duplicate",
          pb.Ack.REJECTED: "rejected"}


def uuid7():
    """A UUIDv7 (RFC 9562): 48 bits of unix milliseconds, then random bits.
    Time-ordered ids are what the daemon stores fastest."""
    ms = time.time_ns() // 1_000_000
    b = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
    b[6] = 0x70 | (b[6] & 0x0F)  # version 7
    b[8] = 0x80 | (b[8] & 0x3F)  # variant 10
    return bytes(b)


def make_events(village, count, occurred_at):
    events = []
    for i in range(count):
        e = pb.Event(id=uuid7(), village=village, occurred_at=occurred_at,
                     source="python-example", recorded_by="example")
        e.training.attendees = 10 + i
        e.training.topic = "人民调解员业务培训"
        events.append(e)
    return events


def new_socket(ctx, endpoint):
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)  # never hang at exit on unsent data
    s.connect(endpoint)
    return s


def submit(ctx, endpoint, events, timeout, tries):
    """Sends events in one request and returns the reply's acks; None when
    the daemon stayed silent through every try."""
    sock = new_socket(ctx, endpoint)
    batch_id = random.getrandbits(63) | 1
    try:
        for attempt in range(tries):
            req = pb.SubmitRequest(batch_id=batch_id, events=events)
            sock.send(req.SerializeToString())
            deadline = time.monotonic() + timeout
            while (left := deadline - time.monotonic()) > 0:
                if not sock.poll(int(left * 1000), zmq.POLLIN):
                    break
                rep = pb.SubmitReply()
                rep.ParseFromString(sock.recv())
                if rep.batch_id != batch_id:
                    continue  # a late reply to an earlier try
                if rep.error:
                    if not rep.retry:
                        sys.exit(f"lawtally_send: the daemon refused the request: {rep.error}")
                    break  # temporary: back off and send again
                return rep.acks
            # silence: close the socket, open a new one, back off, re-send
            sock.close()
            pause = min(0.1 * 2 ** attempt, 5.0)
            time.sleep(pause / 2 + random.random() * pause / 2)
            sock = new_socket(ctx, endpoint)
            batch_id += 1
        return None
    finally:
        sock.close()


def report(acks):
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for ack in acks:
        status = STATUS.get(ack.status, "rejected")
        counts[status] += 1
        if status == "rejected":
            print(f"rejected: {ack.id.hex()}: {ack.reason}")
    print(f"{len(acks)} events: {counts['accepted']} accepted, "
          f"{counts['duplicate']} duplicate, {counts['rejected']} rejected")
    return counts["rejected"]


def main():
    p = argparse.ArgumentParser(description="Send a few events to lawtallyd.")
    p.add_argument("--endpoint", default=os.environ.get("LAWTALLY_INGEST",
                                                          "tcp://127.0.0.1:5570"))
    p.add_argument("--village", default="ZL07")
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--occurred-at", type=int, default=None,
                   help="unix seconds (default: now)")
    p.add_argument("--timeout", type=float, default=2.0,
                   help="seconds of silence before a re-send")
    p.add_argument("--tries", type=int, default=5)
    a = p.parse_args()
    if not 1 <= a.count <= 1000:
        p.error("--count must be 1..1000 (one request)")
    events = make_events(a.village, a.count, a.occurred_at or int(time.time()))
    ctx = zmq.Context()
    try:
        rejected = 0
        for _ in ("send", "send again"):
            acks = submit(ctx, a.endpoint, events, a.timeout, a.tries)
            if acks is None:
                print(f"lawtally_send: no answer from {a.endpoint}", file=sys.stderr)
                return 3
            rejected += report(acks)
        return 1 if rejected else 0
    finally:
        ctx.term()


if __name__ == "__main__":
    sys.exit(main())
