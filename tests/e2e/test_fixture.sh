#!/usr/bin/env bash
# The 2024 fixture sent through `lawtally send --file`: every figure of the
# report through the CLI (ZeroMQ query) and HTTP; sending it again changes
# nothing.
. "$(dirname "$0")/lib.sh"

"$GEN" fixture 7 >"$T/fixture.jsonl"
start_daemon

out=$("$LAWTALLY" send --endpoint "$INGEST" --file "$T/fixture.jsonl") ||
	fail "first send exited $?: $out"
lines=$(wc -l <"$T/fixture.jsonl")
distinct=$(jq -r .id "$T/fixture.jsonl" | sort -u | wc -l)
assert_eq "$lines events: $distinct accepted, $((lines - distinct)) duplicate, 0 rejected; 0 invalid lines" \
	"$out" "first send summary"

# metric, breakdown, label, value: the 2024 column of docs/model.md (the
# township's own work illustrative but for the team of three)
figures=(
	"lawsuits.filed kind ADMINISTRATIVE 3"
	"lawsuits.filed kind ENV_POLLUTION_CIVIL 9"
	"lawsuits.lost - - 0"
	"trainings.sessions - - 12"
	"disputes.resolved - - 326"
	"petitions.received origin HIGHER_LEVEL 20"
	"petitions.received origin TOWNSHIP 36"
	"petitions.received origin PROVINCIAL_INSPECTION 33"
	"petitions.difficult_resolved - - 15"
	"publicity.activities - - 12"
	"publicity.consultations - - 985"
	"enforcement.team - - 3"
	"trainings.others audience COMMUNITY_CORRECTION 4"
	"publicity.activities law CIVIL_CODE 3"
	"documents.filed - - 3"
	"decisions.legal_reviewed - - 5"
	"opinions.given - - 16"
	"disclosures.releases channel WEBSITE 12"
	"supervision.rectified - - 5"
	"tasks.done - - 5"
)
for f in "${figures[@]}"; do
	read -r m by label want <<<"$f"
	if [ "$by" = - ]; then
		assert_eq "$want" "$(total "$m")" "$m (ZeroMQ query)"
		assert_eq "$want" "$(http_total "$m")" "$m (HTTP)"
	else
		assert_eq "$want" "$(total "$m" "$by" "$label")" "$m{$by=$label} (ZeroMQ query)"
		assert_eq "$want" "$(http_total "$m" "$by" "$label")" "$m{$by=$label} (HTTP)"
	fi
done
materials=$(total publicity.materials)
[ "$materials" -ge 8000 ] && [ "$materials" -le 8999 ] ||
	fail "publicity.materials: expected 8000..8999, got $materials"
assert_eq "$materials" "$(http_total publicity.materials)" "publicity.materials (HTTP)"

# the table form names every metric
"$LAWTALLY" totals --endpoint "$QUERY" --year 2024 >"$T/table.txt"
grep -Eq '^disputes\.resolved +326$' "$T/table.txt" || fail "table lacks 'disputes.resolved 326'"

before=$(snapshot)
out=$("$LAWTALLY" send --endpoint "$INGEST" --file "$T/fixture.jsonl") ||
	fail "second send exited $?: $out"
assert_eq "$lines events: 0 accepted, $lines duplicate, 0 rejected; 0 invalid lines" \
	"$out" "second send summary"
assert_eq "$before" "$(snapshot)" "totals after sending the file again"
assert_eq "$distinct" "$(curl -sf "http://$HTTP/healthz" | jq .events)" "events stored"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
grep -q "^<6>stopped cleanly" "$T/daemon.log" || fail "no clean stop logged"
