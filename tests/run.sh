#!/usr/bin/env bash
# run.sh — run every test: host unit tests, then each integration script; end with
# "N passed, N failed". Each integration script prints "ok NAME" / "not ok NAME: why".
# Usage: tests/run.sh [PATTERN]   (only integration scripts whose name contains PATTERN)
set -u
cd "$(dirname "$0")/.."
pattern=${1:-}
passed=0
failed=0
failed_names=""

count() {   # read result lines from stdin, echo them, add them up
    local line
    while IFS= read -r line; do
        echo "$line"
        case "$line" in
        "ok "*) passed=$((passed + 1)) ;;
        "not ok "*) failed=$((failed + 1)); failed_names="$failed_names ${line#not ok }" ;;
        esac
    done
}

if [ -z "$pattern" ] || [ "$pattern" = unit ]; then
    echo "== host unit tests"
    make -s build/host/unit_tests >/tmp/myrmex-unit-build.log 2>&1 || { cat /tmp/myrmex-unit-build.log; echo "not ok unit-build"; }
    if [ -x build/host/unit_tests ]; then
        out=$(build/host/unit_tests)
        echo "$out" | grep -v '^ok  ' | grep -v 'passed, .* failed$'
        p=$(echo "$out" | tail -n 1 | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
        f=$(echo "$out" | tail -n 1 | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
        echo "unit: ${p:-0} passed, ${f:-?} failed"
        passed=$((passed + ${p:-0}))
        if [ -z "$f" ]; then failed=$((failed + 1)); failed_names="$failed_names unit-crash"
        else failed=$((failed + f)); fi
    fi
fi

for t in tests/integration/*.sh; do
    name=$(basename "$t" .sh)
    [ -n "$pattern" ] && [ "$pattern" != unit ] && case "$name" in *"$pattern"*) ;; *) continue ;; esac
    [ "$pattern" = unit ] && continue
    echo "== $name"
    start=$(date +%s)
    count < <(bash "$t" 2>&1)
    echo "   ($name took $(( $(date +%s) - start ))s)"
done

[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
