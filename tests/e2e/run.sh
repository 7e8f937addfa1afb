#!/usr/bin/env bash
# run.sh - runs every end-to-end test (test_*.sh beside this file), or the
# ones named, and prints "e2e: N passed, N failed, N skipped".
#
# A test passes by exiting 0. It skips only through lib.sh's skip, which
# says why and exits 77 (the status automake's test driver gives a skip);
# the runner prints "[ SKIP ] NAME: REASON" and counts it apart. Any other
# status fails, and so does 77 without a reason from skip: a command that
# happens to exit 77 under `set -e` must not pass for a skip.
cd "$(dirname "$0")"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(test_*.sh)
reasons=$(mktemp -d /tmp/lawtally-e2e-skip.XXXXXX)
trap 'rm -rf "$reasons"' EXIT
pass=0 failed=0 skipped=0
for t in "${tests[@]}"; do
	start=$SECONDS
	reason="$reasons/$(basename "$t")"
	LAWTALLY_E2E_SKIP_FILE=$reason bash "$t"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "[  OK  ] $t ($((SECONDS - start))s)"
		pass=$((pass + 1))
	elif [ $rc -eq 77 ] && [ -s "$reason" ]; then
		echo "[ SKIP ] $t: $(head -n 1 "$reason")"
		skipped=$((skipped + 1))
	else
		[ $rc -ne 77 ] || echo "$t: exit status 77 without a reason from skip: a failure"
		echo "[ FAIL ] $t ($((SECONDS - start))s)"
		failed=$((failed + 1))
	fi
done
echo "e2e: $pass passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
