#!/usr/bin/env bash
# 50-antfarm.sh — antfarm against the guest's own ground truth (issue 5, acceptance).
#
# Boots myrmex in QEMU (TCG, -cpu qemu64,+svm) with the default Linux guest running
# fork, fork+exec and vfork+exec with N=100 each under ftrace (wl.trace=1), antfarm with
# antfarm.switch=on, then compares antfarm's events with the ftrace dump
# (tools/antfarm_compare.py; rules in docs/antfarm.md, "Ground truth and how it is compared").
# Result lines:
#   ok antfarm-compare-selftest        the comparison tool's own tests (synthetic logs)
#   ok antfarm-linux-run               the guest ran its workloads under myrmex and dumped the trace
#   ok antfarm-compare-fork            one per workload: 0 false negatives, false positives
#   ok antfarm-compare-forkexec          only from the exec split, switches = expected
#   ok antfarm-compare-vforkexec
# env: ANTFARM_STALL (seconds without console output before giving up, default 180);
#      ANTFARM_LOG=FILE  compare an existing serial log instead of booting (e.g. the log of
#      the Linux boot test, when that boot already ran these workloads with wl.trace=1 and
#      antfarm.switch=on); ANTFARM_TIMEOUT (seconds, default 900); ANTFARM_WL (workloads).
source tests/lib.sh
# The same boot as the Linux test's (45-linux.sh), when it ran with the trace.
if [ -z "${ANTFARM_LOG:-}" ] && grep -q 'wlgt ev=end' "$LOGDIR/linux-128m.log" 2>/dev/null; then
    ANTFARM_LOG=$LOGDIR/linux-128m.log
fi
WL=${ANTFARM_WL:-fork:100,forkexec:100,vforkexec:100}
TIMEOUT=${ANTFARM_TIMEOUT:-900}
log=${ANTFARM_LOG:-$LOGDIR/antfarm-linux.log}
out=$LOGDIR/antfarm-compare.txt

# The tool's own tests need nothing but python3.
# With the Linux test's log at hand, its real dump also feeds the tool's own real-dump test.
if st=$(AFC_NATIVE_LOG=${ANTFARM_LOG:-} python3 tools/test_antfarm_compare.py 2>&1); then pass antfarm-compare-selftest
else
    fail antfarm-compare-selftest "tools/test_antfarm_compare.py failed"
    echo "$st" | grep -v '^ok ' | sed 's/^/    /'
fi

workloads() { echo "$WL" | tr ',' '\n' | sed 's/:.*//'; }
fail_all() {    # REASON: every comparison line fails with it
    local w
    for w in $(workloads); do fail "antfarm-compare-$w" "$1"; done
}

if [ -z "${ANTFARM_LOG:-}" ]; then
    if [ ! -f build/guest/bzImage ] || [ ! -f build/guest/initrd.img ]; then
        echo "# build/guest/bzImage missing: make guest"
        if ! make guest >"$LOGDIR/antfarm-make-guest.log" 2>&1; then
            fail antfarm-linux-run "make guest failed" "$LOGDIR/antfarm-make-guest.log"
            fail_all "no guest image"
            exit 0
        fi
    fi
    if [ ! -f build/myrmex.elf ]; then
        fail antfarm-linux-run "build/myrmex.elf missing (make all)"
        fail_all "no VMM image"
        exit 0
    fi
    # QEMU splits -initrd at commas: a comma inside a module's arguments is written ",,".
    gargs="console=ttyS0 noapic nolapic cryptomgr.notests noisapnp wl=${WL//,/,,} wl.trace=1 quiet"
    start=$(date +%s)
    # As qemu_run (tests/lib.sh), but watched: a guest that panics, locks up or prints
    # nothing for ANTFARM_STALL seconds is stopped at once rather than at the timeout.
    : >"$log"
    timeout --kill-after=5 "$TIMEOUT" $QEMU $QEMU_BASE -serial "file:$log" \
        -cpu qemu64,+svm -kernel build/myrmex.elf \
        -append "exitport=0xf4 antfarm=on antfarm.switch=on" \
        -initrd "build/guest/bzImage $gargs,build/guest/initrd.img" </dev/null >"$log.qemu" 2>&1 &
    qpid=$!
    stopped=""; size=0; still=0
    while kill -0 $qpid 2>/dev/null; do
        sleep 2
        if grep -Eq 'Kernel panic|soft lockup|BUG: |Oops: ' "$log"; then
            stopped="guest: $(grep -Em1 'Kernel panic|soft lockup|BUG: |Oops: ' "$log" | sed 's/^vm0| *\[[ 0-9.]*\] *//' | cut -c1-70)"
        else
            now=$(stat -c %s "$log" 2>/dev/null || echo 0)
            if [ "$now" = "$size" ]; then still=$((still + 2)); else still=0; size=$now; fi
            [ "$still" -ge "${ANTFARM_STALL:-180}" ] && stopped="no output for ${still}s"
        fi
        if [ -n "$stopped" ]; then kill $qpid 2>/dev/null; break; fi
    done
    wait $qpid
    rc=$?
    if [ -n "$stopped" ]; then STATUS="stopped ($stopped)"
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then STATUS=124
    elif [ $((rc & 1)) -eq 1 ]; then STATUS=$((rc >> 1))
    else STATUS=255; fi
    echo "# myrmex + Linux: status=$STATUS in $(( $(date +%s) - start ))s, log $log"
else
    STATUS=given
    echo "# comparing the given log $log"
fi

# Did the guest get through its workloads and dump the trace? Say where it stopped.
case "$STATUS" in
    124) how="timeout after ${TIMEOUT}s" ;;
    given) how="given log" ;;
    *) how="status=$STATUS" ;;
esac
stop=$(grep -Eo 'vm=0 stop reason=[^ ]+' "$log" 2>/dev/null | tail -n 1)
[ -n "$stop" ] && how="$how, ${stop#vm=0 }"
why=""
if [ ! -s "$log" ]; then why="no serial log ($how; see $log.qemu)"
elif ! log_has "$log" '^vm0\| '; then why="the guest printed nothing ($how)"
elif ! log_has "$log" '^vm0\| wlinit ev=start'; then
    why="Linux did not reach /init ($how; last guest line: $(grep -E '^vm0\| ' "$log" | tail -n 1 | cut -c1-100))"
elif ! log_has "$log" 'wlgt ev=end'; then
    why="no complete ftrace dump ($how; last wlinit line: $(grep -Eo 'wlinit ev=.*' "$log" | tail -n 1))"
elif ! log_has "$log" '=== myrmex guest done: status=ok'; then
    why="a workload failed ($how; $(grep -Eo 'wlinit ev=(action|error) .*' "$log" | grep -v 'rc=0$' | head -n 3 | tr '\n' ';'))"
fi
if [ -n "$why" ]; then
    fail antfarm-linux-run "$why" "$log"
    fail_all "no ground truth (see antfarm-linux-run)"
    exit 0
fi
pass antfarm-linux-run

# Judged: 0 false negatives, false positives only from the exec split, and address-space
# switches equal to the count the fixed rule expects (exact with the guest's mm events).
python3 tools/antfarm_compare.py "$log" >"$out" 2>&1
rc=$?
sed -n '/^Table 2 form/,/^antfarm-compare result/p' "$out" | grep -v '^antfarm-compare workload=' | sed 's/^/# /'
if [ $rc -eq 2 ]; then
    fail_all "comparison impossible (see $out)"
    sed 's/^/    /' "$out" | head -n 20
    exit 0
fi
for w in $(workloads); do
    line=$(grep -E "^antfarm-compare workload=$w " "$out" | head -n 1)
    if [ -z "$line" ]; then fail "antfarm-compare-$w" "no result for $w (see $out)"
    elif echo "$line" | grep -q ' verdict=pass'; then pass "antfarm-compare-$w"
    else
        fail "antfarm-compare-$w" "$(echo "$line" | grep -Eo 'fn=[0-9]+ fp=[0-9]+ fp_exec=[0-9]+ switches=[^ ]+ expected=[0-9]+') $(echo "$line" | grep -Eo 'fn_exit=[0-9]+') $(echo "$line" | grep -Eo 'reason=.*')"
    fi
done
exit 0
