#!/usr/bin/env bash
# county.sh - the county's section of BENCHMARKS.md (docs/county.md):
#
#   bench/county.sh [--quick] --build DIR --out FILE
#
# 1. One county lawtallyd taking the forwarded streams of N simulated
#    townships: bench/loadgen --townships N (each request forwards for one
#    of N townships, SubmitRequest.township; auth off), 8 senders, for
#    N = 20 (a county) and 2500 (a province). Events/s at the county.
# 2. Real townships: two township daemons forwarding to one county while
#    loadgen offers each a fixed rate; every 100 ms each township's
#    /metrics gives its backlog and the age of its oldest unacknowledged
#    event (the lag). Then each township stores a backlog with the county
#    stopped, and the time to drain it once the county is back gives the
#    forwarding rate of one township.
# Writes the section between <!-- county:begin --> and <!-- county:end -->
# of FILE (added at the end when missing). Needs curl and jq.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
QUICK=0 BUILD= OUT=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--build) BUILD=$2; shift ;;
	--out) OUT=$2; shift ;;
	*) echo "usage: bench/county.sh [--quick] --build DIR --out FILE" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$BUILD" ] && [ -n "$OUT" ] || { echo "usage: bench/county.sh [--quick] --build DIR --out FILE" >&2; exit 2; }
BUILD=$(realpath "$BUILD")
for t in "$BUILD/lawtallyd" "$BUILD/bench/loadgen"; do
	[ -x "$t" ] || { echo "bench/county.sh: $t missing (make bench-county builds it)" >&2; exit 2; }
done
T=$(mktemp -d /tmp/lawtally-county-bench.XXXXXX)
declare -A PID WEB ING
cleanup() {
	for p in "${PID[@]:-}"; do [ -z "$p" ] || kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
die() { echo "bench/county.sh: $*" >&2; exit 1; }
get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

if [ $QUICK = 1 ]; then EVENTS=100000 RATE=500 SECS=3 BACKLOG=20000; else EVENTS=1000000 RATE=2000 SECS=10 BACKLOG=200000; fi

# start NAME [EXTRA_INI]: a daemon on free loopback ports, waited for
start() {
	local name=$1 line deadline=$((SECONDS + 20))
	cat >"$T/$name.conf" <<CONF
[daemon]
data_dir = $T/$name
[ingest]
endpoint = ${ING[$name]:-tcp://127.0.0.1:*}
[query]
endpoint = tcp://127.0.0.1:*
[http]
listen = ${WEB[$name]:-127.0.0.1:0}
[store]
scrub_period_s = 0
${2:-}
CONF
	: >"$T/$name.log"
	"$BUILD/lawtallyd" -c "$T/$name.conf" 2>>"$T/$name.log" &
	PID[$name]=$!
	until line=$(grep -m 1 "^<6>listening:" "$T/$name.log"); do
		kill -0 "${PID[$name]}" 2>/dev/null || die "$name did not start: $(tail -n 3 "$T/$name.log")"
		[ $SECONDS -lt $deadline ] || die "$name did not listen"
		sleep 0.02
	done
	ING[$name]=$(sed -E 's/.*ingest ([^,]*),.*/\1/' <<<"$line")
	WEB[$name]=$(sed -E 's/.*http (.*)$/\1/' <<<"$line")
}
halt() { kill "${PID[$1]}"; wait "${PID[$1]}" 2>/dev/null || true; PID[$1]=; }
metric() { curl -sf --max-time 5 "http://${WEB[$1]}/metrics" | awk -v k="$2" '$1 == k { print $2 }'; }

# 1. simulated townships
for n in 20 2500; do
	rm -rf "$T/county"
	ING[county]= WEB[county]=
	start county
	"$BUILD/bench/loadgen" --endpoint "${ING[county]}" --senders 8 --window 4 --batch 256 \
		--events $EVENTS --townships $n >"$T/sim-$n.txt" 2>"$T/sim-$n.err" ||
		die "loadgen --townships $n: $(cat "$T/sim-$n.err")"
	curl -sf "http://${WEB[county]}/v1/totals?year=2024&by=township&metric=enforcement.actions" |
		jq '.rows | length' >"$T/sim-$n.townships"
	halt county
done

# 2. real townships: lag at a fixed rate, then draining a backlog
rm -rf "$T/county"
ING[county]= WEB[county]=
start county
for tw in ta tb; do
	start $tw "[upstream]
endpoint = ${ING[county]}
township = $tw"
done
for tw in ta tb; do
	"$BUILD/bench/loadgen" --endpoint "${ING[$tw]}" --senders 1 --window 4 --batch 50 \
		--rate $RATE --seconds $SECS --seed $((RANDOM + 2)) >"$T/lag-load-$tw.txt" 2>&1 &
	PID[load-$tw]=$!
done
: >"$T/lag-samples"
while kill -0 "${PID[load-ta]}" 2>/dev/null || kill -0 "${PID[load-tb]}" 2>/dev/null; do
	for tw in ta tb; do
		echo "$(metric $tw lawtally_upstream_backlog_events) $(metric $tw lawtally_upstream_oldest_age_seconds)" >>"$T/lag-samples"
	done
	sleep 0.1
done
wait "${PID[load-ta]}" "${PID[load-tb]}" || die "the townships' load failed"
PID[load-ta]= PID[load-tb]=
t0=$(date +%s.%N)
until [ "$(metric ta lawtally_upstream_backlog_events)" = 0 ] && [ "$(metric tb lawtally_upstream_backlog_events)" = 0 ]; do
	sleep 0.02
done
caught=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
halt county
for tw in ta tb; do
	"$BUILD/bench/loadgen" --endpoint "${ING[$tw]}" --senders 4 --window 4 --batch 256 \
		--events $BACKLOG --seed $((RANDOM + 9)) >"$T/backlog-$tw.txt" 2>&1 || die "backlog load"
done
start county
t0=$(date +%s.%N)
until [ "$(metric ta lawtally_upstream_backlog_events)" = 0 ] && [ "$(metric tb lawtally_upstream_backlog_events)" = 0 ]; do
	sleep 0.05
done
drain=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
stored=$(curl -sf "http://${WEB[county]}/healthz" | jq .events)
for n in ta tb county; do halt $n; done

AT=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD=$(cut -d' ' -f1 /proc/loadavg)
{
	echo "<!-- county:begin -->"
	echo "## The county: forwarded streams (issue 18)"
	echo
	echo "> Measured by \`${BENCH_CMD:-bench/county.sh$([ $QUICK = 1 ] && echo ' --quick') --build $(realpath --relative-to="$ROOT" "$BUILD") --out $(realpath --relative-to="$ROOT" "$OUT")}\` on $AT; 1-minute load average $LOAD before. $([ -n "${BENCH_AFTER_RUN:-}" ] && echo 'Run right after the sections above, in the same `make bench`.' || echo 'Run alone: the rest of this file is from the run its header names.')"
	echo
	echo "One county lawtallyd (auth off, loopback) taking forwarded requests: \`loadgen --townships N\` sends each request for one of N townships (\`SubmitRequest.township\`), 8 senders, 4 requests of 256 events in flight each, the bench's event mix; every event is stored with its township and adds to the county's totals and to its township's (docs/county.md)."
	echo
	echo "| simulated townships | events | events/s at the county | ack p99 ms | townships that got events |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	for n in 20 2500; do
		echo "| $n | $(get "$T/sim-$n.txt" accepted) | $(get "$T/sim-$n.txt" events_per_s) | $(awk -v u="$(get "$T/sim-$n.txt" ack_p99_us)" 'BEGIN { printf "%.2f", u / 1000 }') | $(cat "$T/sim-$n.townships") |"
	done
	echo
	echo "Two real township daemons forwarding to one county (\`[upstream]\`, batches of up to 1000 events, one in flight): each offered $RATE events/s for $SECS s by a sender of its own; each township's \`/metrics\` sampled every 100 ms."
	echo
	echo "| forwarding | measured |"
	echo "| --- | ---: |"
	maxb=$(awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }' "$T/lag-samples")
	echo "| backlog while offered $RATE events/s each, max of the samples | $maxb events, $(awk -v b="$maxb" -v r="$RATE" 'BEGIN { printf "%.2f", b / r }') s of the offered rate |"
	echo "| age of the oldest unacknowledged event, max of the samples (a receipt time is kept in whole seconds: this bounds the lag to within 1 s) | $(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$T/lag-samples") s |"
	echo "| from the end of the load to both backlogs empty | $caught s |"
	echo "| a backlog of $BACKLOG events in each township, stored while the county was stopped, drained after its start in | $drain s ($(awk -v n="$((2 * BACKLOG))" -v s="$drain" 'BEGIN { printf "%.0f", n / s }') events/s in all) |"
	echo
	echo "At the county afterwards: $stored events, each township's counted once. A province's ~25 million events a year is under 1 event/s on average; the rates above leave room of four or five orders of magnitude for its peaks."
	echo "<!-- county:end -->"
} >"$T/section.md"
if grep -q "^<!-- county:begin -->\$" "$OUT" 2>/dev/null; then
	awk -v sec="$T/section.md" -v b="<!-- county:begin -->" -v e="<!-- county:end -->" '
		$0 == b { while ((getline l < sec) > 0) print l; skip = 1; next }
		$0 == e { skip = 0; next }
		!skip' "$OUT" >"$T/out.md"
	cat "$T/out.md" >"$OUT"
else
	{ [ -s "$OUT" ] && echo; cat "$T/section.md"; } >>"$OUT"
fi
sed -n '/^| simulated/,/^$/p;/^| forwarding/,/^$/p' "$T/section.md"
echo "bench: wrote the county section of $OUT"
