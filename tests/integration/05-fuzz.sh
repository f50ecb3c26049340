#!/usr/bin/env bash
# 05-fuzz.sh — a short seeded pass of every fuzzer (docs/fuzzing.md): 20000 inputs or
# 3 seconds each, whichever comes first, seed 1. One "ok fuzz-NAME" / "not ok fuzz-NAME"
# per harness; a failure shows the sanitizer report and the replay command.
source tests/lib.sh
COUNT=${FUZZ_TEST_COUNT:-20000}
SECS=${FUZZ_TEST_SECONDS:-3}
SEED=${FUZZ_TEST_SEED:-1}

if ! make -s -j2 fuzzers >"$LOGDIR/fuzz-build.log" 2>&1; then
    fail fuzz-build "make fuzzers failed" "$LOGDIR/fuzz-build.log"
    exit 0
fi
for src in tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    log=$LOGDIR/fuzz-$name.log
    build/fuzz/"$name" -n "$COUNT" -t "$SECS" -s "$SEED" >"$log" 2>&1
    rc=$?
    line=$(grep -E "^fuzz name=$name inputs=[0-9]+ .*crashes=" "$log" | tail -n 1)
    if [ $rc -eq 0 ] && [[ "$line" == *" crashes=0 "* ]]; then
        pass "fuzz-$name"
        echo "   $line"
    else
        fail "fuzz-$name" "rc=$rc ${line:-no summary line}" "$log"
    fi
done
