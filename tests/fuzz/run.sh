#!/usr/bin/env bash
# run.sh BUILD SECONDS TARGET... - `make fuzz`: runs each libFuzzer target
# (BUILD/tests/fuzz/fuzz_TARGET) for SECONDS (or, with FUZZ_RUNS=N in the
# environment, for N executions however long they take) over its committed seeds
# (tests/fuzz/corpus/TARGET) and saved crashes (tests/fuzz/regress/TARGET).
# What it learns goes to BUILD/fuzz-work/TARGET, never into the seeds. A
# crash stops the run: the input is saved under BUILD/fuzz-crash/ and the
# message says how to keep it as a regression test. tests/fuzz/TARGET.dict,
# when there is one, gives libFuzzer the tokens of the target's format.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=$1 seconds=$2
shift 2
failed=0
for t in "$@"; do
	work=$build/fuzz-work/$t crash=$build/fuzz-crash
	mkdir -p "$work" "$crash" "tests/fuzz/regress/$t"
	log=$build/fuzz-work/$t.log
	start=$SECONDS
	dict=()
	limit=(-max_total_time="$seconds")
	[ -z "${FUZZ_RUNS:-}" ] || limit=(-runs="$FUZZ_RUNS")
	[ ! -f "tests/fuzz/$t.dict" ] || dict=(-dict="tests/fuzz/$t.dict")
	if "$build/tests/fuzz/fuzz_$t" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix="$crash/$t-" "${dict[@]}" \
		"$work" "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t" >"$log" 2>&1; then
		runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
		echo "fuzz $t: ${runs:-?} inputs in $((SECONDS - start)) s, clean"
	else
		failed=1
		found=$(grep -o "$crash/$t-[a-z]*-[0-9a-f]*" "$log" | tail -n 1)
		echo "fuzz $t: FAILED after $((SECONDS - start)) s; log $log"
		grep -m 3 -E "ERROR|SUMMARY|fuzz: " "$log" | sed 's/^/    /'
		if [ -n "$found" ]; then
			echo "    input saved as $found; to keep it as a regression test:"
			echo "    cp $found tests/fuzz/regress/$t/ && make unit   (replays it until fixed)"
		fi
	fi
done
exit $failed
