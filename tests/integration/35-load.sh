#!/usr/bin/env bash
# 35-load.sh — bad boot inputs and guest placement under myrmex in QEMU TCG: out-of-range
# or cut command lines are boot errors, freed guest RAM comes back for a later big VM, and
# a multiboot guest linked at 0x8000 (over the usual info area) runs.
source tests/lib.sh
G=build/tests/guests
for f in build/myrmex.elf $G/cpu.elf $G/mmu.elf; do
    [ -f "$f" ] || { fail load "$f is missing (make all test-guests)"; exit 0; }
done

# guest_ok LOG VM: that VM printed RESULT with fail=0, no FAIL and no SKIP lines.
guest_ok() {
    log_has "$1" "^vm$2\| RESULT pass=[1-9][0-9]* fail=0" && ! log_has "$1" "^vm$2\| (FAIL|SKIP) "
}

# Guest RAM of 0 or of a size that wraps is a command-line error (it was 4M and a wrap to 0).
for mem in 0 18446744073709551615 4G; do
    log=$LOGDIR/load-mem-$mem.log
    qemu_run "$log" 60 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4 vm0.mem=$mem" \
        -initrd "$G/cpu.elf"
    if [ "$STATUS" = 2 ] && log_has "$log" "cmdline: option 'vm0.mem': value [0-9]+ is out of range" &&
       ! log_has "$log" 'vm=0 create'; then pass "load-mem-$mem"
    else fail "load-mem-$mem" "status=$STATUS" "$log"; fi
done

# A command line longer than 1023 bytes is refused, not cut (vm0.mem=64M became mem=4M).
long="exitport=0xf4 log=info$(printf ' log=info%.0s' $(seq 1 110)) vm0.mem=64M"
log=$LOGDIR/load-long-cmdline.log
qemu_run "$log" 60 -cpu qemu64,+svm -kernel build/myrmex.elf -append "$long" -initrd "$G/cpu.elf"
if [ "$STATUS" = 2 ] && log_has "$log" 'cmdline: the boot command line is longer than 1023 bytes'; then
    pass load-long-cmdline
else fail load-long-cmdline "status=$STATUS (line of ${#long} bytes)" "$log"; fi

# Freed guest RAM comes back: a big VM, small ones, then a big one again in 512 MiB (the
# heap now lives at the top of memory, away from the contiguous guest RAM at the bottom).
log=$LOGDIR/load-mem-reuse.log
qemu_run "$log" 240 -cpu qemu64,+svm -kernel build/myrmex.elf \
    -append "exitport=0xf4 vm0.mem=384M vm1.mem=32M vm2.mem=32M vm3.mem=384M" \
    -initrd "$G/mmu.elf,$G/mmu.elf,$G/mmu.elf,$G/mmu.elf"
if [ "$STATUS" = 0 ] && log_has "$log" 'vm=3 create mem=384M' && guest_ok "$log" 3 &&
   log_has "$log" 'vm=3 stop reason=exit-port code=0'; then pass load-mem-reuse
else fail load-mem-reuse "status=$STATUS" "$log"; fi

# The mmu guest linked at 0x8000, where the multiboot info area used to be: the loader
# puts the info after the image. (The cpu guest cannot move: its string-I/O test builds a
# segment base below its buffer.)
low=$LOGDIR/mmu-at-0x8000.elf
sed 's/\. = 0x100000;/. = 0x8000;/' tests/guests/lib/guest.ld >"$LOGDIR/guest-0x8000.ld"
ld -m elf_i386 -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
    -T "$LOGDIR/guest-0x8000.ld" -o "$low" $G/obj/mmu/*.o $G/obj/lib/*.o
log=$LOGDIR/load-link-0x8000.log
qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" \
    -initrd "$low"
if [ "$STATUS" = 0 ] && guest_ok "$log" 0 && log_has "$log" 'vm=0 multiboot entry=0x[89a-f][0-9a-f]{3} .*image=0x8000-' &&
   log_has "$log" 'vm=0 stop reason=exit-port code=0'; then pass load-link-0x8000
else fail load-link-0x8000 "status=$STATUS" "$log"; fi
