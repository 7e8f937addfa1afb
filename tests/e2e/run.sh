#!/usr/bin/env bash
# run.sh - runs every end-to-end test (test_*.sh beside this file), or the
# ones named, and prints "N passed, N failed".
cd "$(dirname "$0")"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(test_*.sh)
pass=0 failed=0
for t in "${tests[@]}"; do
	start=$SECONDS
	if bash "$t"; then
		echo "[  OK  ] $t ($((SECONDS - start))s)"
		pass=$((pass + 1))
	else
		echo "[ FAIL ] $t ($((SECONDS - start))s)"
		failed=$((failed + 1))
	fi
done
echo "e2e: $pass passed, $failed failed"
[ $failed -eq 0 ]
