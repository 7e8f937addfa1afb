#!/usr/bin/env bash
# run.sh - the benchmark behind `make bench` and `make bench-quick`.
#
#   bench/run.sh [--quick] [--only snapshot|checksums|seqs|ingest] --build DIR [--nosum DIR] --out FILE
#
# Starts lawtallyd (from DIR) on stores in a temporary directory and
# measures, with the tools of DIR/bench: durable ingest (1, 8, 64 senders;
# time-ordered and random ids; empty store and prefilled ones), ack latency
# at a fixed offered rate and at saturation, query latency under full
# ingest, start-up and report time and private memory at two store sizes,
# store bytes per event; then, on the same disk, the raw LMDB ceiling and
# Redis (appendfsync always) doing the same work per event; whether every
# answer taken under full ingest reads one commit (the snapshot section);
# what the stored values' checksums and the scrub cost ingest, and how fast
# the scrub reads (the checksums section; with --nosum DIR, the lawtallyd of
# DIR, built with -DLAWTALLY_NO_CHECKSUMS, is the comparison); in full runs,
# the daemon under hostile load (bench/hostile.sh). Every figure is the
# median of the runs made here; nothing is estimated. Prints one table and
# writes FILE (markdown) with the machine, the commands and the runs. With
# --only SECTION it runs that section alone and puts it into FILE in place
# of the one there (or at its end).
#
# Sizes and counts can be changed with BENCH_RUNS, BENCH_EVENTS,
# BENCH_SECONDS, BENCH_SIZES, BENCH_SENDERS, BENCH_RATE; BENCH_CONDITIONS
# adds a note to the automatic busy/quiet one at the top of FILE, and
# BENCH_NOSUM_LABEL names the --nosum daemon when it is another one (an
# earlier version's).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0 BUILD= OUT= ONLY= NOSUM=
USAGE="usage: bench/run.sh [--quick] [--only snapshot|checksums|seqs|ingest] --build DIR [--nosum DIR] --out FILE"
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--only) ONLY=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--nosum) NOSUM=$2; shift ;;
	--out) OUT=$2; shift ;;
	*) echo "$USAGE" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$BUILD" ] && [ -n "$OUT" ] &&
	{ [ -z "$ONLY" ] || [ "$ONLY" = snapshot ] || [ "$ONLY" = checksums ] || [ "$ONLY" = seqs ] ||
	  [ "$ONLY" = ingest ]; } ||
	{ echo "$USAGE" >&2; exit 2; }
BUILD=$(cd "$BUILD" && pwd)
LAWTALLYD=$BUILD/lawtallyd
TOOLS=$BUILD/bench
NOSUM_LAWTALLYD=
[ -z "$NOSUM" ] || NOSUM_LAWTALLYD=$(cd "$NOSUM" && pwd)/lawtallyd
NEED=("$TOOLS/seqbench")
[ "$ONLY" = seqs ] || NEED+=("$LAWTALLYD" "$TOOLS/loadgen" $NOSUM_LAWTALLYD)
[ "$ONLY" != checksums ] || NEED+=("$TOOLS"/{prefill,scrubrate})
[ "$ONLY" != ingest ] || NEED+=("$TOOLS"/lmdb_ceiling)
[ -n "$ONLY" ] || NEED+=("$TOOLS"/{prefill,lmdb_ceiling,redis_load,starttime,scrubrate})
for f in "${NEED[@]}"; do
	[ -x "$f" ] || { echo "bench: $f is missing: build it first (make bench-tools)" >&2; exit 2; }
done
[ -n "$ONLY" ] || command -v redis-server >/dev/null ||
	{ echo "bench: redis-server is missing (make bench-deps)" >&2; exit 2; }

if [ $QUICK = 1 ]; then
	RUNS=${BENCH_RUNS:-1} EVENTS=${BENCH_EVENTS:-4000} SECS=${BENCH_SECONDS:-1}
	SIZES=${BENCH_SIZES:-"20000 50000"} RATE=${BENCH_RATE:-2000} RATE_SECS=1 STARTS=2
	SNAP_HTTP=${BENCH_SNAP_HTTP:-3000} SNAP_ZMQ=${BENCH_SNAP_ZMQ:-1000}
else
	RUNS=${BENCH_RUNS:-5} EVENTS=${BENCH_EVENTS:-200000} SECS=${BENCH_SECONDS:-4}
	SIZES=${BENCH_SIZES:-"1000000 10000000"} RATE=${BENCH_RATE:-10000} RATE_SECS=5 STARTS=5
	SNAP_HTTP=${BENCH_SNAP_HTTP:-100000} SNAP_ZMQ=${BENCH_SNAP_ZMQ:-10000}
fi
SENDERS=${BENCH_SENDERS:-"1 8 64"}
# queries run while 8 senders saturate ingest for the whole of SECS: enough
# events that the load lasts, and at least QUERY_MIN answers of each kind
QUERY_EVENTS=$((EVENTS * 25 > 400000 ? EVENTS * 25 : 400000)) QUERY_MIN=$((SECS * 3))
WINDOW=4 BATCH=256         # per sender: 4 requests of 256 events in flight
RATE_SENDERS=8 RATE_BATCH=10 RATE_WINDOW=16
COPY_MAX=2000000           # stores up to this size are copied afresh for each run
read -r SIZE1 SIZE2 <<<"$SIZES"

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
STARTED_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
T=$(mktemp -d "${TMPDIR:-/tmp}/lawtally-bench.XXXXXX")
RES=$T/results
mkdir -p "$RES"
DPID= RPID= SAMPLER= IDLE_PID=
cleanup() {
	local rc=$?
	for p in $SAMPLER $DPID $RPID $IDLE_PID; do
		{ kill -9 "$p" && wait "$p"; } 2>/dev/null || true
	done
	if [ $rc -ne 0 ] && [ -f "$T/daemon.log" ]; then
		echo "--- daemon log (last 10 lines)" >&2; tail -n 10 "$T/daemon.log" >&2
	fi
	rm -rf "$T"
}
trap cleanup EXIT

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

# get FILE KEY: a value from a tool's "key value" output.
get() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print "n/a" }' "$1"; }

# median: the median of the numbers on stdin ("n/a" lines are skipped).
median() {
	{ grep -v '^n/a$' || true; } | sort -g | awk '{ a[NR] = $1 } END {
		if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2];
		else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# cells NAME-GLOB KEY: the values of KEY in every result file matching, one a line.
cells() { local f; for f in "$RES"/$1.txt; do [ -f "$f" ] && get "$f" "$2"; done; return 0; }
# med NAME-GLOB KEY: their median; runs_of NAME-GLOB KEY: all of them, " / " between.
med() { cells "$1" "$2" | median; }
runs_of() { cells "$1" "$2" | tr '\n' ' ' | sed 's/ $//; s/ / \/ /g'; }

# human N: 1000000 -> 1M, 20000 -> 20k.
human() {
	awk -v n="$1" 'BEGIN { if (n >= 1e6 && n % 1e6 == 0) printf "%dM", n / 1e6;
		else if (n >= 1e6) printf "%.1fM", n / 1e6;
		else if (n >= 1e3 && n % 1e3 == 0) printf "%dk", n / 1e3; else printf "%d", n }'
}

ms() { awk -v u="$1" 'BEGIN { if (u == "n/a") print "n/a"; else printf "%.2f", u / 1000 }'; }
fmt1() { awk -v x="$1" 'BEGIN { if (x == "n/a") print "n/a"; else printf "%.1f", x }'; }
int() { awk -v x="$1" 'BEGIN { if (x == "n/a") print "n/a"; else printf "%.0f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
# ge X LIMIT / le X LIMIT: "met" or "not met" ("n/a" stays).
ge() { awk -v x="$1" -v l="$2" 'BEGIN { if (x == "n/a") print "n/a"; else print (x >= l ? "met" : "NOT met") }'; }
le() { awk -v x="$1" -v l="$2" 'BEGIN { if (x == "n/a") print "n/a"; else print (x <= l ? "met" : "NOT met") }'; }

# ---- the daemon --------------------------------------------------------------

# daemon_start DIR [BINARY [INI]]: lawtallyd (or BINARY) on loopback, ports of
# its own choosing, data in DIR, INI added to its config; sets DPID, INGEST,
# QUERY, HTTP.
daemon_start() {
	cat >"$T/lawtallyd.conf" <<-CONF
	[daemon]
	data_dir = $1
	[ingest]
	endpoint = tcp://127.0.0.1:*
	[query]
	endpoint = tcp://127.0.0.1:*
	[http]
	listen = 127.0.0.1:0
	${3:-}
	CONF
	: >"$T/daemon.log"
	"${2:-$LAWTALLYD}" -c "$T/lawtallyd.conf" 2>>"$T/daemon.log" &
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

# daemon_stop: SIGTERM, then wait (SIGKILL and fail after 30 s); an error
# line in its log fails the bench.
daemon_stop() {
	kill -TERM "$DPID"
	local deadline=$((SECONDS + 30))
	while kill -0 "$DPID" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || { kill -9 "$DPID"; die "lawtallyd did not stop within 30 s"; }
		sleep 0.01
	done
	wait "$DPID" || die "lawtallyd exited with status $?"
	DPID=
	! grep -q '^<3>' "$T/daemon.log" || die "lawtallyd logged an error: $(grep -m 1 '^<3>' "$T/daemon.log")"
}

# cputicks PID: user + system CPU time of a process, in clock ticks.
cputicks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# wchar PID: bytes the process has written by write(2) and its kin (/proc/PID/io).
wchar() { awk '$1 == "wchar:" { print $2 }' "/proc/$1/io"; }
# writer_tid PID: the thread id of lawtallyd's writer thread (empty if none).
writer_tid() { grep -l '^lawtally-writer$' /proc/"$1"/task/*/comm 2>/dev/null | head -n 1 | cut -d/ -f5; }
# wticks PID: CPU ticks of its writer thread (0 if none).
wticks() { local t; t=$(writer_tid "$1"); [ -n "$t" ] && awk '{ print $14 + $15 }' "/proc/$1/task/$t/stat" || echo 0; }
CLK_TCK=$(getconf CLK_TCK)

metric() { curl -sf "http://$HTTP/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

# privmem PID: resident KiB of the process outside the LMDB data file's mapping.
privmem() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { mdb = ($NF ~ /data\.mdb$/) }
	     /^Rss:/ { if (!mdb) kib += $2 } END { print kib + 0 }' "/proc/$1/smaps"
}

# sampler_start FILE: the daemon's largest private memory, sampled every 0.1 s.
sampler_start() {
	local out=$1 pid=$DPID
	echo 0 >"$out"
	( max=0
	  while [ ! -e "$out.stop" ] && kill -0 "$pid" 2>/dev/null; do
		v=$(privmem "$pid" 2>/dev/null || echo 0)
		[ "$v" -gt "$max" ] && max=$v && echo "$max" >"$out"
		sleep 0.1
	  done ) &
	SAMPLER=$!
}
sampler_stop() { touch "$1.stop"; wait "$SAMPLER" || true; SAMPLER=; rm -f "$1.stop"; }

SEED=100
# load NAME ARGS...: one loadgen run against the running daemon, kept as
# $RES/NAME.txt with the daemon's own counts; checks that the daemon
# accepted exactly what the generator saw acknowledged.
load() {
	local name=$1 before cpu0 cpu1 w0 w1 wc0 wc1; shift
	SEED=$((SEED + 1))
	before=$(metric 'lawtally_events_total{status="accepted"}')
	cpu0=$(cputicks "$DPID") w0=$(wticks "$DPID") wc0=$(wchar "$DPID")
	"$TOOLS/loadgen" --endpoint "$INGEST" --seed "$SEED" "$@" >"$RES/$name.txt" 2>"$T/loadgen.err" ||
		die "loadgen $name failed: $(cat "$T/loadgen.err")"
	cpu1=$(cputicks "$DPID") w1=$(wticks "$DPID") wc1=$(wchar "$DPID")
	local acc after sum count csum
	acc=$(get "$RES/$name.txt" accepted)
	after=$(metric 'lawtally_events_total{status="accepted"}')
	[ $((after - before)) = "$acc" ] ||
		die "$name: the daemon counted $((after - before)) accepted events, loadgen $acc"
	sum=$(metric lawtally_commit_events_sum) count=$(metric lawtally_commit_events_count)
	csum=$(metric lawtally_commit_seconds_sum)
	awk -v s="$sum" -v c="$count" -v cs="$csum" -v secs="$(get "$RES/$name.txt" seconds)" 'BEGIN {
		if (c > 0) printf "commit_events_mean %.1f\ncommit_ms_mean %.3f\n", s / c, cs / c * 1000;
		if (secs > 0) printf "commit_busy %.3f\n", cs / secs }' >>"$RES/$name.txt"
	echo "stored_after $(metric lawtally_store_events)" >>"$RES/$name.txt"
	awk -v t=$((cpu1 - cpu0)) -v w=$((w1 - w0)) -v hz="$CLK_TCK" -v a="$acc" -v wc=$((wc1 - wc0)) \
		-v c="$count" -v cs="$csum" 'BEGIN {
		if (a > 0) printf "daemon_cpu_us_per_event %.2f\nwriter_cpu_us_per_event %.2f\nwritten_bytes_per_event %.0f\n",
			t / hz * 1e6 / a, w / hz * 1e6 / a, wc / a;
		if (c > 0) printf "writer_cpu_ms_per_commit %.3f\nwait_ms_per_commit %.3f\n",
			w / hz * 1000 / c, (cs - w / hz) * 1000 / c }' >>"$RES/$name.txt"
}

# check_totals NAME [N]: after a run on an empty store that sent all N
# (EVENTS) events, the totals are exactly what the event mix adds
# (bench/workload.h).
check_totals() {
	local acc reg res n=${2:-$EVENTS}
	acc=$(get "$RES/$1.txt" accepted)
	[ "$acc" = "$n" ] && [ $((n % 10)) = 0 ] || return 0
	reg=$(curl -sf "http://$HTTP/v1/totals?year=2024&metric=disputes.registered" | jq '[.rows[].value] | add')
	res=$(curl -sf "http://$HTTP/v1/totals?year=2024&metric=disputes.resolved" | jq '[.rows[].value] | add')
	[ "$reg" = $((n / 10 * 3)) ] && [ "$res" = $((n / 10 * 2)) ] ||
		die "$1: totals registered $reg resolved $res, expected $((n / 10 * 3)) and $((n / 10 * 2))"
}

# copy_store FROM TO: a fresh copy of a prefilled store, flushed to disk so
# that its write-back does not land inside the next measurement.
copy_store() {
	rm -rf "$2"; mkdir -p "$2"
	cp --sparse=always "$1/data.mdb" "$2/data.mdb"
	sync "$2/data.mdb"
}

ingest_runs() { # LABEL IDS STORE-SOURCE (empty | copy:DIR | inplace:DIR) [SAMPLE_MEM_FILE]
	local label=$1 ids=$2 src=$3 mem=${4:-} n r dir
	for n in $SENDERS; do
		for r in $(seq "$RUNS"); do
			case $src in
			empty) dir=$T/run; rm -rf "$dir" ;;
			copy:*) dir=$T/run; copy_store "${src#copy:}" "$dir" ;;
			inplace:*) dir=${src#inplace:} ;;
			esac
			daemon_start "$dir"
			echo "stored_before $(metric lawtally_store_events)" >"$T/before"
			[ -n "$mem" ] && [ "$n" = 8 ] && sampler_start "$T/mem"
			load "$label-$ids-$n-$r" --senders "$n" --window $WINDOW --batch $BATCH \
				--events "$EVENTS" --seconds "$SECS" --ids "$ids"
			cat "$T/before" >>"$RES/$label-$ids-$n-$r.txt"
			if [ -n "$mem" ] && [ "$n" = 8 ]; then sampler_stop "$T/mem"; cat "$T/mem" >>"$mem"; fi
			[ "$src" = empty ] && check_totals "$label-$ids-$n-$r"
			daemon_stop
		done
		note "$label $ids ids, $n senders: $(cells "$label-$ids-$n-*" events_per_s | median) events/s"
	done
}

# ---- one commit per answer under full ingest (issue 13) ---------------------------
# snapshot_run: 8 senders saturate ingest with new disputes at STAGE_REGISTERED
# (each adds 1 to disputes.registered and 1 to disputes.open in one commit)
# until a prober of its own has checked SNAP_HTTP answers of GET /v1/totals
# and SNAP_ZMQ of the query endpoint, each of every metric of 2024: in each,
# the two must be equal. Results in $RES/snapshot-*.txt.
snapshot_run() {
	local lp
	rm -rf "$T/run"; daemon_start "$T/run"
	SNAP_LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
	# more events than the senders can send meanwhile: SIGTERM stops them
	"$TOOLS/loadgen" --endpoint "$INGEST" --senders 8 --window $WINDOW --batch $BATCH \
		--events 200000000 --seconds 3600 --mix registered >"$RES/snapshot-load.txt" \
		2>"$T/snapshot-load.err" &
	lp=$!
	local deadline=$((SECONDS + 60))
	until [ "$(metric 'lawtally_events_total{status="accepted"}')" -gt 0 ]; do
		kill -0 "$lp" 2>/dev/null || die "snapshot: the senders stopped: $(cat "$T/snapshot-load.err")"
		[ $SECONDS -lt $deadline ] || die "snapshot: no event accepted in 60 s"
		sleep 0.01
	done
	"$TOOLS/loadgen" --senders 0 --seconds 3600 --query "$QUERY" --http "$HTTP" --check-open \
		--answers "$SNAP_HTTP" --zmq-answers "$SNAP_ZMQ" --probe-gap-ms 0 \
		>"$RES/snapshot-probe.txt" 2>"$T/snapshot-probe.err" ||
		die "snapshot prober failed: $(cat "$T/snapshot-probe.err")"
	kill -TERM "$lp"
	wait "$lp" || die "snapshot: the senders failed: $(cat "$T/snapshot-load.err")"
	local acked reg open
	acked=$(get "$RES/snapshot-load.txt" accepted)
	reg=$(curl -sf "http://$HTTP/v1/totals?year=2024&metric=disputes.registered" | jq '.rows[0].value')
	open=$(curl -sf "http://$HTTP/v1/totals?year=2024&metric=disputes.open" | jq '.rows[0].value')
	echo "after_registered $reg" >>"$RES/snapshot-probe.txt"
	echo "after_open $open" >>"$RES/snapshot-probe.txt"
	daemon_stop
	rm -rf "$T/run"
	[ "$reg" = "$acked" ] && [ "$open" = "$acked" ] ||
		die "snapshot: after ingest, registered $reg and open $open, $acked acknowledged"
	note "snapshot: $(get "$RES/snapshot-probe.txt" http_broken) of $(get "$RES/snapshot-probe.txt" http_query_n) HTTP and $(get "$RES/snapshot-probe.txt" zmq_broken) of $(get "$RES/snapshot-probe.txt" zmq_query_n) ZeroMQ answers mixed two commits"
}

# snapshot_section: the section of FILE, between its markers.
snapshot_section() {
	local p=$RES/snapshot-probe.txt l=$RES/snapshot-load.txt hb zb verdict
	hb=$(get "$p" http_broken) zb=$(get "$p" zmq_broken)
	verdict=$([ "$hb" = 0 ] && [ "$zb" = 0 ] && echo met || echo "NOT met")
	echo "<!-- snapshot:begin -->"
	echo "## One commit per answer under full ingest (issue 13)"
	echo
	echo "> Measured by \`$SNAP_CMD\` ($([ $QUICK = 1 ] && echo 'quick sizes' || echo 'full sizes')) on $SNAP_AT; 1-minute load average $SNAP_LOAD_START before. $SNAP_NOTE"
	echo
	echo "8 senders ($WINDOW requests of $BATCH events in flight each) saturate ingest with new disputes at STAGE_REGISTERED (\`loadgen --mix registered\`): each event adds 1 to \`disputes.registered\` and 1 to \`disputes.open\` in the same commit, so in any one commit the two are equal. Meanwhile a prober process of its own (\`loadgen --senders 0 --check-open\`, no pause between answers) asks for every metric of 2024 over HTTP and over ZeroMQ, one answer at a time on each, and counts the answers in which the two differ: an answer put together from two commits."
	echo
	echo "| target | measured | verdict |"
	echo "| --- | --- | --- |"
	echo "| every answer under full ingest reads one commit ($SNAP_HTTP HTTP, $SNAP_ZMQ ZeroMQ) | $hb of $(get "$p" http_query_n) HTTP and $zb of $(get "$p" zmq_query_n) ZeroMQ answers mixed two commits | $verdict |"
	echo
	echo "| answers | checked | mixing two commits | registered in the first / last answer | p50 / p99 ms |"
	echo "| --- | ---: | ---: | --- | --- |"
	echo "| GET /v1/totals?year=2024 | $(get "$p" http_query_n) | **$hb** | $(get "$p" http_registered_first) / $(get "$p" http_registered_last) | $(ms "$(get "$p" http_query_p50_us)") / $(ms "$(get "$p" http_query_p99_us)") |"
	echo "| ZeroMQ QueryRequest{year: 2024} | $(get "$p" zmq_query_n) | **$zb** | $(get "$p" zmq_registered_first) / $(get "$p" zmq_registered_last) | $(ms "$(get "$p" zmq_query_p50_us)") / $(ms "$(get "$p" zmq_query_p99_us)") |"
	echo
	echo "Ingest meanwhile: $(get "$l" accepted) events acknowledged in $(fmt1 "$(get "$l" seconds)") s, $(int "$(get "$l" events_per_s)") events/s; once it stopped, \`disputes.registered\` = $(get "$p" after_registered) and \`disputes.open\` = $(get "$p" after_open), the count acknowledged. Before answers were read in one snapshot, 115 of 124,668 such \`/v1/totals\` answers showed the two apart."
	echo "<!-- snapshot:end -->"
}

# ---- the stored values' checksums and the scrub (issue 13) -----------------------
# checksums_run: ingest by 8 senders (time-ordered ids, as the first table's
# headline rows), RUNS times, by daemons in turn: on an empty store, the one
# built without checksums (--nosum; skipped without it) and this one; on a
# copy of a store prefilled with SIZE1 events (each daemon's own prefill),
# the same two with the scrub off, and this one while its scrub walks the
# store (scrub_period_s = 1, the load started once a pass is under way). Then
# the scrub's rate on that store: unpaced (bench/scrubrate, RUNS times) and
# one pass of the daemon's own, paced.
cs_load() { # NAME: one load of EVENTS by 8 senders on the running daemon
	load "$1" --senders 8 --window $WINDOW --batch $BATCH --events "$EVENTS" --seconds "$SECS" --ids v7
}
checksums_run() {
	local r nosum_prefill=
	local off="[store]
scrub_period_s = 0" on="[store]
scrub_period_s = 1"
	CS_LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
	[ -z "$NOSUM" ] || [ ! -x "$NOSUM/bench/prefill" ] || nosum_prefill=$NOSUM/bench/prefill
	rm -rf "$T/cs-base" "$T/cs-base-nosum"
	"$TOOLS/prefill" --dir "$T/cs-base" --events "$SIZE1" --ids v7 --seed 1 >"$RES/cs-prefill.txt" \
		2>"$T/prefill.log" || die "prefill for the checksums failed: $(tail -n 3 "$T/prefill.log")"
	[ -z "$nosum_prefill" ] || "$nosum_prefill" --dir "$T/cs-base-nosum" --events "$SIZE1" --ids v7 \
		--seed 1 >/dev/null 2>"$T/prefill.log" || die "the --nosum prefill failed: $(tail -n 3 "$T/prefill.log")"
	for r in $(seq "$RUNS"); do
		# (the --nosum daemon gets no [store]: an earlier version has none; its
		# scrub, if it has one, waits a minute, longer than a run)
		if [ -n "$NOSUM_LAWTALLYD" ]; then
			rm -rf "$T/run"; daemon_start "$T/run" "$NOSUM_LAWTALLYD"
			cs_load "cs-nosum-empty-$r"; daemon_stop
		fi
		rm -rf "$T/run"; daemon_start "$T/run" "$LAWTALLYD" "$off"
		cs_load "cs-sum-empty-$r"; daemon_stop
		if [ -n "$nosum_prefill" ]; then
			copy_store "$T/cs-base-nosum" "$T/run"; daemon_start "$T/run" "$NOSUM_LAWTALLYD"
			cs_load "cs-nosum-full-$r"; daemon_stop
		fi
		copy_store "$T/cs-base" "$T/run"; daemon_start "$T/run" "$LAWTALLYD" "$off"
		cs_load "cs-sum-full-$r"; daemon_stop
		copy_store "$T/cs-base" "$T/run"; daemon_start "$T/run" "$LAWTALLYD" "$on"
		local deadline=$((SECONDS + 30))
		until [ "$(metric lawtally_scrub_running)" = 1 ]; do
			[ $SECONDS -lt $deadline ] || die "checksums: no scrub pass under way in 30 s"
			sleep 0.02
		done
		local c0; c0=$(metric lawtally_scrub_records)
		cs_load "cs-scrub-full-$r"
		{ echo "scrub_running $(metric lawtally_scrub_running)"
		  echo "scrub_checked $(( $(metric lawtally_scrub_records) - c0 ))"; } >>"$RES/cs-scrub-full-$r.txt"
		[ "$(metric lawtally_store_damaged)" = 0 ] || die "checksums: the scrub found damage under ingest"
		daemon_stop
		note "checksums run $r: empty $(med "cs-nosum-empty-$r" events_per_s) / $(med "cs-sum-empty-$r" events_per_s), $(human "$SIZE1") stored $(med "cs-nosum-full-$r" events_per_s) / $(med "cs-sum-full-$r" events_per_s) / $(med "cs-scrub-full-$r" events_per_s) events/s (without / with checksums / and the scrub)"
	done
	for r in $(seq "$RUNS"); do
		"$TOOLS/scrubrate" --dir "$T/cs-base" >"$RES/cs-rate-$r.txt" 2>"$T/scrubrate.err" ||
			die "scrubrate failed: $(cat "$T/scrubrate.err")"
	done
	# the daemon's own pass, paced, with no ingest: the first starts a second after the start
	copy_store "$T/cs-base" "$T/run"
	daemon_start "$T/run" "$LAWTALLYD" "$on"
	local deadline=$((SECONDS + 600))
	until [ "$(metric lawtally_scrub_passes_total)" -ge 1 ]; do
		[ $SECONDS -lt $deadline ] || die "checksums: the daemon's scrub pass took over 600 s"
		sleep 0.1
	done
	{ echo "records $(metric lawtally_scrub_last_records)"
	  echo "seconds $(metric lawtally_scrub_last_duration_seconds)"
	  echo "result $(metric lawtally_scrub_last_result)"; } >"$RES/cs-paced.txt"
	daemon_stop
	rm -rf "$T/run" "$T/cs-base" "$T/cs-base-nosum"
	note "checksums: the scrub reads $(med 'cs-rate-*' records_per_s) records/s unpaced; a paced pass of $(human "$SIZE1") events takes $(get "$RES/cs-paced.txt" seconds) s"
}

# checksums_section: the section of FILE, between its markers.
checksums_section() {
	local ne se nf sf cf r1 r2 r3 paced_rate base=${BENCH_NOSUM_LABEL:-built without checksums}
	ne=$(med 'cs-nosum-empty-*' events_per_s) se=$(med 'cs-sum-empty-*' events_per_s)
	nf=$(med 'cs-nosum-full-*' events_per_s) sf=$(med 'cs-sum-full-*' events_per_s)
	cf=$(med 'cs-scrub-full-*' events_per_s)
	r1=$(ratio "$se" "$ne") r2=$(ratio "$sf" "$nf") r3=$(ratio "$cf" "$nf")
	paced_rate=$(awk -v n="$(get "$RES/cs-paced.txt" records)" -v s="$(get "$RES/cs-paced.txt" seconds)" \
		'BEGIN { if (n == "n/a" || s == "n/a" || s == 0) print "n/a"; else printf "%.0f", n / s }')
	row() { # LABEL GLOB RATIO
		echo "| $1 | $(int "$(med "$2" events_per_s)") | $(runs_of "$2" events_per_s) | $(ms "$(med "$2" ack_p99_us)") | $(med "$2" daemon_cpu_us_per_event) | $3 |"
	}
	echo "<!-- checksums:begin -->"
	echo "## The stored values' checksums and the scrub (issue 13)"
	echo
	echo "> Measured by \`$CS_CMD\` ($([ $QUICK = 1 ] && echo 'quick sizes' || echo 'full sizes')) on $CS_AT; 1-minute load average $CS_LOAD_START before. $CS_NOTE"
	echo
	echo "Every stored value carries a CRC-32 of its key and value, checked at every read; the scrub walks every record and recounts, at the lowest priority. Ingest by 8 senders ($WINDOW requests of $BATCH events in flight each, time-ordered ids, $EVENTS events or $SECS s a run), daemon after daemon in each run: *without* is ${BENCH_NOSUM_LABEL:-the daemon built with \`-DLAWTALLY_NO_CHECKSUMS\` (\`make bench-nosum\`: values unsealed, nothing checked; its stores are for this comparison only)}. On a store prefilled with $(human "$SIZE1") events (each daemon's own \`bench/prefill\`, copied afresh for each run), *the scrub running* is this daemon with \`scrub_period_s = 1\`, the load started once its first pass is under way."
	echo
	echo "| target | measured | verdict |"
	echo "| --- | --- | --- |"
	echo "| ingest with checksums within 10 % of without, empty store | $(int "$se") / $(int "$ne") = **$r1** | $(ge "$r1" 0.9) |"
	echo "| ingest with checksums within 10 % of without, $(human "$SIZE1") stored | $(int "$sf") / $(int "$nf") = **$r2** | $(ge "$r2" 0.9) |"
	echo "| ingest with checksums and the scrub running within 10 % of without, $(human "$SIZE1") stored | $(int "$cf") / $(int "$nf") = **$r3** | $(ge "$r3" 0.9) |"
	echo
	echo "| ingest (8 senders, time-ordered ids) | events/s (median) | runs | ack p99 ms | daemon CPU us/event | vs. without |"
	echo "| --- | ---: | --- | ---: | ---: | ---: |"
	row "empty store, $base" 'cs-nosum-empty-*' 1.00
	row "empty store, checksums" 'cs-sum-empty-*' "$r1"
	row "$(human "$SIZE1") stored, $base" 'cs-nosum-full-*' 1.00
	row "$(human "$SIZE1") stored, checksums, scrub off" 'cs-sum-full-*' "$r2"
	row "$(human "$SIZE1") stored, checksums, the scrub running" 'cs-scrub-full-*' "$r3"
	echo
	echo "The scrub during those last runs: still under way at the end of the load $(runs_of 'cs-scrub-full-*' scrub_running) (1: yes), records it checked during the load $(runs_of 'cs-scrub-full-*' scrub_checked)."
	echo
	echo "| the scrub on the store of $(human "$SIZE1") events ($(get "$RES/cs-prefill.txt" store_used_bytes | awk '{ printf "%.0f", $1 / 1048576 }') MiB) | records | MiB | seconds | records/s | MiB/s |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: |"
	echo "| one pass, unpaced (\`bench/scrubrate\`: the walk in steps of 512, then the recount; median of $RUNS) | $(med 'cs-rate-*' records) | $(awk -v b="$(med 'cs-rate-*' bytes)" 'BEGIN { printf "%.0f", b / 1048576 }') | $(med 'cs-rate-*' walk_seconds) + $(med 'cs-rate-*' recount_seconds) | $(int "$(med 'cs-rate-*' records_per_s)") | $(med 'cs-rate-*' mib_per_s) |"
	echo "| the daemon's own pass, paced (a pause as long as each step), no ingest | $(get "$RES/cs-paced.txt" records) | | $(get "$RES/cs-paced.txt" seconds) | $paced_rate | |"
	echo
	echo "At once a day (the default) the scrub reads a store of $(human "$SIZE1") events for $(get "$RES/cs-paced.txt" seconds) s of the day's 86400. The recount holds the facts of at most 2^17 case events at once (about 11 MiB), going over the event log in as many passes as the cases need; the most private memory \`bench/scrubrate\` held in its pass (RssAnon, the store's map not included; median of $RUNS): $(med 'cs-rate-*' private_peak_kib | awk '{ printf "%.1f", $1 / 1024 }') MiB."
	echo "<!-- checksums:end -->"
}

# ---- sequence numbers per sender (issue 19) -------------------------------------
# seqs_run: bench/seqbench on one sender's record, 1M events, 1 % and 0.01 % lost.
seqs_run() {
	"$TOOLS/seqbench" --events 1000000 --drop 0.01 --seed 1 >"$RES/seqs-1.txt" ||
		die "seqbench failed"
	"$TOOLS/seqbench" --events 1000000 --drop 0.0001 --seed 1 >"$RES/seqs-2.txt" ||
		die "seqbench failed"
	note "seqs: $(get "$RES/seqs-1.txt" stored_bytes) bytes stored per sender after 1M events with 1 % lost"
}

# seqs_section: the section of FILE, between its markers.
seqs_section() {
	local a=$RES/seqs-1.txt b=$RES/seqs-2.txt
	echo "<!-- seqs:begin -->"
	echo "## Sequence numbers: bytes and memory per sender (issue 19)"
	echo
	echo "Written by \`${SEQ_CMD:-$CMD}\`${SEQ_AT:+ at $SEQ_AT}. ${SEQ_NOTE:-}"
	echo "Measured on the record itself, not through the daemon: \`bench/seqbench\` feeds one sender's numbers 1..1M to \`seqrec_event()\` (the store's own code, \`daemon/store/seqrec.c\`, \`rangeset.c\`), in order, in batches of 1000, each lost with the given probability and never sent again; every batch decodes and encodes the record once, as \`store_seqs_apply()\` reads and writes it once per sender and batch. *Stored* is the sealed value with a 20-byte key (name, 0, epoch); LMDB keeps a value this size on its leaf page. *Memory* is one record held decoded: the writer holds at most 8 at a time (\`SEQ_OPEN_MAX\`) whatever the number of senders, a view one per sender and epoch while it renders."
	echo
	echo "| target | measured | met |"
	echo "| --- | --- | --- |"
	echo "| bytes stored per sender bounded after 1M events with 1 % gaps | **$(get "$a" stored_bytes)** B ($(get "$a" ranges) ranges kept, at most 256) | $([ "$(get "$a" ranges)" -le 256 ] && echo yes || echo no) |"
	echo
	echo "| 1M events, lost | ranges kept | gaps listed | numbers no longer listed | stored | memory | merge a number | read + write per batch | after re-sending |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	for f in "$a" "$b"; do
		echo "| $(get "$f" lost) ($(awk -v l="$(get "$f" lost)" 'BEGIN { printf "%.2f", l / 10000 }') %) | $(get "$f" ranges) | $(get "$f" listed_gaps) | $(get "$f" forgotten) | $(get "$f" stored_bytes) B | $(get "$f" memory_bytes) B | $(get "$f" merge_ns) ns | $(get "$f" batch_us) µs | $(get "$f" refilled_ranges) range, $(get "$f" refilled_value_bytes) B |"
	done
	echo
	echo "With 1 % lost, the ~10 000 gaps are more than the 256 ranges a record keeps: the oldest are merged, the views say so as an error ("too many gaps: those below number N were not kept one by one") and list the latest 255 exactly. With 0.01 % lost, every gap is listed. Re-sending the lost numbers brings the record back to one range."
	echo "<!-- seqs:end -->"
}

# redis_start: redis-server on a free loopback port, AOF fsynced before every reply.
redis_start() {
	local try
	mkdir -p "$T/redis"
	for try in 1 2 3 4 5 6 7 8; do
		RPORT=$((20000 + RANDOM % 40000))
		: >"$T/redis/log"
		redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$T/redis" --appendonly yes \
			--appendfsync always --save '' --auto-aof-rewrite-percentage 0 \
			--daemonize no --logfile "$T/redis/log" &
		RPID=$!
		local deadline=$((SECONDS + 10))
		while kill -0 "$RPID" 2>/dev/null && ! grep -q 'Ready to accept' "$T/redis/log"; do
			[ $SECONDS -lt $deadline ] || die "redis-server did not start within 10 s"
			sleep 0.01
		done
		kill -0 "$RPID" 2>/dev/null && return 0
		wait "$RPID" || true
		RPID=
	done
	die "redis-server did not start: $(tail -n 2 "$T/redis/log")"
}
redis_stop() {
	kill -TERM "$RPID"; wait "$RPID" || true; RPID=
	rm -rf "$T/redis"
}
# ---- ingest near the disk's limit, with checksums on (issue 20) ----------------------
# ingest_run: RUNS times, 8 senders (time-ordered ids) on an empty store, with
# the daemon's and its writer thread's CPU per event; then the raw LMDB
# ceiling (bench/lmdb_ceiling: the same puts and seals) at the daemon's own
# median commit size, and Redis with appendfsync always if it is installed;
# then, where perf works, one more load with the writer thread profiled.
ingest_run() {
	local r
	IN_LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
	# a second or more of load a run, so that the medians and the profile hold still
	IN_EVENTS=${BENCH_INGEST_EVENTS:-$([ $QUICK = 1 ] && echo "$EVENTS" || echo 1000000)}
	# each daemon run and its ceiling run back to back: a busy spell of the
	# machine's disk or CPUs then falls on both of a pair
	for r in $(seq "$RUNS"); do
		rm -rf "$T/run"; daemon_start "$T/run"
		load "in-v7-$r" --senders 8 --window $WINDOW --batch $BATCH --events "$IN_EVENTS" \
			--seconds "$SECS" --ids v7
		check_totals "in-v7-$r" "$IN_EVENTS"
		daemon_stop
		rm -rf "$T/run" "$T/ceil"
		"$TOOLS/lmdb_ceiling" --dir "$T/ceil" --events "$IN_EVENTS" --seconds "$SECS" --senders 8 \
			--batch "$(int "$(get "$RES/in-v7-$r.txt" commit_events_mean)")" --ids v7 \
			>"$RES/in-ceil-$r.txt" || die "lmdb_ceiling failed"
		rm -rf "$T/ceil"
	done
	IN_BATCH=$(int "$(med 'in-v7-*' commit_events_mean)")
	if command -v redis-server >/dev/null && [ -x "$TOOLS/redis_load" ]; then
		for r in $(seq "$RUNS"); do
			redis_start
			"$TOOLS/redis_load" --port "$RPORT" --events "$IN_EVENTS" --seconds "$SECS" --conns 8 \
				--depth $((WINDOW * BATCH)) >"$RES/in-redis-$r.txt" || die "redis_load failed"
			redis_stop
		done
	fi
	IN_PROFILE=
	if [ "${BENCH_PROFILE:-1}" = 1 ] && perf stat -e instructions true >/dev/null 2>&1; then
		rm -rf "$T/run"; daemon_start "$T/run"
		local tid; tid=$(writer_tid "$DPID")
		perf record -q -F 999 -t "$tid" -o "$T/writer.data" -- sleep "$SECS" >/dev/null 2>&1 &
		local perf=$!
		load in-profile --senders 8 --window $WINDOW --batch $BATCH --events "$IN_EVENTS" \
			--seconds "$SECS" --ids v7
		wait $perf || true
		daemon_stop
		IN_PROFILE=$T/writer-profile.txt
		perf report -i "$T/writer.data" --stdio --no-children --sort dso,sym 2>/dev/null |
			awk '/^ +[0-9.]+%/ && n++ < 25' >"$IN_PROFILE"
	fi
	note "ingest: $(med 'in-v7-*' events_per_s) events/s, ceiling $(med 'in-ceil-*' events_per_s), Redis $(med 'in-redis-*' events_per_s)"
}

ingest_section() {
	local l c rd rc rr
	l=$(med 'in-v7-*' events_per_s) c=$(med 'in-ceil-*' events_per_s) rd=$(med 'in-redis-*' events_per_s)
	rc=$(ratio "$l" "$c") rr=$(ratio "$l" "$rd")
	echo "<!-- ingest:begin -->"
	echo "## Ingest near the disk's limit, with checksums on (issue 20)"
	echo
	echo "> Measured by \`$IN_CMD\` ($([ $QUICK = 1 ] && echo 'quick sizes' || echo 'full sizes')) on $IN_AT; 1-minute load average $IN_LOAD_START before. $IN_NOTE"
	echo
	echo "8 senders ($WINDOW requests of $BATCH events in flight each, time-ordered ids, $IN_EVENTS events or $SECS s a run) on an empty store, checksums on; after each, \`bench/lmdb_ceiling\` (the same reads and puts as the store's for the same events in the order 8 senders' requests arrive, values sealed and seals checked as the store's, the case values and deltas worked out before the clock) at that run's mean commit size; then Redis with appendfsync always. *Writer CPU* is the writer thread's own user + system time per accepted event (\`/proc/PID/task/TID/stat\`); *commit busy* the share of the run's wall time spent in \`store_apply\`."
	echo
	echo "| target | measured | verdict |"
	echo "| --- | --- | --- |"
	echo "| 8 senders >= 0.7 x the layout ceiling | $(int "$l") / $(int "$c") = **$rc** | $(ge "$rc" 0.7) |"
	echo "| 8 senders >= 5 x Redis appendfsync always | $(int "$l") / $(int "$rd") = **$rr** | $(ge "$rr" 5) |"
	echo
	echo "| run | events/s (median) | runs | ack p99 ms | mean commit (events) | commit busy | daemon CPU us/event | writer CPU us/event | written bytes/event | a commit: on CPU / waiting ms |"
	echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
	echo "| lawtallyd, 8 senders | $(int "$l") | $(runs_of 'in-v7-*' events_per_s) | $(ms "$(med 'in-v7-*' ack_p99_us)") | $(med 'in-v7-*' commit_events_mean) | $(med 'in-v7-*' commit_busy) | $(med 'in-v7-*' daemon_cpu_us_per_event) | $(med 'in-v7-*' writer_cpu_us_per_event) | $(med 'in-v7-*' written_bytes_per_event) | $(med 'in-v7-*' writer_cpu_ms_per_commit) / $(med 'in-v7-*' wait_ms_per_commit) |"
	echo "| \`lmdb_ceiling\`, batch of the run before (median $IN_BATCH) | $(int "$c") | $(runs_of 'in-ceil-*' events_per_s) | | $IN_BATCH | | $(med 'in-ceil-*' cpu_us_per_event) | | $(med 'in-ceil-*' written_bytes_per_event) | $(med 'in-ceil-*' cpu_ms_per_commit) / $(med 'in-ceil-*' wait_ms_per_commit) |"
	echo "| Redis, appendfsync always | $(int "$rd") | $(runs_of 'in-redis-*' events_per_s) | | | | | | | |"
	echo
	echo "*Written bytes* are what the process handed to the kernel by \`pwrite\`/\`writev\` (\`wchar\` of \`/proc/PID/io\`: LMDB writes every page a commit dirtied, whole); *a commit* is the mean time of one \`store_apply\` (the ceiling's: of one batch) split into the writer's own CPU time and the rest, which is waiting for the disk's writes and flushes (and, on a busy machine, for a CPU)."
	if [ -n "$IN_PROFILE" ]; then
		echo
		echo "The writer thread's on-CPU samples in one more such load (\`perf record -F 999 -t TID\`, self time; waiting for the disk is not on-CPU):"
		echo
		echo '```'
		cat "$IN_PROFILE"
		echo '```'
	fi
	echo "<!-- ingest:end -->"
}

# put_section NAME FILE: FILE's section NAME replaced by $T/section.md (or it added at the end).
put_section() {
	if [ -f "$2" ] && grep -q "^<!-- $1:begin -->\$" "$2"; then
		awk -v sec="$T/section.md" -v b="<!-- $1:begin -->" -v e="<!-- $1:end -->" '
			$0 == b { while ((getline l < sec) > 0) print l; skip = 1; next }
			$0 == e { skip = 0; next }
			!skip' "$2" >"$T/out.md"
		cat "$T/out.md" >"$2"
	else
		{ [ -s "$2" ] && echo; cat "$T/section.md"; } >>"$2"
	fi
}

if [ "$ONLY" = snapshot ]; then
	note "results in $T (removed at the end); the snapshot section alone"
	SNAP_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
	SNAP_CMD=${BENCH_CMD:-bench/run.sh$([ $QUICK = 1 ] && echo ' --quick') --only snapshot --build $(realpath --relative-to="$ROOT" "$BUILD") --out $(realpath --relative-to="$ROOT" "$OUT")}
	SNAP_NOTE="Run alone: the rest of this file is from the run its header names."
	snapshot_run
	snapshot_section >"$T/section.md"
	put_section snapshot "$OUT"
	sed -n '/^| target/,/^$/p' "$T/section.md"
	echo "bench: wrote the snapshot section of $OUT"
	exit 0
fi
if [ "$ONLY" = seqs ]; then
	SEQ_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
	SEQ_CMD=${BENCH_CMD:-bench/run.sh --only seqs --build $(realpath --relative-to="$ROOT" "$BUILD") --out $(realpath --relative-to="$ROOT" "$OUT")}
	SEQ_NOTE="Run alone: the rest of this file is from the run its header names."
	seqs_run
	seqs_section >"$T/section.md"
	put_section seqs "$OUT"
	sed -n '/^| target/,/^$/p' "$T/section.md"
	echo "bench: wrote the seqs section of $OUT"
	exit 0
fi
if [ "$ONLY" = ingest ]; then
	note "results in $T (removed at the end); the ingest section alone"
	IN_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
	IN_CMD=${BENCH_CMD:-bench/run.sh$([ $QUICK = 1 ] && echo ' --quick') --only ingest --build $(realpath --relative-to="$ROOT" "$BUILD") --out $(realpath --relative-to="$ROOT" "$OUT")}
	IN_NOTE="Run alone: the rest of this file is from the run its header names."
	ingest_run
	ingest_section >"$T/section.md"
	put_section ingest "$OUT"
	sed -n '/^| target/,/^$/p' "$T/section.md"
	echo "bench: wrote the ingest section of $OUT"
	exit 0
fi
if [ "$ONLY" = checksums ]; then
	note "results in $T (removed at the end); the checksums section alone"
	CS_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
	CS_CMD=${BENCH_CMD:-bench/run.sh$([ $QUICK = 1 ] && echo ' --quick') --only checksums --build $(realpath --relative-to="$ROOT" "$BUILD")${NOSUM:+ --nosum $(realpath --relative-to="$ROOT" "$NOSUM")} --out $(realpath --relative-to="$ROOT" "$OUT")}
	CS_NOTE="Run alone: the rest of this file is from the run its header names."
	checksums_run
	checksums_section >"$T/section.md"
	put_section checksums "$OUT"
	sed -n '/^| target/,/^$/p' "$T/section.md"
	echo "bench: wrote the checksums section of $OUT"
	exit 0
fi

# ---- 1. ingest on an empty store -------------------------------------------------
note "results in $T (removed at the end); ${RUNS} run(s) per figure"
for ids in v7 random; do
	ingest_runs empty $ids empty "$RES/mem-load-empty"
done

# ---- 2. prefilled stores: start-up, report, memory, ingest -------------------------
prefill() { # DIR N IDS -> $RES/prefill-<basename>.txt
	"$TOOLS/prefill" --dir "$1" --events "$2" --ids "$3" --seed 1 >"$RES/prefill-$(basename "$1").txt" \
		2>"$T/prefill.log" || die "prefill of $1 failed: $(tail -n 3 "$T/prefill.log")"
	note "prefilled $(human "$2") events ($3 ids) in $(get "$RES/prefill-$(basename "$1").txt" seconds) s"
}

# at_rest SIZE DIR: start-up time (STARTS times), report time and private memory at rest.
at_rest() {
	local size=$1 dir=$2 i code
	daemon_start "$dir"
	echo "stored $(metric lawtally_store_events)" >"$RES/rest-$size.txt"
	: >"$RES/report-$size.ms"
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/v1/report?year=2024" || true)
	if [ "$code" = 200 ]; then
		for i in $(seq "$STARTS"); do
			curl -sf -o /dev/null -w '%{time_total}\n' "http://$HTTP/v1/report?year=2024" |
				awk '{ printf "%.3f\n", $1 * 1000 }' >>"$RES/report-$size.ms"
		done
	fi
	echo "report_status $code" >>"$RES/rest-$size.txt"
	for i in 1 2 3; do
		curl -sf -o /dev/null "http://$HTTP/v1/totals?year=2024&by=village"
		curl -sf -o /dev/null "http://$HTTP/v1/totals?year=2024&by=month"
	done
	echo "privmem_kib $(privmem "$DPID")" >>"$RES/rest-$size.txt"
	daemon_stop
	cat >"$T/start.conf" <<-CONF
	[daemon]
	data_dir = $dir
	[ingest]
	endpoint = tcp://127.0.0.1:*
	[query]
	endpoint = tcp://127.0.0.1:*
	[http]
	listen = 127.0.0.1:0
	CONF
	for i in $(seq "$STARTS"); do
		"$TOOLS/starttime" "$LAWTALLYD" "$T/start.conf" >"$RES/start-$size-$i.txt" ||
			die "start-up measurement failed"
	done
}

i=0
for size in $SIZES; do
	i=$((i + 1))
	base=$T/base-v7-$size
	prefill "$base" "$size" v7
	at_rest "$size" "$base"
	if [ "$size" -le $COPY_MAX ]; then src=copy:$base; else src=inplace:$base; fi
	ingest_runs "s$size" v7 "$src" "$RES/mem-load-$size"
	if [ $i = 1 ]; then
		rbase=$T/base-random-$size
		prefill "$rbase" "$size" random
		ingest_runs "s$size" random "copy:$rbase"
	else
		ingest_runs "s$size" random "$src"
	fi
	rm -rf "$T/run"
done

# query_under_load NAME [QUERY HTTP]: 8 senders saturate ingest for SECS s;
# once the daemon has accepted their first events, a prober of its own
# (another process, as the office's clients are) queries over ZeroMQ and
# HTTP for three quarters of that time: this daemon, or the one at QUERY
# and HTTP if given. Both outputs go to $RES/NAME.txt.
query_under_load() {
	local name=$1 pq=${2:-$QUERY} ph=${3:-$HTTP} before lp
	before=$(metric 'lawtally_events_total{status="accepted"}')
	load "$name" --senders 8 --window $WINDOW --batch $BATCH --events "$QUERY_EVENTS" \
		--seconds "$SECS" --ids v7 &
	lp=$!
	local deadline=$((SECONDS + 60))
	until [ "$(metric 'lawtally_events_total{status="accepted"}')" -gt "$before" ]; do
		kill -0 "$lp" 2>/dev/null || break
		[ $SECONDS -lt $deadline ] || die "$name: no event accepted in 60 s"
		sleep 0.01
	done
	"$TOOLS/loadgen" --senders 0 --seconds "$(awk -v s="$SECS" 'BEGIN { print s * 0.75 }')" \
		--query "$pq" --http "$ph" >"$RES/$name.probe" 2>"$T/probe.err" ||
		die "prober $name failed: $(cat "$T/probe.err")"
	wait "$lp" || die "$name: the load failed"
	cat "$RES/$name.probe" >>"$RES/$name.txt"
}

# ---- 3. ack latency at a fixed offered rate; queries under full ingest ------------------
for r in $(seq "$RUNS"); do
	rm -rf "$T/run"; daemon_start "$T/run"
	load "rate-$r" --senders $RATE_SENDERS --window $RATE_WINDOW --batch $RATE_BATCH \
		--rate "$RATE" --seconds "$RATE_SECS" --ids v7
	daemon_stop
	rm -rf "$T/run"; daemon_start "$T/run"
	query_under_load "query-$r"
	daemon_stop
	# the machine's floor: the same prober against a second, idle daemon
	# while the first is saturated as above (the CPUs are shared by both
	# daemons, the senders and the prober)
	rm -rf "$T/idle" "$T/run"; daemon_start "$T/idle"
	IDLE_PID=$DPID IDLE_QUERY=$QUERY IDLE_HTTP=$HTTP
	cp "$T/daemon.log" "$T/idle.log"
	daemon_start "$T/run"
	query_under_load "floor-$r" "$IDLE_QUERY" "$IDLE_HTTP"
	daemon_stop
	kill -TERM "$IDLE_PID"; wait "$IDLE_PID" || die "the idle lawtallyd exited with status $?"
	IDLE_PID=
	# liveness: a query must not wait for the whole load to end
	for q in zmq_query_n http_query_n; do
		[ "$(get "$RES/query-$r.txt" $q)" -ge "$QUERY_MIN" ] ||
			die "queries starved under ingest: $q = $(get "$RES/query-$r.txt" $q) in $SECS s"
	done
done
note "ack p99 at $RATE events/s offered: $(ms "$(cells 'rate-*' ack_p99_us | median)") ms"
SNAP_AT=$(date -u '+%Y-%m-%d %H:%M UTC') SNAP_NOTE="One run, in the run this file is from."
snapshot_run
CS_AT=$(date -u '+%Y-%m-%d %H:%M UTC') CS_NOTE="In the run this file is from."
checksums_run
seqs_run
IN_AT=$(date -u '+%Y-%m-%d %H:%M UTC') IN_NOTE="In the run this file is from."
ingest_run

# ---- 4. the raw LMDB ceiling and Redis, same disk ---------------------------------------
CEIL_V7_BATCH=$(int "$(cells 'empty-v7-8-*' commit_events_mean | median)")
CEIL_RND_BATCH=$(int "$(cells "s$SIZE1-random-8-*" commit_events_mean | median)")
for r in $(seq "$RUNS"); do
	rm -rf "$T/ceil"
	"$TOOLS/lmdb_ceiling" --dir "$T/ceil" --events "$EVENTS" --seconds "$SECS" \
		--batch "$CEIL_V7_BATCH" --ids v7 >"$RES/ceil-v7-$r.txt" || die "lmdb_ceiling failed"
done
rm -rf "$T/ceil-base"
"$TOOLS/lmdb_ceiling" --dir "$T/ceil-base" --events 0 --prefill "$SIZE1" --ids random >/dev/null ||
	die "lmdb_ceiling prefill failed"
for r in $(seq "$RUNS"); do
	copy_store "$T/ceil-base" "$T/ceil"
	"$TOOLS/lmdb_ceiling" --dir "$T/ceil" --events "$EVENTS" --seconds "$SECS" \
		--batch "$CEIL_RND_BATCH" --ids random >"$RES/ceil-random-$r.txt" || die "lmdb_ceiling failed"
done
rm -rf "$T/ceil" "$T/ceil-base"
note "raw LMDB: $(cells 'ceil-v7-*' events_per_s | median) events/s (time-ordered, batch $CEIL_V7_BATCH)," \
	"$(cells 'ceil-random-*' events_per_s | median) (random at $(human "$SIZE1"), batch $CEIL_RND_BATCH)"

for r in $(seq "$RUNS"); do
	redis_start
	"$TOOLS/redis_load" --port "$RPORT" --events "$EVENTS" --seconds "$SECS" --conns 8 \
		--depth $((WINDOW * BATCH)) >"$RES/redis-$r.txt" || die "redis_load failed"
	redis_stop
done
note "Redis: $(cells 'redis-*' events_per_s | median) events/s"

# ---- 5. profile of the daemon at saturation (full runs, where perf works) ---------------
PROFILE=
if [ "${BENCH_PROFILE:-$((1 - QUICK))}" = 1 ] && perf stat -e instructions true >/dev/null 2>&1; then
	rm -rf "$T/run"; daemon_start "$T/run"
	perf record -q -F 499 --call-graph dwarf,16384 -p "$DPID" -o "$T/perf.data" -- sleep "$SECS" \
		>/dev/null 2>&1 &
	PERF=$!
	load profile --senders 8 --window $WINDOW --batch $BATCH --events "$EVENTS" --seconds "$SECS" --ids v7
	wait $PERF || true
	daemon_stop
	PROFILE=$T/profile.txt
	{
		echo "On-CPU samples of lawtallyd by shared object (self time):"; echo
		perf report -i "$T/perf.data" --stdio --no-children --sort dso -g none 2>/dev/null |
			awk '/^ +[0-9.]+%/ && n++ < 8'
		echo; echo "Inclusive time (the function and what it calls), top entries:"; echo
		perf report -i "$T/perf.data" --stdio --children --sort sym -g none 2>/dev/null |
			awk '/^ +[0-9.]+%/ && !/0x0000|0xffff|_start|main$|libc_start|entry_SYSCALL|do_syscall/ && n++ < 30'
		echo; echo "Hottest functions (self time):"; echo
		perf report -i "$T/perf.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null |
			awk '/^ +[0-9.]+%/ && n++ < 15'
	} >"$PROFILE"
fi

# ---- 6. hostile load (full runs; bench/hostile.sh runs it alone too) -----------------
HOSTILE=
if [ $QUICK = 0 ] && [ "${BENCH_HOSTILE:-1}" = 1 ]; then
	"$ROOT/bench/hostile.sh" --build "$BUILD" --section "$T/hostile.md" >/dev/null ||
		die "bench/hostile.sh failed"
	HOSTILE=$T/hostile.md
fi

# ---- the table ---------------------------------------------------------------------
ENDED_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
NPROC=$(nproc)

IN_L=$(med 'in-v7-*' events_per_s) IN_C=$(med 'in-ceil-*' events_per_s) IN_R=$(med 'in-redis-*' events_per_s)
IN_RC=$(ratio "$IN_L" "$IN_C") IN_RR=$(ratio "$IN_L" "$IN_R")
L_V7=$(med 'empty-v7-8-*' events_per_s)
L_RND1=$(med "s$SIZE1-random-8-*" events_per_s)
C_V7=$(med 'ceil-v7-*' events_per_s)
C_RND=$(med 'ceil-random-*' events_per_s)
R_REDIS=$(med 'redis-*' events_per_s)
R_CEIL_V7=$(ratio "$L_V7" "$C_V7")
R_REDIS_V7=$(ratio "$L_V7" "$R_REDIS")
R_CEIL_RND=$(ratio "$L_RND1" "$C_RND")
RATE_P99=$(ms "$(med 'rate-*' ack_p99_us)")
Q_ZMQ_P99=$(ms "$(med 'query-*' zmq_query_p99_us)")
Q_HTTP_P99=$(ms "$(med 'query-*' http_query_p99_us)")
F_ZMQ_P99=$(ms "$(med 'floor-*' zmq_query_p99_us)")
F_HTTP_P99=$(ms "$(med 'floor-*' http_query_p99_us)")
START1=$(fmt1 "$(med "start-$SIZE1-*" ready_ms)") START2=$(fmt1 "$(med "start-$SIZE2-*" ready_ms)")
REPORT1=$(fmt1 "$(median <"$RES/report-$SIZE1.ms")") REPORT2=$(fmt1 "$(median <"$RES/report-$SIZE2.ms")")
MEM_MAX=$(cat "$RES"/mem-load-* <(get "$RES/rest-$SIZE1.txt" privmem_kib) \
	<(get "$RES/rest-$SIZE2.txt" privmem_kib) | sort -g | tail -n 1)
# "independent of the number of events": at the larger store at most twice the time at
# the smaller one plus 20 ms (a replay or a scan of every event grows tenfold)
indep() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a";
	else print (b <= 2 * a + 20 ? "met" : "NOT met") }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "n/a") print "n/a"; else printf "%.1f", k / 1024 }'; }
both() { [ "$1" = met ] && [ "$2" = met ] && echo met || { [ "$1" = n/a ] || [ "$2" = n/a ] && echo n/a || echo "NOT met"; }; }
report_cell() { [ "$1" = n/a ] && echo "n/a (no /v1/report yet)" || echo "$1 ms"; }

ingest_table() {
	echo "| store | ids | senders | events/s (median) | runs | ack p50 / p99 / p99.9 ms | mean commit (events) | commit busy | daemon CPU us/event |"
	echo "| --- | --- | ---: | ---: | --- | --- | ---: | ---: | ---: |"
	local label ids n what
	for label in empty "s$SIZE1" "s$SIZE2"; do
		for ids in v7 random; do
			for n in $SENDERS; do
				local g="$label-$ids-$n-*"
				case $label in
				empty) what="empty" ;;
				*) what="$(human "${label#s}") ($(human "$(med "$g" stored_before)") at start)" ;;
				esac
				[ "$label" = "s$SIZE2" ] && [ "$ids" = random ] && what="$what, prefilled with time-ordered ids"
				echo "| $what | $ids | $n | $(int "$(med "$g" events_per_s)") | $(runs_of "$g" events_per_s) |" \
					"$(ms "$(med "$g" ack_p50_us)") / $(ms "$(med "$g" ack_p99_us)") / $(ms "$(med "$g" ack_p999_us)") |" \
					"$(med "$g" commit_events_mean) | $(med "$g" commit_busy) | $(med "$g" daemon_cpu_us_per_event) |"
			done
		done
	done
}
targets_table() {
	echo "| target | measured | verdict |"
	echo "| --- | --- | --- |"
	echo "| 8 senders, time-ordered ids, checksums on >= 0.7 x the layout ceiling (\`lmdb_ceiling\`, each run's after it; below: issue 20) | $(int "$IN_L") / $(int "$IN_C") = **$IN_RC** | $(ge "$IN_RC" 0.7) |"
	echo "| 8 senders, time-ordered ids, checksums on >= 5 x Redis appendfsync always (issue 20) | $(int "$IN_L") / $(int "$IN_R") = **$IN_RR** | $(ge "$IN_RR" 5) |"
	echo "| random ids at $(human "$SIZE1") stored >= 0.5 x raw LMDB random keys | $(int "$L_RND1") / $(int "$C_RND") = **$R_CEIL_RND** | $(ge "$R_CEIL_RND" 0.5) |"
	echo "| ack p99 <= 5 ms at $RATE events/s offered | $RATE_P99 ms | $(le "$RATE_P99" 5) |"
	echo "| query p99 <= 1 ms under full ingest (ZeroMQ / HTTP) | $Q_ZMQ_P99 / $Q_HTTP_P99 ms | $(both "$(le "$Q_ZMQ_P99" 1)" "$(le "$Q_HTTP_P99" 1)") |"
	echo "| start-up independent of stored events (at $(human "$SIZE2") <= 2 x at $(human "$SIZE1") + 20 ms) | $(human "$SIZE1"): $START1 ms, $(human "$SIZE2"): $START2 ms | $(indep "$START1" "$START2") |"
	echo "| start-up <= 200 ms at $(human "$SIZE2") | $START2 ms | $(le "$START2" 200) |"
	echo "| report time independent of stored events (same rule) | $(human "$SIZE1"): $(report_cell "$REPORT1"), $(human "$SIZE2"): $(report_cell "$REPORT2") | $(indep "$REPORT1" "$REPORT2") |"
	echo "| private memory <= 64 MiB (largest seen, at rest and under load) | $(mib "$MEM_MAX") MiB | $(le "$(mib "$MEM_MAX")" 64) |"
}
# limits: for each target not met, the physical limit the run measured.
limits() {
	local redis_v ceil_need
	if [ "$(ge "$IN_RR" 5)" = "NOT met" ]; then
		redis_v=$(ratio "$IN_C" "$IN_R")
		ceil_need=$(awk -v r="$IN_R" -v c="$IN_C" 'BEGIN { if (r == "n/a" || c == "n/a" || c == 0) print "n/a"; else printf "%.2f", 5 * r / c }')
		echo "- **5 x Redis:** Redis with appendfsync always appends each event's commands to the end of one file and reaches $(int "$IN_R") events/s pipelined; the layout ceiling, the store's own reads and puts with nothing else, is $redis_v x Redis in the same run: 5 x Redis would take lawtally to $ceil_need of that ceiling, and it reaches $IN_RC. What stops the ceiling: a commit of $(med 'in-ceil-*' batch) events writes $(med 'in-ceil-*' written_bytes_per_event) bytes an event (LMDB writes each page it dirtied whole: the cases' and totals' leaf pages the batch touches lie all over their key space), and waits $(med 'in-ceil-*' wait_ms_per_commit) ms a commit for the disk's writes and its two flushes against $(med 'in-ceil-*' cpu_ms_per_commit) ms on CPU (the ingest section below, with lawtallyd's own)."
	fi
	if [ "$(both "$(le "$Q_ZMQ_P99" 1)" "$(le "$Q_HTTP_P99" 1)")" = "NOT met" ]; then
		echo "- **Query p99:** the same queries to a second lawtallyd that is idle (empty store, no ingest) take $F_ZMQ_P99 / $F_HTTP_P99 ms at p99 (ZeroMQ / HTTP) while the first is saturated, against $Q_ZMQ_P99 / $Q_HTTP_P99 ms to the saturated one itself (p50 $(ms "$(med 'query-*' zmq_query_p50_us)") ms). On $NPROC CPUs the daemon's loop, its writer thread, ZeroMQ's I/O threads, the 8 senders and the prober share the cores, so a woken thread often waits for a core: the floor is what that alone costs a query to a daemon with nothing else to do. With the senders on other machines, as in the township, the loop thread has a core of its own."
	fi
}

other_table() {
	echo "| measure | median | runs |"
	echo "| --- | ---: | --- |"
	echo "| ack latency at $RATE events/s offered ($RATE_SENDERS senders, batches of $RATE_BATCH, open loop): p50 / p99 / p99.9 | $(ms "$(med 'rate-*' ack_p50_us)") / $RATE_P99 / $(ms "$(med 'rate-*' ack_p999_us)") ms | p99: $(runs_of 'rate-*' ack_p99_us) us |"
	echo "| ingest achieved at that rate | $(int "$(med 'rate-*' events_per_s)") events/s | |"
	echo "| ZeroMQ query under full ingest: p50 / p99 | $(ms "$(med 'query-*' zmq_query_p50_us)") / $Q_ZMQ_P99 ms | p99: $(runs_of 'query-*' zmq_query_p99_us) us; $(med 'query-*' zmq_query_n) queries a run |"
	echo "| HTTP GET /v1/totals under full ingest: p50 / p99 | $(ms "$(med 'query-*' http_query_p50_us)") / $Q_HTTP_P99 ms | p99: $(runs_of 'query-*' http_query_p99_us) us; $(med 'query-*' http_query_n) requests a run |"
	echo "| ingest while queried (8 senders, time-ordered) | $(int "$(med 'query-*' events_per_s)") events/s | $(runs_of 'query-*' events_per_s) |"
	echo "| floor: the same queries to an idle lawtallyd while another is saturated on this machine, ZeroMQ p50 / p99 | $(ms "$(med 'floor-*' zmq_query_p50_us)") / $F_ZMQ_P99 ms | p99: $(runs_of 'floor-*' zmq_query_p99_us) us |"
	echo "| floor, HTTP p50 / p99 | $(ms "$(med 'floor-*' http_query_p50_us)") / $F_HTTP_P99 ms | p99: $(runs_of 'floor-*' http_query_p99_us) us |"
	local s
	for s in $SIZE1 $SIZE2; do
		echo "| start-up at $(human "$s") stored: exec to \"listening:\" / to READY=1 | $(fmt1 "$(med "start-$s-*" listening_ms)") / $(fmt1 "$(med "start-$s-*" ready_ms)") ms | READY: $(runs_of "start-$s-*" ready_ms) ms |"
		echo "| report rendering at $(human "$s") stored (GET /v1/report?year=2024) | $(report_cell "$(fmt1 "$(median <"$RES/report-$s.ms")")") | $(tr '\n' ' ' <"$RES/report-$s.ms") |"
		echo "| private memory at rest, $(human "$s") stored | $(mib "$(get "$RES/rest-$s.txt" privmem_kib)") MiB | |"
		echo "| private memory under load (8 senders), $(human "$s") stored, largest sample | $(mib "$(sort -g "$RES/mem-load-$s" | tail -n 1)") MiB | |"
		echo "| store bytes per event at $(human "$s") (prefill, used pages / events) | $(get "$RES/prefill-base-v7-$s.txt" bytes_per_event) | |"
	done
	echo "| store bytes per event at $(human "$SIZE1"), random ids | $(get "$RES/prefill-base-random-$SIZE1.txt" bytes_per_event) | |"
	echo "| private memory under load (8 senders), empty store, largest sample | $(mib "$(sort -g "$RES/mem-load-empty" | tail -n 1)") MiB | |"
	echo "| raw LMDB, time-ordered keys, empty, batch $CEIL_V7_BATCH | $(int "$C_V7") events/s | $(runs_of 'ceil-v7-*' events_per_s) |"
	echo "| raw LMDB, random keys, $(human "$SIZE1") stored, batch $CEIL_RND_BATCH | $(int "$C_RND") events/s | $(runs_of 'ceil-random-*' events_per_s) |"
	echo "| Redis $(redis-server --version | sed -E 's/.* v=([^ ]*).*/\1/'), appendfsync always, 8 connections pipelining $((WINDOW * BATCH)) events | $(int "$R_REDIS") events/s | $(runs_of 'redis-*' events_per_s) |"
}

CONDITIONS=$(awk -v a="$LOAD_START" -v n="$NPROC" 'BEGIN {
		if (a < 0.25 * n) print "quiet (1-minute load average " a " before the run)"
		else print "BUSY: 1-minute load average " a " on " n " CPUs before the run; figures are disturbed" }')
[ -z "${BENCH_CONDITIONS:-}" ] || CONDITIONS="$BENCH_CONDITIONS; $CONDITIONS"
FS=$(findmnt -n -o SOURCE,FSTYPE,OPTIONS -T "$T" 2>/dev/null | awk '{ print $1 " (" $2 ", " $3 ")" }')
DISK=$(lsblk -n -d -o NAME,ROTA,SIZE "$(findmnt -n -o SOURCE -T "$T" 2>/dev/null)" 2>/dev/null |
	awk '{ print "lsblk: " ($2 == "1" ? "rotational" : "non-rotational") ", " $3 }' || true)
# compiled_with: compiler and flags of lawtallyd, from its debug information.
compiled_with() {
	local p
	p=$(readelf --debug-dump=info "$LAWTALLYD" 2>/dev/null | sed -n -E \
		'/DW_AT_producer/ { s/.*DW_AT_producer *: *(\(indirect string[^)]*\): *)?//; p; q }') || true
	echo "${p:-unknown flags}"
}
# sections written by hand, between <!-- NAME-notes:begin --> and <!-- NAME-notes:end -->
# (what was tried, and why), are kept from FILE, after the ingest section
NOTES=$T/notes.md
if [ -f "$OUT" ]; then
	awk '/^<!-- [a-z0-9-]+-notes:begin -->$/ { keep = 1 } keep { print }
	     /^<!-- [a-z0-9-]+-notes:end -->$/ { keep = 0; print "" }' "$OUT" >"$NOTES"
else
	: >"$NOTES"
fi
RUNCMD="bench/run.sh$([ $QUICK = 1 ] && echo ' --quick') --build $(realpath --relative-to="$ROOT" "$BUILD") --out $(realpath --relative-to="$ROOT" "$OUT")"
CMD=${BENCH_CMD:-$RUNCMD}

{
	echo "# lawtally benchmarks"
	echo
	echo "> **Conditions: $CONDITIONS.** Written by \`$CMD\` ($([ $QUICK = 1 ] && echo 'quick sizes, not the issue'"'"'s conditions' || echo 'full sizes')), run $STARTED_AT to $ENDED_AT; 1-minute load average $LOAD_START before, $LOAD_END after."
	echo "> Every figure below was measured in that run (median of $RUNS run(s) unless said); re-run \`make bench\` on a quiet machine for figures to quote."
	echo
	echo "Machine: $NPROC CPUs ($(grep -m 1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory," \
		"kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME"); stores in $T on ${FS:-unknown}${DISK:+, disk $DISK}."
	echo
	echo "## Targets of issues 7 and 20"
	echo
	targets_table
	if [ -n "$(limits)" ]; then
		echo
		echo "What stops the targets not met, measured in the same run:"
		echo
		limits
	fi
	echo
	echo "## Durable acknowledged ingest"
	echo
	echo "Each sender keeps $WINDOW requests of $BATCH events in flight; every event is acknowledged only after its commit is on disk. A run sends $EVENTS events or stops sending after $SECS s. *Mean commit* is the daemon's own group-commit size (events per LMDB transaction, from \`/metrics\`); *commit busy* is the share of the run's wall time the daemon spent inside \`store_apply\` (apply and durable commit); *daemon CPU* is lawtallyd's user + system time over the run (\`/proc/PID/stat\`, 1/$CLK_TCK s ticks) per accepted event."
	echo
	ingest_table
	echo
	echo "## Latency, start-up, memory, comparisons"
	echo
	other_table
	echo
	SNAP_CMD=$CMD snapshot_section
	echo
	CS_CMD=$CMD checksums_section
	echo
	SEQ_CMD=$CMD seqs_section
	echo
	IN_CMD=$CMD ingest_section
	[ ! -s "$NOTES" ] || { echo; sed '$ { /^$/d }' "$NOTES"; }
	if [ -n "$PROFILE" ]; then
		echo
		echo "## Profile of lawtallyd at saturation (8 senders, time-ordered ids, empty store)"
		echo
		echo "\`perf record -F 499 --call-graph dwarf\` on the daemon for $SECS s (on-CPU samples only: time spent waiting for the disk shows in *commit busy* above, not here)."
		echo
		echo '```'
		cat "$PROFILE"
		echo '```'
	fi
	if [ -n "$HOSTILE" ]; then
		echo
		cat "$HOSTILE"
	fi
	echo
	echo "## How it was measured"
	echo
	echo "- Command: \`$CMD\`$([ "$CMD" = "$RUNCMD" ] || echo " (which runs \`$RUNCMD\`)"); lawtallyd $("$LAWTALLYD" --version | awk '{ print $2 }') built by \`$(compiled_with)\`$(ldd "$LAWTALLYD" | grep -q 'libasan\|libubsan' && echo ' WITH sanitizers' || echo ', no sanitizers')."
	echo "- Events: \`bench/workload.c\`, the same mix for every tool: per 10 events, 5 disputes (2 cases registered then resolved, 1 left open), 2 enforcement actions, 2 publicity days, 1 training; villages round robin, all in 2024. Requests are packed before the clock starts."
	echo "- Load: \`bench/loadgen\` (threads, one DEALER each). Ack latency = from the send (at saturation) or the scheduled send (fixed rate, open loop: no coordinated omission) of the event's request to its reply; log-linear histogram, values rounded up by at most 1.6 %. Every ack must be ACCEPTED, and the daemon's \`lawtally_events_total{status=\"accepted\"}\` must grow by exactly the acknowledged count; runs on an empty store that send every event also check the 2024 totals exactly."
	echo "- Prefilled stores: \`bench/prefill\` applies the same events with the daemon's own \`store_apply\` (8192 a commit), ids time-ordered (2024 UUIDv7) or random. Stores up to $(human $COPY_MAX) are copied afresh (and synced) for each run; larger ones are used in place, so later runs see the events of earlier ones (\"at start\" says how many)."
	echo "- Queries: one ZeroMQ QueryRequest and one HTTP GET /v1/totals (kept-alive connection) at a time, 10 ms apart, both \`disputes.resolved\` by village for 2024, from a prober process of its own (\`loadgen --senders 0\`), while 8 senders saturate ingest for $SECS s; the prober starts once the daemon has accepted the senders' first events and runs for three quarters of that time (fewer than $QUERY_MIN answers of either kind fails the bench: queries starved). The *floor* rows run the same prober against a second lawtallyd with an empty store, idle, while the first is saturated the same way: what the shared CPUs alone cost a query on this machine."
	echo "- Start-up: \`bench/starttime\`, from fork+exec to the \"listening:\" log line and to READY=1 on its own NOTIFY_SOCKET ($STARTS starts). Private memory: Rss of every mapping of \`/proc/PID/smaps\` except the LMDB \`data.mdb\` mapping."
	echo "- Raw LMDB ceiling: \`bench/lmdb_ceiling\`: the same reads and puts as the store's for the same events, values sealed and seals checked as the store's: per event the record (the same bytes lawtally stores, append-only 8-byte key), the id -> sequence put, the case read and put for an event of a case; per batch each total, rollup and sender record changed, read and put once; with the case values and deltas worked out before the clock; one durable transaction per batch, at lawtally's own mean commit size of the compared run; time-ordered ids on an empty store, random ids on a store prefilled with $(human "$SIZE1") random ids (copied afresh for each run)."
	echo "- Redis: Debian's \`redis-server\` on loopback started here, \`appendonly yes\`, \`appendfsync always\`, no RDB snapshots, no AOF rewrite; \`bench/redis_load\` (hiredis) does XADD of the same record + 3 HINCRBY per event, 8 connections each pipelining $((WINDOW * BATCH)) events (the same events in flight per sender as lawtally's)."
} >"$OUT"

echo
sed -n '/^## Targets/,/^## Latency/p' "$OUT" | sed '$d'
echo "bench: wrote $OUT"
