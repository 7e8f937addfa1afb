#!/usr/bin/env bash
# The township's later kinds (document, decision, opinion, disclosure,
# supervision, enforcement_staff, task) and the training audience and the
# publicity law, each sent with `lawtally send KIND` through the real
# daemon and read back from its totals over ZeroMQ (`lawtally totals`) and
# HTTP (GET /v1/totals), by their dimensions too; a bad one is refused
# with the reason naming its field.
. "$(dirname "$0")/lib.sh"

write_config
start_daemon

# 2024-05-10T10:00+08:00; a second moment in June
T1=1715306400
T2=1717984800
send() { "$LAWTALLY" send --endpoint "$INGEST" "$@" >"$T/send.out" 2>&1 || fail "send $*: $(cat "$T/send.out")"; }

send document --occurred-at $T1 --document-id "张政〔2024〕3号" --action DRAFTED --title "秸秆禁烧管理办法"
send document --occurred-at $T1 --document-id "张政〔2024〕3号" --action REVIEWED
send document --occurred-at $T2 --document-id "张政〔2024〕3号" --action FILED
send document --occurred-at $T2 --document-id "张政〔2024〕3号" --action FILED
send decision --occurred-at $T1 --decision-id JC-01 --category MAJOR_PROJECT --collective true --legal-review true --hearing true
send decision --occurred-at $T2 --decision-id JC-02 --category LARGE_FUNDS --collective true --public-consultation true
send opinion --occurred-at $T1 --adviser PUBLIC_LAWYER --subject CONTRACT
send opinion --occurred-at $T2 --adviser LEGAL_ADVISER --subject DECISION
send disclosure --occurred-at $T1 --content RESULT --channel WEBSITE --items 5
send disclosure --occurred-at $T2 --content DECISION --channel NOTICE_BOARD --items 2
send supervision --occurred-at $T1 --case-id ZG-01 --supervisor DEPUTIES --stage RECEIVED \
	--responsible-leader 副镇长 --responsible-unit 综合执法队 --responsible-person 执法队长 --deadline $T2
send supervision --occurred-at $T2 --case-id ZG-01 --supervisor DEPUTIES --stage RECTIFIED
send enforcement_staff --occurred-at $T1 --staff-id ZF-01 --certified true --in-team true
send enforcement_staff --occurred-at $T2 --staff-id ZF-01 --certified true --in-team true
send enforcement_staff --occurred-at $T1 --staff-id ZF-02 --certified true
send task --occurred-at $T1 --task-id RW-01 --item LEADING_GROUP --stage PLANNED --responsible-office 党政办
send task --occurred-at $T2 --task-id RW-01 --item LEADING_GROUP --stage DONE --responsible-office 党政办
send training --occurred-at $T1 --audience COMMUNITY_CORRECTION --trainer 公职律师蔺文龙 --attendees 18
send training --occurred-at $T1 --village ZL07 --audience MEDIATORS --attendees 30
send training --occurred-at $T2 --village ZL07 --attendees 20
send publicity --occurred-at $T1 --venue VILLAGE --is-activity true --materials 300 --law CIVIL_CODE

both() { # EXPECTED METRIC [BY LABEL]
	local want=$1
	shift
	assert_eq "$want" "$(total "$@")" "lawtally totals $*"
	assert_eq "$want" "$(http_total "$@")" "GET /v1/totals $*"
}
both 1 documents.drafted
both 1 documents.reviewed
both 1 documents.filed
both 0 documents.registered
both 2 decisions.made
both 1 decisions.made category MAJOR_PROJECT
both 2 decisions.collective
both 1 decisions.legal_reviewed
both 1 decisions.hearings
both 1 decisions.consulted
both 2 opinions.given
both 1 opinions.given adviser PUBLIC_LAWYER
both 1 opinions.given subject DECISION
both 2 disclosures.releases
both 7 disclosures.items
both 5 disclosures.items channel WEBSITE
both 2 disclosures.items content DECISION
both 1 supervision.findings
both 1 supervision.findings supervisor DEPUTIES
both 1 supervision.rectified
both 1 enforcement.team
both 2 enforcement.certified
both 1 tasks.planned
both 1 tasks.done item LEADING_GROUP
# the mediators' "培训N次" keeps to the mediators; the other audiences in trainings.others
both 2 trainings.sessions
both 50 trainings.attendees
both 1 trainings.others
both 0 trainings.others audience MEDIATORS
both 1 trainings.others audience COMMUNITY_CORRECTION
both 18 trainings.others_attendees audience COMMUNITY_CORRECTION
both 1 publicity.activities law CIVIL_CODE
both 300 publicity.materials venue VILLAGE
# by month: the filed document counts in June
assert_eq 1 "$(total documents.filed month 6)" "documents.filed in June"

# refused with the field named: a finding without whom it falls to, a
# village audience without a village
"$LAWTALLY" send --endpoint "$INGEST" supervision --occurred-at $T1 --case-id ZG-02 \
	--supervisor MEDIA --stage RECEIVED >"$T/bad.out" 2>&1 && fail "a finding without a leader was stored"
grep -qF "supervision.responsible_leader: required with stage RECEIVED" "$T/bad.out" ||
	fail "reason: $(cat "$T/bad.out")"
"$LAWTALLY" send --endpoint "$INGEST" training --occurred-at $T1 --audience VILLAGERS \
	--attendees 3 >"$T/bad.out" 2>&1 && fail "a villagers' training without a village was stored"
grep -qF "village: required for dispute and for training of a village audience" "$T/bad.out" ||
	fail "reason: $(cat "$T/bad.out")"
both 1 supervision.findings
both 1 trainings.others
