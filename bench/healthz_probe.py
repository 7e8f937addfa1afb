"""healthz_probe.py - a good HTTP client's view of the daemon, for the bench.

    healthz_probe.py HOST:PORT SECONDS INTERVAL_MS

For SECONDS, every INTERVAL_MS, opens a new connection, sends
GET /healthz and reads the whole reply (as a monitoring check does),
timing it from before the connect to the reply's end. Prints
"key value" lines: n, ok (200), refused (503), failed (no reply within
5 s, or a reset), and p50_ms, p99_ms, max_ms over the answered ones.
"""
import socket
import sys
import time

TIMEOUT_S = 5


def one(host, port):
    t0 = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT_S) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: lawtally\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None, None
    return data[9:12], (time.perf_counter() - t0) * 1000


def pct(sorted_ms, p):
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, int(p / 100 * len(sorted_ms)))]


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    seconds, interval = float(sys.argv[2]), float(sys.argv[3]) / 1000
    counts = {"n": 0, "ok": 0, "refused": 0, "failed": 0}
    ms = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.monotonic()
        status, took = one(host.strip("[]"), int(port))
        counts["n"] += 1
        if status is None:
            counts["failed"] += 1
        else:
            counts["ok" if status == b"200" else "refused" if status == b"503" else "failed"] += 1
            ms.append(took)
        time.sleep(max(0.0, interval - (time.monotonic() - t)))
    ms.sort()
    for k, v in counts.items():
        print(k, v)
    print("p50_ms %.2f" % pct(ms, 50))
    print("p99_ms %.2f" % pct(ms, 99))
    print("max_ms %.2f" % (ms[-1] if ms else float("nan")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
