#!/usr/bin/env bash
# bench/antfarm.sh — antfarm's two figures for issue 5, in one run:
#   (a) completeness and lag: the default Linux guest runs fork, fork+exec and vfork+exec
#       with N=1000 each (and a busybox shell script starting many processes) under ftrace;
#       tools/antfarm_compare.py prints the Table 2 form and one line per workload;
#   (b) overhead: the page-touch microbenchmark (wl=touch:MB:R, a child maps MB MiB,
#       writes one byte a page, exits; R times), booted once with antfarm=on and once with
#       antfarm=off, same guest command line; the ratio on/off of the guest-TSC time.
#
#   bench/antfarm.sh            (from the repository root or anywhere)
#   env: BENCH_N (1000)  BENCH_SH (100; 0 = no shell workload)  BENCH_MB (16)  BENCH_REPS (10)
#        BENCH_ROUNDS (3: touch actions per boot, the median is taken)
#        BENCH_TIMEOUT (seconds per boot, 3600)  BENCH_SKIP=compare|overhead
#        BENCH_DIR (build/bench: logs and results)
# Output ends with lines to paste into the issue:
#   bench antfarm-compare workload=... (the tool's machine lines)
#   bench antfarm-overhead mb=16 reps=10 rounds=3 on_ms=.. off_ms=.. ratio=.. on_us_per_rep=.. off_us_per_rep=..
# Exit status: 0 when every boot ran and the comparison passed, 1 otherwise.
set -u
cd "$(dirname "$0")/.."
N=${BENCH_N:-1000}; SHN=${BENCH_SH:-100}; MB=${BENCH_MB:-16}; REPS=${BENCH_REPS:-10}
ROUNDS=${BENCH_ROUNDS:-3}; TIMEOUT=${BENCH_TIMEOUT:-3600}; SKIP=${BENCH_SKIP:-}
LOGDIR=${BENCH_DIR:-build/bench}
source tests/lib.sh
GBASE="console=ttyS0 noapic nolapic cryptomgr.notests noisapnp"
rc=0

[ -f build/myrmex.elf ] || make -s all || exit 1
if [ ! -f build/guest/bzImage ] || [ ! -f build/guest/initrd.img ]; then
    make -s guest || exit 1
fi

# boot NAME VMM-ARGS GUEST-ARGS: one boot of myrmex + Linux; sets STATUS, SECS. QEMU splits
# -initrd at commas, so the guest's commas are doubled (",," is a literal comma).
boot() {
    local log=$LOGDIR/antfarm-$1.log t0
    t0=$(date +%s.%N)
    qemu_run "$log" "$TIMEOUT" -cpu qemu64,+svm -kernel build/myrmex.elf \
        -append "exitport=0xf4 $2" -initrd "build/guest/bzImage $GBASE ${3//,/,,},build/guest/initrd.img"
    SECS=$(echo "$(date +%s.%N) - $t0" | bc)
    printf '# boot %-10s status=%s host_s=%.1f log=%s\n' "$1" "$STATUS" "$SECS" "$log"
    if ! grep -q '=== myrmex guest done: status=ok' "$log"; then
        echo "# boot $1: the guest did not finish its workloads; tail of the log:"
        tail -n 15 "$log" | sed 's/^/#   /'
        return 1
    fi
}

# (a) the N=1000 comparison
if [ "$SKIP" != compare ]; then
    wl="fork:$N,forkexec:$N,vforkexec:$N"
    [ "$SHN" != 0 ] && wl="$wl,sh:$SHN"
    if boot compare "antfarm=on antfarm.switch=on" "wl=$wl wl.trace=1 quiet"; then
        python3 tools/antfarm_compare.py --json "$LOGDIR/antfarm-compare.json" \
            "$LOGDIR/antfarm-compare.log" >"$LOGDIR/antfarm-compare.txt"
        crc=$?
        grep -v '^antfarm-compare workload=' "$LOGDIR/antfarm-compare.txt"
        grep '^antfarm-compare workload=' "$LOGDIR/antfarm-compare.txt" | sed 's/^/bench /'
        [ $crc -eq 0 ] || rc=1
    else
        echo "bench antfarm-compare n=$N verdict=fail reason=boot"
        rc=1
    fi
fi

# (b) overhead on the page-touch microbenchmark: antfarm=on against antfarm=off
touch_cycles() {    # LOG: the median of the touch runs' guest-TSC cycles, and of their us
    python3 - "$1" <<'PY'
import re, statistics, sys
cyc, us = [], []
for line in open(sys.argv[1], errors="replace"):
    if "wl ev=end mode=touch" in line:
        d = dict(w.split("=", 1) for w in line.split() if "=" in w)
        cyc.append(int(d["tsc_cycles"])); us.append(int(d["us"]))
hz = None
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"tsc hz=(\d+)", line)
    if m: hz = int(m.group(1)); break
if not cyc or not hz:
    print("none none none"); sys.exit(0)
print(statistics.median(cyc), hz, statistics.median(us))
PY
}
if [ "$SKIP" != overhead ]; then
    acts=$(for _ in $(seq "$ROUNDS"); do printf 'touch:%s:%s,' "$MB" "$REPS"; done)
    acts=${acts%,}
    ok=1
    boot touch-on "antfarm=on" "wl=$acts" || ok=0
    boot touch-off "antfarm=off" "wl=$acts" || ok=0
    if [ $ok = 1 ]; then
        read -r con hz uon < <(touch_cycles "$LOGDIR/antfarm-touch-on.log")
        read -r coff _ uoff < <(touch_cycles "$LOGDIR/antfarm-touch-off.log")
        if [ "$con" = none ] || [ "$coff" = none ]; then
            echo "bench antfarm-overhead mb=$MB reps=$REPS verdict=fail reason=no-touch-figures"
            rc=1
        else
            python3 - "$con" "$coff" "$hz" "$uon" "$uoff" "$MB" "$REPS" "$ROUNDS" <<'PY'
import sys
con, coff, hz, uon, uoff = (float(x) for x in sys.argv[1:6])
mb, reps, rounds = sys.argv[6:9]
on_ms, off_ms = con / hz * 1e3, coff / hz * 1e3
print("bench antfarm-overhead mb=%s reps=%s rounds=%s on_ms=%.1f off_ms=%.1f ratio=%.3f "
      "on_us_per_rep=%.0f off_us_per_rep=%.0f guest_us_on=%.0f guest_us_off=%.0f tsc_hz=%d"
      % (mb, reps, rounds, on_ms, off_ms, con / coff, on_ms * 1e3 / int(reps),
         off_ms * 1e3 / int(reps), uon, uoff, hz))
PY
        fi
        grep -h 'antfarm vm=0 ev=summary' "$LOGDIR/antfarm-touch-on.log" | tail -n 1 | sed 's/^/# touch-on /'
    else
        echo "bench antfarm-overhead mb=$MB reps=$REPS verdict=fail reason=boot"
        rc=1
    fi
fi
exit $rc
