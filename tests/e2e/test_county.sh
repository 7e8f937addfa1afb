#!/usr/bin/env bash
# County (docs/county.md): two township daemons forward what they store to
# one county daemon over CurveZMQ. Each township is killed -9, and the
# county stopped, at random moments while forwarding (the points drawn
# from a seeded RNG, printed: COUNTY_SEED=N replays them), and restarted.
# At the end the county's totals of each township equal that township's
# exactly, the county's own are their sum, nothing is counted twice, and
# `lawtally verify` passes on all three stores. A township's key cannot
# forward another township's events, nor an office key any. A township
# whose store is lost rebuilds it from the county (restore --from-upstream).
# The county names each township's villages by the township's own list.
. "$(dirname "$0")/lib.sh"

SEED=${COUNTY_SEED:-$(((RANDOM << 15) | RANDOM))}
echo "county: seed $SEED (COUNTY_SEED=$SEED tests/e2e/test_county.sh replays it)"
RANDOM=$SEED

TA=410423100 TB=410423101
K=$T/keys
mkdir -p "$K" "$T/clients"
"$LAWTALLY" keygen county --server --dir "$K" >/dev/null 2>&1 || fail "keygen --server"
for spec in ta:township:$TA tb:township:$TB office:office; do
	"$LAWTALLY" keygen "${spec%%:*}" --role "${spec#*:}" --dir "$K" >/dev/null 2>&1 ||
		fail "keygen $spec"
	cp "$K/${spec%%:*}.client" "$T/clients/"
done
grep -qx "role = township:$TA" "$K/ta.client" || fail "role line: $(cat "$K/ta.client")"

declare -A PID ING QRY WEB
all_pids() { echo "${PID[@]:-}"; }
on_exit() {
	local rc=$?
	set +e
	if [ $rc -ne 0 ]; then
		for n in county ta tb; do
			[ -f "$T/$n.log" ] && { echo "--- $n log (last 8 lines)"; tail -n 8 "$T/$n.log"; }
			[ -n "${PID[$n]:-}" ] && curl -sf --max-time 5 "http://${WEB[$n]}/metrics" | grep '^lawtally_upstream'
		done
	fi
	for p in $(all_pids); do kill -9 "$p" 2>/dev/null; done
	[ -z "${COUNTY_KEEP:-}" ] || cp "$T"/*.log "$COUNTY_KEEP"/
	(exit $rc)
	cleanup
}
trap on_exit EXIT

# conf NAME [EXTRA]: NAME's config, on the ports it had (free ones the first time)
conf() {
	cat >"$T/$1.conf" <<CONF
[daemon]
data_dir = $T/$1
log_debug = ${COUNTY_DEBUG:-no}
[ingest]
endpoint = ${ING[$1]:-tcp://127.0.0.1:*}
${2:-}
[query]
endpoint = ${QRY[$1]:-tcp://127.0.0.1:*}
[http]
listen = ${WEB[$1]:-127.0.0.1:0}
${3:-}
CONF
}
county_conf() {
	conf county "auth = curve" "[auth]
server_secret_key_file = $K/county.key
clients_dir = $T/clients"
}
# villages PREFIX: a [villages] section naming the built-in codes PREFIX01村 ...
villages() {
	echo "[villages]"
	for i in $(seq -w 1 41); do echo "ZL$i = $1$i村"; done
}
declare -A TOWN=([ta]=甲镇 [tb]=乙镇)
declare -A VILL=([ta]="" [tb]="$(villages 乙镇第)") # ta: the built-in list
town_conf() { # NAME CODE KEY
	conf "$1" "" "[upstream]
endpoint = ${ING[county]}
township = $2
name = ${TOWN[$1]}
server_public_key = $(cat "$K/county.pub")
secret_key_file = $K/$3.key
batch_events = 25
${VILL[$1]}"
}

# start NAME: starts lawtallyd on $T/NAME.conf, waits until it listens
start() {
	local name=$1 line mark deadline=$((SECONDS + 10))
	touch "$T/$name.log"
	mark=$(wc -l <"$T/$name.log")
	"$LAWTALLYD" -c "$T/$name.conf" 2>>"$T/$name.log" &
	PID[$name]=$!
	until line=$(tail -n +"$((mark + 1))" "$T/$name.log" | grep -m 1 "^<6>listening:"); do
		kill -0 "${PID[$name]}" 2>/dev/null || fail "$name did not start: $(tail -n 3 "$T/$name.log")"
		[ $SECONDS -lt $deadline ] || fail "$name did not listen within 10 s"
		sleep 0.02
	done
	ING[$name]=$(sed -E 's/.*ingest ([^,]*),.*/\1/' <<<"$line")
	QRY[$name]=$(sed -E 's/.*query ([^,]*),.*/\1/' <<<"$line")
	WEB[$name]=$(sed -E 's/.*http (.*)$/\1/' <<<"$line")
}
halt() { # NAME SIGNAL
	kill -s "$2" "${PID[$1]}"
	wait "${PID[$1]}" 2>/dev/null || true
	unset "PID[$1]"
}
# forwarded CODE: events the county stored from township CODE (its sender record)
forwarded() {
	curl -sf --max-time 5 "http://${WEB[county]}/v1/senders" |
		jq -r --arg s "township:$1" '[.senders[] | select(.sender == $s) | .months[]] | add // 0'
}
backlog() { curl -sf --max-time 5 "http://${WEB[$1]}/metrics" | awk '$1 == "lawtally_upstream_backlog_events" { print $2 }'; }
stored() { curl -sf --max-time 5 "http://${WEB[$1]}/healthz" | jq -r .events; }
# totals URL_BASE QUERY: every 2024 total of a breakdown, rows sorted
totals() { curl -sf --max-time 5 "http://$1/v1/totals?year=2024&$2" | jq -c '.rows | sort_by(.metric, .village, .month)'; }

county_conf
start county
county_conf # its restarts take the same ports
town_conf ta $TA ta
town_conf tb $TB tb
start ta
start tb
town_conf ta $TA ta
town_conf tb $TB tb

# the same fixture in both townships (the same ids, villages and case
# numbers: the county must keep them apart), and more of their own
"$GEN" fixture 7 >"$T/fixture.jsonl"
"$GEN" bulk 3000 21 >"$T/bulk-a.jsonl"
"$GEN" bulk 2000 22 >"$T/bulk-b.jsonl"
halt county TERM # the townships store while the county is away: a backlog
"$LAWTALLY" send --endpoint "${ING[ta]}" --file "$T/fixture.jsonl" >/dev/null || fail "send to ta"
"$LAWTALLY" send --endpoint "${ING[ta]}" --file "$T/bulk-a.jsonl" >/dev/null || fail "send to ta"
"$LAWTALLY" send --endpoint "${ING[tb]}" --file "$T/fixture.jsonl" >/dev/null || fail "send to tb"
"$LAWTALLY" send --endpoint "${ING[tb]}" --file "$T/bulk-b.jsonl" >/dev/null || fail "send to tb"
NA=$(stored ta) NB=$(stored tb)
assert_eq "$NA" "$(backlog ta)" "ta's backlog while the county is away"

# the kill points: how much of each township the county holds when it comes
KA=$((1 + RANDOM % (NA - 1))) KB=$((1 + RANDOM % (NB - 1))) KC=$((1 + RANDOM % (NA + NB - 1)))
echo "county: $NA and $NB events; ta killed at $KA forwarded, tb at $KB, the county stopped at $KC in all"
start county
kill_points() {
	local a=0 b=0 c=0 deadline=$((SECONDS + 40))
	while [ $a = 0 ] || [ $b = 0 ] || [ $c = 0 ]; do
		[ $SECONDS -lt $deadline ] || fail "forwarding stalled before the kill points"
		local fa fb
		fa=$(forwarded $TA) fb=$(forwarded $TB)
		if [ $a = 0 ] && [ "$fa" -ge $KA ]; then
			halt ta KILL; start ta; a=1; echo "county: ta killed -9 at $fa forwarded"
		fi
		if [ $b = 0 ] && [ "$fb" -ge $KB ]; then
			halt tb KILL; start tb; b=1; echo "county: tb killed -9 at $fb forwarded"
		fi
		if [ $c = 0 ] && [ $((fa + fb)) -ge $KC ]; then
			halt county TERM; start county; c=1; echo "county: county stopped at $((fa + fb))"
		fi
		sleep 0.02
	done
}
kill_points

# everything arrives, once
caught_up() { [ "$(backlog "$1")" = 0 ]; }
wait_until 30 caught_up ta
wait_until 30 caught_up tb
assert_eq $((NA + NB)) "$(stored county)" "events at the county"
for q in "by=village" "by=month" "by=category" "by=action"; do
	for t in ta:$TA tb:$TB; do
		assert_eq "$(totals "${WEB[${t%%:*}]}" "$q")" "$(totals "${WEB[county]}" "$q&township=${t#*:}")" \
			"the county's $q of ${t%%:*}"
	done
done
# the report of one township at the county has the township's own figures
for t in ta:$TA tb:$TB; do
	assert_eq "$(curl -sf --max-time 5 "http://${WEB[${t%%:*}]}/v1/report?year=2024&format=json" | jq -c .figures)" \
		"$(curl -sf --max-time 5 "http://${WEB[county]}/v1/report?year=2024&format=json&township=${t#*:}" | jq -c .figures)" \
		"the county's report of ${t%%:*}"
done
# the county's monthly form has a row per township, each the township's own figures
for t in ta:$TA tb:$TB; do
	for item in investigated resolved open; do
		assert_eq "$(curl -sf --max-time 5 "http://${WEB[${t%%:*}]}/v1/report?month=2024-06&format=json" |
			jq --arg i $item '.rows[] | select(.item == $i) | .month')" \
			"$(curl -sf --max-time 5 "http://${WEB[county]}/v1/report?month=2024-06&format=json" |
			jq --arg t "${t#*:}" --arg i $item '.townships[] | select(.township == $t) | .month[$i]')" \
			"the county's monthly $item of ${t%%:*}"
	done
done
# the county names each township and its villages as the township does (the
# names it forwards with its events), not by the county's own list
assert_eq "{\"townships\":[{\"township\":\"$TA\",\"name\":\"甲镇\"},{\"township\":\"$TB\",\"name\":\"乙镇\"}]}" \
	"$(curl -sf --max-time 5 "http://${WEB[county]}/v1/townships" | jq -c .)" "the county's townships"
assert_eq "[\"$TA\",\"甲镇\"] [\"$TB\",\"乙镇\"]" \
	"$(curl -sf --max-time 5 "http://${WEB[county]}/v1/report?month=2024-06&format=json" |
		jq -c '.townships[] | [.township, .name]' | paste -sd ' ')" "the county's monthly rows' names"
assert_eq '{"townships":[]}' "$(curl -sf --max-time 5 "http://${WEB[ta]}/v1/townships" | jq -c .)" "a township's townships"
assert_eq '400 {"error":"township: not a township code (1-12 of A-Z a-z 0-9 _ -)"}' \
	"$(curl -s --max-time 5 -w '%{http_code} ' -o "$T/body" "http://${WEB[county]}/v1/villages?township=a%20b"; jq -c . "$T/body")" \
	"a bad township code"
# month_villages URL: a monthly form's village rows, code and name
month_villages() { curl -sf --max-time 5 "$1" | jq -c '[.villages[] | [.village, .name]]'; }
for t in ta:$TA tb:$TB; do
	n=${t%%:*}
	assert_eq "$(curl -sf --max-time 5 "http://${WEB[$n]}/v1/villages" | jq -c .villages)" \
		"$(curl -sf --max-time 5 "http://${WEB[county]}/v1/villages?township=${t#*:}" | jq -c .villages)" \
		"the county's village list of $n"
	assert_eq "$(month_villages "http://${WEB[$n]}/v1/report?month=2024-06&format=json")" \
		"$(month_villages "http://${WEB[county]}/v1/report?month=2024-06&format=json&township=${t#*:}")" \
		"the county's monthly village rows of $n"
	assert_eq "${TOWN[$n]}" "$(curl -sf --max-time 5 "http://${WEB[county]}/v1/report?month=2024-06&format=json&township=${t#*:}" | jq -r .town)" \
		"the unit of $n's monthly form at the county"
done
[ "$(month_villages "http://${WEB[county]}/v1/report?month=2024-06&format=json&township=$TB" | jq -r '.[6][1]')" = 乙镇第07村 ] ||
	fail "tb's ZL07 at the county: $(month_villages "http://${WEB[county]}/v1/report?month=2024-06&format=json&township=$TB")"
# the dashboard at the county, in Chromium: the chooser by the townships' names, and
# one township's villages by its own
command -v chromium >/dev/null || fail "chromium is not installed (make deps installs it)"
python3 "$ROOT/tests/e2e/cdp.py" --log "$T/chromium.log" --timeout 10 "http://${WEB[county]}/?year=2024" \
	'wait:document.body.dataset.state === "ready" && !document.getElementById("township").hidden' \
	'eval:[...document.querySelectorAll("#township option")].map((o) => o.textContent).join("|")' \
	"goto:/?year=2024&township=$TB" \
	'wait:document.body.dataset.state === "ready" && !!Chart.getChart("chart-village")' \
	'eval:Chart.getChart("chart-village").data.labels.slice(0, 7).join("|")' \
	'eval:document.getElementById("township").selectedOptions[0].textContent' \
	'noerrors' >"$T/page.out" || fail "the county's dashboard in Chromium: $(tail -n 1 "$T/chromium.log")"
assert_eq "\"全县|甲镇（$TA）|乙镇（$TB）\"
\"乙镇第01村|乙镇第02村|乙镇第03村|乙镇第04村|乙镇第05村|乙镇第06村|乙镇第07村\"
\"乙镇（$TB）\"" "$(cat "$T/page.out")" "the county's dashboard"
# the year-end report of a township at the county is headed with its name ({town})
assert_eq "鲁山县乙镇人民政府关于2024年法治政府建设情况的报告" \
	"$(curl -sf --max-time 5 "http://${WEB[county]}/v1/report?year=2024&township=$TB&format=text" | head -n 1)" \
	"the title of tb's report at the county"
# the same with lawtally report --township, over ZeroMQ with the office's key
assert_eq "乙镇 乙镇第07村" "$("$LAWTALLY" report --endpoint "${QRY[county]}" --key "$K/office.key" \
	--server-key "$K/county.pub" --month 2024-06 --format json --township $TB |
	jq -r '"\(.town) \(.villages[6].name)"')" "lawtally report --township at the county"
# one township's events at the county: the events it stored, each once
ids() { curl -sf --max-time 10 "$1" | tail -n +2 | cut -d, -f2 | sort; }
assert_eq "$(ids "http://${WEB[tb]}/v1/export/events.csv?year=2024" | md5sum)" \
	"$(ids "http://${WEB[county]}/v1/export/events.csv?year=2024&township=$TB" | md5sum)" \
	"the county's events.csv of tb"
[ "$(ids "http://${WEB[tb]}/v1/export/events.csv?year=2024" | wc -l)" -gt 1000 ] || fail "tb's events.csv is short"
# one committee's form of a township at the county: a code of that township's list
assert_eq '400 {"error":"village: not a village code of the township'"'"'s list"}' \
	"$(curl -s --max-time 5 -w '%{http_code} ' -o "$T/body" "http://${WEB[county]}/v1/report?month=2024-06&township=$TB&village=XX99&format=json"; jq -c . "$T/body")" \
	"a committee not on tb's list"
assert_eq "$(curl -sf --max-time 5 "http://${WEB[tb]}/v1/report?month=2024-06&village=ZL07&format=json" | jq -c .rows)" \
	"$(curl -sf --max-time 5 "http://${WEB[county]}/v1/report?month=2024-06&township=$TB&village=ZL07&format=json" | jq -c .rows)" \
	"tb's ZL07 committee form at the county"
# names a reload changes reach the county with the next events forwarded
VILL[ta]=$(villages 甲镇第)
town_conf ta $TA ta
mark=$(wc -l <"$T/ta.log")
kill -HUP "${PID[ta]}"
reloaded() { tail -n +"$((mark + 1))" "$T/ta.log" | grep -q "^<6>reload: config"; }
wait_until 10 reloaded
"$GEN" bulk 1 23 >"$T/one.jsonl"
"$LAWTALLY" send --endpoint "${ING[ta]}" --file "$T/one.jsonl" >/dev/null || fail "send to ta"
NA=$((NA + 1))
renamed() {
	[ "$(curl -sf --max-time 5 "http://${WEB[county]}/v1/villages?township=$TA" | jq -r '.villages[6].name')" = 甲镇第07村 ]
}
wait_until 10 renamed
wait_until 10 caught_up ta
assert_eq $((NA + NB)) "$(stored county)" "events at the county after ta's reload"
assert_eq 0 "$(curl -sf --max-time 5 "http://${WEB[county]}/metrics" | awk '$1 == "lawtally_township_names_rejected_total" { print $2 }')" \
	"townships' names the county did not keep"

# numbered events: a gap in what a village sent ta is the same gap at the county
# (there a record per township, original sender and epoch), and closes with it
ev() { # SEQ
	printf '{"id":"0190c8e2-0000-7000-8000-00c0c0%06x","occurred_at":"2024-06-%02dT10:00:00+08:00","source":"centre-ZL03","seq":"%s","epoch":"%s","village":"ZL03","training":{"attendees":12,"topic":"人民调解法"}}\n' \
		"$1" "$((1 + $1))" "$1" "$((0xc0c0))"
}
{ ev 1; ev 2; ev 4; } >"$T/numbered.jsonl"
"$LAWTALLY" send --endpoint "${ING[ta]}" --file "$T/numbered.jsonl" >/dev/null || fail "send numbered to ta"
NA=$((NA + 3))
wait_until 10 caught_up ta
# gaps URL: each numbered sender's gaps, as "source epoch from-to"
gaps() {
	curl -sf --max-time 5 "$1" |
		jq -r '[.sequences[] | select(.epoch != null) | .gaps[] as $g | "\($g.from)-\($g.to)"] | join(" ")'
}
assert_eq "3-3" "$(gaps "http://${WEB[ta]}/v1/senders")" "ta's gap"
assert_eq "3-3" "$(gaps "http://${WEB[county]}/v1/senders")" "the county's gap of ta"
curl -sf --max-time 5 "http://${WEB[county]}/v1/senders" >"$T/county-senders.json"
assert_eq "township:$TA/centre-ZL03 1" \
	"$(jq -r '[.sequences[] | select(.gaps | length > 0) | "\(.sender) \(.missing)"] | join(",")' "$T/county-senders.json")" \
	"the county's record of the gap"
ev 3 | "$LAWTALLY" send --endpoint "${ING[ta]}" --file - >/dev/null || fail "send the late one to ta"
NA=$((NA + 1))
wait_until 10 caught_up ta
assert_eq "" "$(gaps "http://${WEB[county]}/v1/senders")" "the county's gaps of ta after the late event"

# the county's own figures are the townships' sum
for m in disputes.registered disputes.open enforcement.actions trainings.attendees; do
	a=$(curl -sf --max-time 5 "http://${WEB[ta]}/v1/totals?year=2024&metric=$m" | jq '.rows[0].value')
	b=$(curl -sf --max-time 5 "http://${WEB[tb]}/v1/totals?year=2024&metric=$m" | jq '.rows[0].value')
	assert_eq $((a + b)) "$(curl -sf --max-time 5 "http://${WEB[county]}/v1/totals?year=2024&metric=$m" | jq '.rows[0].value')" \
		"the county's $m"
	rows=$(curl -sf --max-time 5 "http://${WEB[county]}/v1/totals?year=2024&metric=$m&by=township" |
		jq -r '[.rows[] | "\(.township)=\(.value)"] | join(" ")')
	want=""
	[ "$a" = 0 ] || want="$TA=$a"
	[ "$b" = 0 ] || want="${want:+$want }$TB=$b"
	assert_eq "$want" "$rows" "$m by township"
done
[ "$(curl -sf --max-time 5 "http://${WEB[ta]}/metrics" | awk '$1 == "lawtally_upstream_rejected_total" { print $2 }')" = 0 ] ||
	fail "the county rejected forwarded events: $(grep upstream "$T/ta.log" | tail -n 3)"

# a township's key forwards its own township's events only; an office key none
head -n 2 "$T/bulk-a.jsonl" >"$T/two.jsonl"
out=$("$BUILD/tests/zcurve" "${ING[county]}" "$K/tb.key" "$K/county.pub" township=$TA "$T/two.jsonl")
grep -qx "ack 0 status=3 reason=township: a township key forwards its own township's events only" <<<"$out" ||
	fail "tb forwarding for ta: $out"
out=$("$BUILD/tests/zcurve" "${ING[county]}" "$K/office.key" "$K/county.pub" township=$TB "$T/two.jsonl")
grep -qx "ack 1 status=3 reason=township: only a township key (role township:CODE) forwards a township's events" <<<"$out" ||
	fail "office forwarding for tb: $out"
assert_eq $((NA + NB)) "$(stored county)" "events at the county after the refusals"

for n in ta tb county; do
	halt $n TERM
	"$LAWTALLY" verify --data-dir "$T/$n" >"$T/verify.$n" || fail "verify $n: $(cat "$T/verify.$n")"
done
echo "county: $(cat "$T/verify.county")"
"$LAWTALLY" upstream status -c "$T/ta.conf" >"$T/status.ta" || fail "upstream status: $(cat "$T/status.ta")"
grep -q "^upstream: 0 events not yet acknowledged by the county; last acknowledgement .*; $NA events acknowledged, 0 of them rejected by the county$" \
	"$T/status.ta" || fail "upstream status: $(cat "$T/status.ta")"

# ta loses its store; it is rebuilt from the county, with ta's key only
rm "$T/ta/data.mdb"
start county
for q in "by=village" "by=month" "by=action"; do totals "${WEB[county]}" "$q&township=$TA" >"$T/want.$q"; done
sed "s/^township = $TB/township = $TA/" "$T/tb.conf" >"$T/tb-as-ta.conf"
rc=0
"$LAWTALLY" restore --from-upstream -c "$T/tb-as-ta.conf" --endpoint "${QRY[county]}" >"$T/restore.out" 2>&1 || rc=$?
assert_eq 1 "$rc" "restore of ta with tb's key"
grep -qx "lawtally restore: the county refused: auth: a township key reads back its own township's events only" \
	"$T/restore.out" || fail "restore with tb's key: $(cat "$T/restore.out")"
"$LAWTALLY" restore --from-upstream -c "$T/ta.conf" --endpoint "${QRY[county]}" >"$T/restore.out" 2>&1 ||
	fail "restore --from-upstream: $(cat "$T/restore.out")"
grep -qx "restore: $NA events of township $TA rebuilt from the county (0 refused)" "$T/restore.out" ||
	fail "restore --from-upstream: $(cat "$T/restore.out")"
"$LAWTALLY" verify --data-dir "$T/ta" >"$T/verify.ta" || fail "verify the rebuilt ta: $(cat "$T/verify.ta")"
start ta
assert_eq "$NA" "$(stored ta)" "events of the rebuilt ta"
for q in "by=village" "by=month" "by=action"; do
	assert_eq "$(cat "$T/want.$q")" "$(totals "${WEB[ta]}" "$q")" "the rebuilt ta's $q"
done
assert_eq 0 "$(backlog ta)" "the rebuilt ta's backlog"
echo "county: $(cat "$T/restore.out")"
halt ta TERM
halt county TERM
