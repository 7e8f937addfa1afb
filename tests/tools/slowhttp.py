"""slowhttp.py - slow HTTP clients, for end-to-end tests and the bench.

    slowhttp.py HOST:PORT CLIENTS INTERVAL STATUS_FILE [RECONNECT]

Opens CLIENTS connections to HOST:PORT, sends each the first line of a
GET /healthz and then one more header line every INTERVAL seconds,
never ending the request. With RECONNECT (seconds), a client whose
connection the server closed connects again that long after, so that
the attack lasts. Every 0.2 s it rewrites STATUS_FILE with one
line:

    connected N open N closed N got503 N lived_max S

connected: connections made (again ones included); open: still open; closed: closed by the
server (or reset); got503: answered "503" before closing; lived_max: the
longest a closed connection lived, in seconds. Runs until SIGTERM, then
closes everything, writes the status a last time and exits 0.
"""
import errno
import os
import resource
import select
import signal
import socket
import sys
import time

STATUS_EVERY = 0.2


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    clients, interval, status_file = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    reconnect = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = clients + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    ep = select.epoll()
    conns = {}  # fd -> [socket, connected_at, sent_first, got503]
    stats = {"connected": 0, "closed": 0, "got503": 0, "lived_max": 0.0}

    def write_status():
        tmp = status_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("connected %d open %d closed %d got503 %d lived_max %.2f\n" % (
                stats["connected"], len(conns), stats["closed"], stats["got503"],
                stats["lived_max"]))
        os.replace(tmp, status_file)

    def close(fd, by_server):
        s, t0, _, got503 = conns.pop(fd)
        ep.unregister(fd)
        s.close()
        if by_server:
            stats["closed"] += 1
            stats["got503"] += got503
            stats["lived_max"] = max(stats["lived_max"], time.monotonic() - t0)
            if reconnect > 0:
                again.append(time.monotonic() + reconnect)

    def connect():
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        rc = s.connect_ex((host.strip("[]"), int(port)))
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            return
        conns[s.fileno()] = [s, time.monotonic(), False, 0]
        ep.register(s.fileno(), select.EPOLLOUT | select.EPOLLIN)

    for _ in range(clients):
        connect()
    again = []  # when each closed client connects again

    next_line = time.monotonic() + interval
    next_status = 0.0
    line = 0
    while not stop:
        now = time.monotonic()
        while again and again[0] <= now:
            again.pop(0)
            connect()
        if now >= next_status:
            write_status()
            next_status = now + STATUS_EVERY
        if now >= next_line:
            line += 1
            for fd, c in list(conns.items()):
                if not c[2]:
                    continue
                try:
                    c[0].send(b"X-Slow-%d: x\r\n" % line)
                except OSError:
                    close(fd, True)
            next_line = now + interval
        try:
            wake = min(next_line, next_status, again[0] if again else next_line)
            events = ep.poll(max(0.0, wake - time.monotonic()))
        except InterruptedError:
            continue
        for fd, ev in events:
            c = conns.get(fd)
            if c is None:
                continue
            if ev & select.EPOLLOUT and not c[2]:
                if c[0].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    close(fd, True)
                    continue
                stats["connected"] += 1
                c[2] = True
                ep.modify(fd, select.EPOLLIN)
                try:
                    c[0].send(b"GET /healthz HTTP/1.1\r\nHost: lawtally\r\n")
                except OSError:
                    close(fd, True)
                    continue
            if ev & (select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR):
                try:
                    data = c[0].recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if data.startswith(b"HTTP/1.1 503"):
                    c[3] = 1
                if not data:
                    close(fd, True)
    for fd in list(conns):
        close(fd, False)
    write_status()
    return 0


if __name__ == "__main__":
    sys.exit(main())
