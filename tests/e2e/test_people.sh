#!/usr/bin/env bash
# A command line for people: send takes what a mediator types (Chinese
# names of enum values, village names, codes in any case, full-width
# digits, yuan) and answers in Chinese under a Chinese locale; an unknown
# value lists the valid ones; every wrong value is one line saying which
# and why, never the usage text; a record the daemon would refuse is not
# spooled; tables show village names and yuan; verify finds its config.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log"
start_daemon

# zh_CN.UTF-8 as a Chinese user's machine has it; generated here when the
# system lacks it (a fresh Debian has only C.UTF-8), else LANGUAGE does
zh() {
	if [ -z "${ZH_READY:-}" ]; then
		if localedef -i zh_CN -f UTF-8 "$T/locale/zh_CN.UTF-8" >/dev/null 2>&1 ||
			{ mkdir -p "$T/locale" && localedef -i zh_CN -f UTF-8 "$T/locale/zh_CN.UTF-8" >/dev/null 2>&1; }; then
			ZH_READY=locale
		else
			ZH_READY=language
		fi
	fi
	if [ "$ZH_READY" = locale ]; then
		env -u LC_ALL -u LANGUAGE LOCPATH="$T/locale" LANG=zh_CN.UTF-8 "$@"
	else
		env -u LANG LC_ALL=C.UTF-8 LANGUAGE=zh_CN "$@"
	fi
}
zh true
export LAWTALLY_INGEST=$INGEST LAWTALLY_QUERY=$QUERY

# the issue's command, in Chinese
out=$(zh "$LAWTALLY" send dispute --village 王岗村 --category 邻里纠纷 --case-id ＷＧ２０２４－１０１ \
	--stage 受理 --initiated 主动排查 --occurred-at 2024/6/1) || fail "send exited $?: $out"
assert_eq "已接收" "$out" "send's answer in Chinese"
out=$(zh "$LAWTALLY" send dispute --village zl07 --category 邻里 --case-id WG2024-101 --stage 调解成功 \
	--agreement-amount "２，５００" --prevented-criminal 是 --occurred-at "2024年6月3日 16:00") ||
	fail "second send exited $?: $out"
assert_eq "已接收" "$out" "send's answer in Chinese"
assert_eq 1 "$(total disputes.registered village ZL07)" "registered (the case typed full-width is one case)"
assert_eq 1 "$(total disputes.resolved category NEIGHBOUR)" "resolved neighbour dispute"
assert_eq 250000 "$(total disputes.agreement_amount_fen)" "2,500 yuan agreed"
assert_eq 1 "$(total disputes.prevented_criminal)" "是"
assert_eq 1 "$(total disputes.resolved month 6)" "resolved in June (2024年6月3日)"

# an unknown category: one line listing the valid ones, in Chinese or English
rc=0
zh "$LAWTALLY" send dispute --village 王岗村 --category 打架 --case-id X --stage 受理 \
	>"$T/out" 2>"$T/err" || rc=$?
assert_eq 2 "$rc" "unknown category: exit status"
assert_eq "" "$(cat "$T/out")" "unknown category: nothing on stdout"
assert_eq 1 "$(wc -l <"$T/err")" "unknown category: one line"
grep -q "^lawtally send: --category 打架：不是可用的值；可选：婚姻家庭 (MARRIAGE_FAMILY), 邻里 (NEIGHBOUR), .*其他 (OTHER)$" \
	"$T/err" || fail "unknown category (zh): $(cat "$T/err")"
rc=0
"$LAWTALLY" send dispute --village ZL07 --category fight --case-id X >/dev/null 2>"$T/err" || rc=$?
assert_eq 2 "$rc" "unknown category (en): exit status"
grep -q "^lawtally send: --category fight: not a value it takes; one of: 婚姻家庭 (MARRIAGE_FAMILY), 邻里 (NEIGHBOUR), " \
	"$T/err" || fail "unknown category (en): $(cat "$T/err")"
rc=0
"$LAWTALLY" send dispute --village 王港村 --category 邻里 --case-id X >/dev/null 2>"$T/err" || rc=$?
assert_eq 2 "$rc" "unknown village: exit status"
grep -q "^lawtally send: --village 王港村: no such village; the villages: ZL01 张北村, .* ZL07 王岗村, .*ZL41 刘庄村$" \
	"$T/err" || fail "unknown village: $(cat "$T/err")"

# a record the daemon would refuse (no stage) is not spooled: the mediator learns now
rc=0
zh "$LAWTALLY" send --spool "$T/spool" dispute --village 王岗村 --case-id WG2024-102 --category 合同 \
	>"$T/out" 2>"$T/err" || rc=$?
assert_eq 1 "$rc" "no stage: exit status"
grep -q "^被退回：dispute.stage: required" "$T/err" || fail "no stage: $(cat "$T/err")"
[ ! -e "$T/spool" ] || fail "a record without a stage reached the spool"

# every wrong value: one line on stderr naming it, exit 2, no usage text
one_line() { # EXPECTED COMMAND...
	local want=$1 rc=0
	shift
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq 2 "$rc" "exit status of: ${*:2}"
	assert_eq "$want" "$(cat "$T/err")" "the line of: ${*:2}"
	assert_eq "" "$(cat "$T/out")" "stdout of: ${*:2}"
}
one_line "lawtally totals: --year abc: not a year from 1970 to 9999" "$LAWTALLY" totals --year abc
one_line "lawtally totals: --year 99999: not a year from 1970 to 9999" "$LAWTALLY" totals --year 99999
one_line "lawtally export: --events takes no --lang: the events have no breakdown, metric, label language or format" \
	"$LAWTALLY" export --events --lang zh
one_line "lawtally import: --village is required: the village whose ledger this is, by code (ZL07) or name (王岗村)" \
	"$LAWTALLY" import "$ROOT/tests/data/ledger-zl07.csv"
one_line "lawtally spool: \"frob\" is not status, flush or rejected" "$LAWTALLY" spool frob
one_line "lawtally totals: unknown option --frob; \`lawtally help totals\` lists the options" \
	"$LAWTALLY" totals --frob
one_line "lawtally send: option --timeout needs a value; \`lawtally help send\` lists the options" \
	"$LAWTALLY" send --timeout
one_line "lawtally totals: --year abc：不是 1970 至 9999 之间的年份" zh "$LAWTALLY" totals --year abc
out=$("$LAWTALLY" help --help) || fail "help --help exited $?"
grep -q "^Usage: lawtally help \[SUBCOMMAND\]" <<<"$out" || fail "help --help said: $out"

# rejections by the daemon go to stderr, with the reason
rc=0
"$LAWTALLY" send training --village ZL99 --attendees 3 >"$T/out" 2>"$T/err" || rc=$?
assert_eq 1 "$rc" "rejected: exit status"
assert_eq "" "$(cat "$T/out")" "rejected: stdout"
assert_eq "rejected: village: not in the configured village list" "$(cat "$T/err")" "rejected: stderr"

# tables: village names beside codes, amounts in yuan (元 in Chinese)
out=$("$LAWTALLY" totals --year 2024 --metric disputes.agreement_amount_fen --by village)
grep -Eq '^disputes\.agreement_amount_fen +ZL07 王岗村 +2,500\.00 yuan$' <<<"$out" || fail "table: $out"
out=$(zh "$LAWTALLY" totals --year 2024 --village 王岗 --metric disputes.agreement_amount_fen)
grep -Eq '^disputes\.agreement_amount_fen +2,500\.00 元$' <<<"$out" || fail "table (zh): $out"

# verify reads $LAWTALLY_CONFIG (the packaged config otherwise) without -c
out=$(LAWTALLY_CONFIG=$T/lawtallyd.conf "$LAWTALLY" verify) || fail "verify exited $?: $out"
assert_eq "verify: $T/data: 2 events, consistent" "$out" "verify through \$LAWTALLY_CONFIG"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
