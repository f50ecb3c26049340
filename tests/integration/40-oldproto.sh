#!/usr/bin/env bash
# 40-oldproto.sh — the synthetic old-protocol bzImage kernels (boot protocol 2.00, 2.02,
# 2.03; tests/guests/oldproto/) under myrmex in QEMU TCG with -cpu qemu64,+svm: each is
# entered through the 32-bit boot protocol by myrmex's Linux loader and checks what Linux
# 2.4/2.6 rely on (zero page at 0x90000, GDT 0x10/0x18, e820/ALT_MEM_K/EXT_MEM_K,
# screen_info and VGA, command line, initrd placement, A20, BIOS areas, RTC UIP, IDE probe).
source tests/lib.sh
G=build/tests/guests/oldproto
INITRD=$G/initrd.bin

# guest_ok LOG VM: that VM printed RESULT with fail=0, no FAIL and no SKIP lines.
guest_ok() {
    log_has "$1" "^vm$2\| RESULT pass=[1-9][0-9]* fail=0" && ! log_has "$1" "^vm$2\| (FAIL|SKIP) "
}

# why LOG VM: a short reason for a failed run.
why() {
    local f
    if [ "$STATUS" = 124 ]; then echo "timeout (status=124)"; return; fi
    f=$(grep -E "^vm$2\| FAIL " "$1" | head -n 3 | sed "s/^vm$2| //" | tr '\n' ';')
    if [ -n "$f" ]; then echo "status=$STATUS: $f"; return; fi
    log_has "$1" "^vm$2\| RESULT" || { echo "status=$STATUS: no RESULT line from vm$2"; return; }
    echo "status=$STATUS"
}

for f in build/myrmex.elf $INITRD $G/proto200.bzImage $G/proto202.bzImage $G/proto203.bzImage; do
    [ -f "$f" ] || { fail oldproto "$f is missing (make all test-oldproto)"; exit 0; }
done

# One kernel, with the test initrd as its next module, in the default 128 MiB VM.
for name in proto200 proto202 proto203; do
    log=$LOGDIR/oldproto-$name.log
    qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" \
        -initrd "$G/$name.bzImage marker=xyz mem_mb=128,$INITRD"
    if [ "$STATUS" = 0 ] && guest_ok "$log" 0 && log_has "$log" 'vm=0 stop reason=exit-port code=0'; then
        pass "oldproto-$name"
    else fail "oldproto-$name" "$(why "$log" 0)" "$log"; fi
done

# More RAM: EXT_MEM_K's 16-bit cap, ALT_MEM_K and the e820 map follow vm0.mem; the 2.03
# kernel's initrd_addr_max (64 MiB) keeps its initrd low although RAM goes to 256 MiB.
for name in proto202 proto203; do
    log=$LOGDIR/oldproto-$name-256m.log
    qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4 vm0.mem=256M" \
        -initrd "$G/$name.bzImage marker=xyz mem_mb=256,$INITRD"
    if [ "$STATUS" = 0 ] && guest_ok "$log" 0 && log_has "$log" 'vm=0 stop reason=exit-port code=0'; then
        pass "oldproto-$name-256m"
    else fail "oldproto-$name-256m" "$(why "$log" 0)" "$log"; fi
done

# Two old kernels in one boot, each followed by its initrd: each VM gets its own.
log=$LOGDIR/oldproto-several.log
qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" \
    -initrd "$G/proto200.bzImage marker=xyz mem_mb=128,$INITRD,$G/proto203.bzImage marker=xyz mem_mb=128,$INITRD"
if [ "$STATUS" = 0 ] && guest_ok "$log" 0 && guest_ok "$log" 1 &&
   log_has "$log" 'vm=0 stop reason=exit-port code=0' && log_has "$log" 'vm=1 stop reason=exit-port code=0'; then
    pass oldproto-several
else fail oldproto-several "$(why "$log" 0) / vm1 $(why "$log" 1)" "$log"; fi
