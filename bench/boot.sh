#!/usr/bin/env bash
# bench/boot.sh — boot time of the default Linux guest straight under QEMU vs under myrmex, one run.
set -u
cd "$(dirname "$0")/.."
TIMEOUT=${BENCH_TIMEOUT:-300}; DIR=${BENCH_DIR:-build/bench}
GARGS="console=ttyS0 noapic nolapic cryptomgr.notests noisapnp wl=none"
mkdir -p "$DIR"
[ -f build/myrmex.elf ] || make -s all || exit 1
[ -f build/guest/bzImage ] && [ -f build/guest/initrd.img ] || make -s guest || exit 1

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

# boot LOG QEMU-ARGS...: sets TO_INIT (s to "Run /init as init process" in LOG, or -) and TOTAL
boot() {
    local log=$1 t0 ti=""; shift
    : >"$log"
    t0=$(now)
    timeout "$TIMEOUT" "$@" -serial "file:$log" -display none -no-reboot </dev/null &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        [ -z "$ti" ] && grep -q "Run /init as init process" "$log" && ti=$(now)
        sleep 0.02
    done
    wait "$pid"; local rc=$?
    TOTAL=$(sub "$(now)" "$t0")
    TO_INIT=-; [ -n "$ti" ] && TO_INIT=$(sub "$ti" "$t0")
    [ "$rc" = 124 ] && echo "bench boot: $log timed out after ${TIMEOUT}s" >&2
    grep -q "myrmex guest done: status=ok" "$log" || echo "bench boot: $log has no 'guest done: status=ok'" >&2
}

boot "$DIR/boot-native.log" qemu-system-i386 -accel tcg -cpu qemu64 -m 512 \
    -kernel build/guest/bzImage -initrd build/guest/initrd.img -append "$GARGS"
N_INIT=$TO_INIT; N_TOTAL=$TOTAL

boot "$DIR/boot-myrmex.log" qemu-system-x86_64 -accel tcg -cpu qemu64,+svm -m 512 \
    -kernel build/myrmex.elf -append "exitport=0xf4" \
    -initrd "build/guest/bzImage ${GARGS//,/,,},build/guest/initrd.img" \
    -device isa-debug-exit,iobase=0xf4,iosize=4
M_INIT=$TO_INIT; M_TOTAL=$TOTAL

RATIO=-
[ "$N_INIT" != - ] && [ "$M_INIT" != - ] && RATIO=$(awk -v a="$M_INIT" -v b="$N_INIT" 'BEGIN { printf "%.2f", a / b }')
echo "bench boot native_to_init_s=$N_INIT myrmex_to_init_s=$M_INIT ratio=$RATIO native_total_s=$N_TOTAL myrmex_total_s=$M_TOTAL"
grep -aoE "vm=0 (exits total=|mmu ).*" "$DIR/boot-myrmex.log" | tr -d '\r' | sed 's/^/bench boot-exits /'
[ "$RATIO" != - ]
