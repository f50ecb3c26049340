#!/usr/bin/env bash
# run-native.sh — run every test guest natively (no VMM) under qemu-system-i386 and
# qemu-system-x86_64 -cpu qemu64, and judge each run as described in tests/guests/README.md.
#   tests/guests/run-native.sh [NAME...]     (build first: make test-guests)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${TESTGUEST_OUT:-$ROOT/build/tests/guests}
LOGS=$OUT/logs
TIMEOUT=10
mkdir -p "$LOGS"

# The command line each guest gets (cpu.elf checks mem_upper against mem=).
guest_args() {
    case "$1" in
    cpu) echo "mem=128" ;;
    *) echo "" ;;
    esac
}

# Judge one log: echo "ok" or a reason. $1 guest, $2 QEMU exit status, $3 log.
judge() {
    local name=$1 rc=$2 log=$3
    case "$name" in
    triplefault)
        grep -q '^INFO triplefault: loading' "$log" || { echo "never reached the fault"; return; }
        grep -q '^RESULT' "$log" && { echo "survived the triple fault"; return; }
        [ "$rc" -eq 0 ] || { echo "QEMU status $rc (want 0: reset with -no-reboot)"; return; }
        echo ok ;;
    *)
        grep -q '^RESULT pass=[0-9]* fail=0$' "$log" || { echo "no clean RESULT line"; return; }
        grep -q '^FAIL' "$log" && { echo "FAIL lines"; return; }
        [ "$rc" -eq 1 ] || { echo "QEMU status $rc (want 1: guest exit code 0)"; return; }
        echo ok ;;
    esac
}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in "$OUT"/*.elf; do names+=("$(basename "$f" .elf)"); done
fi
bad=0
for name in "${names[@]}"; do
    for qemu in "qemu-system-i386" "qemu-system-x86_64 -cpu qemu64"; do
        tag=$(echo "$qemu" | awk '{print $1}' | sed 's/qemu-system-//')
        log=$LOGS/$name.$tag.log
        start=$(date +%s%N)
        timeout $TIMEOUT $qemu -kernel "$OUT/$name.elf" -append "$(guest_args "$name")" -serial stdio \
            -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 >"$log" 2>&1 </dev/null
        rc=$?
        ms=$(( ($(date +%s%N) - start) / 1000000 ))
        verdict=$(judge "$name" "$rc" "$log")
        summary=$(grep '^RESULT' "$log" || echo "-")
        printf '%-12s %-7s %5d ms  %-28s %s\n' "$name" "$tag" "$ms" "$summary" "$verdict"
        [ "$verdict" = ok ] || { bad=1; grep '^FAIL' "$log" | sed 's/^/    /'; }
    done
done
exit $bad
