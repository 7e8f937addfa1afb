#!/usr/bin/env bash
# hostile.sh - lawtallyd under the attacks of issue 14, measured.
#
#   bench/hostile.sh --build DIR [--quick] [--section FILE] [--update FILE]
#
# 1. Slow HTTP clients: SLOW clients (3,000) each send a GET /healthz one
#    header line every 4 s, never finishing, against connections_max = 64
#    and timeout_s = 10, for ATTACK_S seconds (30). Measured meanwhile: the
#    daemon's descriptors and resident memory (largest of samples every
#    0.25 s), a good client's /healthz (a new connection every 20 ms, as a
#    monitoring check makes), ZeroMQ queries (bench/loadgen's prober) and
#    ingest acks (one sender, 200 events/s); and the same with no attack.
# 2. Out of descriptors: LimitNOFILE=1024 (prlimit) and connections_max =
#    10000, EXHAUST (1,100) slow clients for EXHAUST_S (10) seconds: the
#    daemon's log lines and CPU over that time, /healthz (every 100 ms), and
#    how long a new sender waits for its ack once the attackers close.
#
# Prints a markdown section; --section writes it to FILE, --update puts it
# in FILE (BENCHMARKS.md) in place of its "## Hostile load" section, or
# before "## How it was measured", where bench/run.sh puts it in full runs.
# --quick: small sizes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0 BUILD= SECTION= UPDATE=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--build) BUILD=$2; shift ;;
	--section) SECTION=$2; shift ;;
	--update) UPDATE=$2; shift ;;
	*) echo "usage: bench/hostile.sh --build DIR [--quick] [--section FILE] [--update FILE]" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$BUILD" ] || { echo "usage: bench/hostile.sh --build DIR [--quick] [--section FILE] [--update FILE]" >&2; exit 2; }
BUILD=$(cd "$BUILD" && pwd)
LAWTALLYD=$BUILD/lawtallyd LAWTALLY=$BUILD/lawtally LOADGEN=$BUILD/bench/loadgen
PYTHON=${PYTHON:-/usr/bin/python3}
for f in "$LAWTALLYD" "$LAWTALLY" "$LOADGEN"; do
	[ -x "$f" ] || { echo "bench: $f is missing: build it first (make bench-tools)" >&2; exit 2; }
done
if [ $QUICK = 1 ]; then
	SLOW=${BENCH_SLOW:-300} ATTACK_S=${BENCH_ATTACK_S:-8} EXHAUST=${BENCH_EXHAUST:-1100} EXHAUST_S=${BENCH_EXHAUST_S:-4}
else
	SLOW=${BENCH_SLOW:-3000} ATTACK_S=${BENCH_ATTACK_S:-30} EXHAUST=${BENCH_EXHAUST:-1100} EXHAUST_S=${BENCH_EXHAUST_S:-10}
fi
CONN_MAX=64
STARTED_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
T=$(mktemp -d "${TMPDIR:-/tmp}/lawtally-hostile.XXXXXX")
PIDS=() DPID=
cleanup() {
	local p
	for p in "${PIDS[@]}" $DPID; do { kill -9 "$p" && wait "$p"; } 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }
get() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print "n/a" }' "$1"; }
ms() { awk -v u="$1" 'BEGIN { if (u == "n/a") print "n/a"; else printf "%.2f", u / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
fds() { find "/proc/$DPID/fd" -mindepth 1 2>/dev/null | wc -l; }
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$DPID/status"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$DPID/stat"; }
metric() { curl -s --max-time 2 "http://$HTTP/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

# daemon_start EXTRA_HTTP_LINES [PRLIMIT_NOFILE]: sets DPID, INGEST, QUERY, HTTP.
daemon_start() {
	rm -rf "$T/data"
	cat >"$T/lawtallyd.conf" <<-CONF
	[daemon]
	data_dir = $T/data
	[ingest]
	endpoint = tcp://127.0.0.1:*
	[query]
	endpoint = tcp://127.0.0.1:*
	[http]
	listen = 127.0.0.1:0
	$1
	CONF
	: >"$T/daemon.log"
	if [ -n "${2:-}" ]; then
		prlimit --nofile="$2:$2" -- "$LAWTALLYD" -c "$T/lawtallyd.conf" 2>>"$T/daemon.log" &
	else
		"$LAWTALLYD" -c "$T/lawtallyd.conf" 2>>"$T/daemon.log" &
	fi
	DPID=$!
	local line deadline=$((SECONDS + 30))
	until line=$(grep -m 1 '^<6>listening:' "$T/daemon.log"); do
		kill -0 "$DPID" 2>/dev/null || die "lawtallyd did not start: $(tail -n 3 "$T/daemon.log")"
		[ $SECONDS -lt $deadline ] || die "lawtallyd did not listen within 30 s"
		sleep 0.01
	done
	INGEST=$(sed -E 's/.*ingest ([^,]*),.*/\1/' <<<"$line")
	QUERY=$(sed -E 's/.*query ([^,]*),.*/\1/' <<<"$line")
	HTTP=$(sed -E 's/.*http ([^ ,]*).*$/\1/' <<<"$line")
}
daemon_stop() {
	kill -TERM "$DPID"
	wait "$DPID" || die "lawtallyd exited with status $?"
	DPID=
}

# sample FILE: the largest descriptor count and RSS (KiB), every 0.25 s until FILE.stop.
sample() {
	( maxf=0 maxr=0
	  while [ ! -e "$1.stop" ]; do
		f=$(fds) r=$(rss 2>/dev/null || echo 0)
		[ "$f" -gt "$maxf" ] && maxf=$f
		[ "$r" -gt "$maxr" ] && maxr=$r
		printf 'fds_max %s\nrss_max_kib %s\n' "$maxf" "$maxr" >"$1"
		sleep 0.25
	  done ) &
	PIDS+=($!)
}

# slow_start CLIENTS: slow clients in the background, status in $T/slow; each
# one the daemon closes connects again 4 s later (its own pace), so the attack lasts.
slow_start() {
	rm -f "$T/slow"
	"$PYTHON" "$ROOT/tests/tools/slowhttp.py" "$HTTP" "$1" 4 "$T/slow" 4 &
	SLOW_PID=$!
	PIDS+=("$SLOW_PID")
	local deadline=$((SECONDS + 60))
	until [ -f "$T/slow" ] && [ "$(awk '{ print $2 }' "$T/slow")" -ge "$1" ]; do
		[ $SECONDS -lt $deadline ] || die "the slow clients did not connect: $(cat "$T/slow" 2>/dev/null)"
		sleep 0.05
	done
}
slow_stop() { kill -TERM "$SLOW_PID"; wait "$SLOW_PID" || true; }

# probes SECONDS OUT: /healthz, ZeroMQ queries and ingest acks at once, for SECONDS.
probes() {
	"$PYTHON" "$ROOT/bench/healthz_probe.py" "$HTTP" "$1" 20 >"$2.healthz" &
	local hp=$!
	"$LOADGEN" --senders 0 --seconds "$1" --query "$QUERY" >"$2.query" 2>"$T/probe.err" &
	local qp=$!
	"$LOADGEN" --endpoint "$INGEST" --senders 1 --window 1 --batch 10 --rate 200 --seconds "$1" \
		--ids v7 >"$2.ingest" 2>"$T/ingest.err" &
	local ip=$!
	wait "$hp" || die "the /healthz probe failed"
	wait "$qp" || die "the query prober failed: $(cat "$T/probe.err")"
	wait "$ip" || die "the ingest probe failed: $(cat "$T/ingest.err")"
}

# ---- 1. slow clients against connections_max = 64 ----------------------------------
note "slow clients: $SLOW against connections_max = $CONN_MAX for $ATTACK_S s"
daemon_start "connections_max = $CONN_MAX"
BASE_FDS=$(fds) BASE_RSS=$(rss)
probes 5 "$T/quiet"
sample "$T/attack.sample"
slow_start "$SLOW"
sleep 2 # the held connections are past the second after which they give way
probes "$ATTACK_S" "$T/attack"
touch "$T/attack.sample.stop"
SLOW_STATUS=$(cat "$T/slow")
slow_stop
sleep 0.5
AFTER_FDS=$(fds)
LIMIT=$(metric 'lawtally_http_connections_closed_total{cause="limit"}')
SHED=$(metric 'lawtally_http_connections_closed_total{cause="shed"}')
DEADLINE=$(metric 'lawtally_http_connections_closed_total{cause="deadline"}')
ATTACK_LINES=$(grep -c '^<4>http: ' "$T/daemon.log" || true)
daemon_stop

# ---- 2. out of descriptors: LimitNOFILE=1024 -----------------------------------------
note "out of descriptors: $EXHAUST slow clients under LimitNOFILE=1024 for $EXHAUST_S s"
daemon_start "connections_max = 10000" 1024
CAP_LINE=$(grep -m 1 '^<4>http: [0-9]* connections at most' "$T/daemon.log" || echo "(none)")
lines0=$(wc -l <"$T/daemon.log")
slow_start "$EXHAUST"
t0=$(ticks) s0=$(date +%s%N)
"$PYTHON" "$ROOT/bench/healthz_probe.py" "$HTTP" "$EXHAUST_S" 100 >"$T/exhaust.healthz"
t1=$(ticks) s1=$(date +%s%N)
EX_FDS=$(fds)
EX_LINES=$(($(wc -l <"$T/daemon.log") - lines0))
EX_CPU=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v ns=$((s1 - s0)) 'BEGIN { printf "%.1f", t / hz / (ns / 1e9) * 100 }')
slow_stop
a0=$(date +%s%N)
"$LAWTALLY" send --endpoint "$INGEST" --timeout 5 training --village ZL05 --attendees 9 >/dev/null ||
	die "a new sender after the attack got no ack"
NEW_SENDER_MS=$((($(date +%s%N) - a0) / 1000000))
daemon_stop

# ---- the section -----------------------------------------------------------------------
hz() { get "$T/$1.healthz" "$2"; }
section() {
	echo "## Hostile load"
	echo
	echo "Written by \`bench/hostile.sh --build $(realpath --relative-to="$ROOT" "$BUILD")$([ $QUICK = 1 ] && echo ' --quick')\`, $STARTED_AT, 1-minute load average $LOAD_START before ($(nproc) CPUs); one run. Slow clients: \`tests/tools/slowhttp.py\` (a GET /healthz, then one header line every 4 s, never the end; a client the daemon closes connects again 4 s later). Good clients: \`bench/healthz_probe.py\` (a new connection and GET /healthz every 20 ms), \`loadgen\`'s prober (ZeroMQ queries, 10 ms apart) and one \`loadgen\` sender (batches of 10 events, 200 events/s); latencies from the client's side."
	echo
	echo "**$SLOW slow clients, connections_max = $CONN_MAX, timeout_s = 10, for $ATTACK_S s** (issue 14 measured, before: all 3,000 held, descriptors 24 -> 3,024, RSS 9.7 -> 18 MB):"
	echo
	echo "| measure | no attack | during the attack |"
	echo "| --- | ---: | ---: |"
	echo "| daemon descriptors (largest sample) | $BASE_FDS | $(get "$T/attack.sample" fds_max) |"
	echo "| daemon resident memory (largest sample) | $(mib "$BASE_RSS") MiB | $(mib "$(get "$T/attack.sample" rss_max_kib)") MiB |"
	echo "| /healthz, new connection each: p50 / p99 / max | $(hz quiet p50_ms) / $(hz quiet p99_ms) / $(hz quiet max_ms) ms | $(hz attack p50_ms) / **$(hz attack p99_ms)** / $(hz attack max_ms) ms |"
	echo "| /healthz answers: 200 / 503 / none | $(hz quiet ok) / $(hz quiet refused) / $(hz quiet failed) | $(hz attack ok) / $(hz attack refused) / $(hz attack failed) |"
	echo "| ZeroMQ query p50 / p99 | $(ms "$(get "$T/quiet.query" zmq_query_p50_us)") / $(ms "$(get "$T/quiet.query" zmq_query_p99_us)") ms | $(ms "$(get "$T/attack.query" zmq_query_p50_us)") / $(ms "$(get "$T/attack.query" zmq_query_p99_us)") ms |"
	echo "| ingest ack p50 / p99 (200 events/s) | $(ms "$(get "$T/quiet.ingest" ack_p50_us)") / $(ms "$(get "$T/quiet.ingest" ack_p99_us)") ms | $(ms "$(get "$T/attack.ingest" ack_p50_us)") / $(ms "$(get "$T/attack.ingest" ack_p99_us)") ms |"
	echo
	echo "Slow clients (each one closed connects again 4 s later), at the end: \`$SLOW_STATUS\`. The daemon's count of connections it closed: $LIMIT answered 503 at the limit, $SHED gave their place to a new connection, $DEADLINE closed at the 10 s deadline; $ATTACK_LINES \`<4>http:\` log lines in all; $AFTER_FDS descriptors once the attackers had gone."
	echo
	echo "**$EXHAUST slow clients under LimitNOFILE=1024 (prlimit), connections_max = 10000, over $EXHAUST_S s** (issue 14 measured, before: 1.69 million log lines in 8 s, 6.9 s of CPU in 8 s, /healthz timed out, a new sender got no reply):"
	echo
	echo "| measure | measured | target |"
	echo "| --- | ---: | --- |"
	echo "| log lines while the attack held | $EX_LINES | under 100 |"
	echo "| daemon CPU while the attack held | $EX_CPU % | under 10 % |"
	echo "| daemon descriptors at the end of those $EXHAUST_S s | $EX_FDS | at most 1024 |"
	echo "| /healthz every 100 ms: 200 / 503 / none; p99 | $(hz exhaust ok) / $(hz exhaust refused) / $(hz exhaust failed); $(hz exhaust p99_ms) ms | answers |"
	echo "| a new sender's first ack after the attackers closed | $NEW_SENDER_MS ms | within 1 s |"
	echo
	echo "At start the daemon said: \`$CAP_LINE\`."
}
section >"$T/section.md"
cat "$T/section.md"
[ -z "$SECTION" ] || cp "$T/section.md" "$SECTION"
if [ -n "$UPDATE" ]; then
	if grep -q '^## Hostile load$' "$UPDATE"; then
		# the section runs to the next "## " heading, or to the end
		awk -v f="$T/section.md" '
			/^## Hostile load$/ { while ((getline l < f) > 0) print l; skip = 1; next }
			skip && /^## / { skip = 0; print "" }
			!skip' "$UPDATE" >"$T/updated"
	elif grep -q '^## How it was measured$' "$UPDATE"; then
		# where bench/run.sh puts it: before the notes on the method
		awk -v f="$T/section.md" '
			/^## How it was measured$/ { while ((getline l < f) > 0) print l; print "" }
			{ print }' "$UPDATE" >"$T/updated"
	else
		{ cat "$UPDATE"; echo; cat "$T/section.md"; } >"$T/updated"
	fi
	cp "$T/updated" "$UPDATE"
	note "updated $UPDATE"
fi
