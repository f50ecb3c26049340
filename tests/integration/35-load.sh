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

# Boot protocol 2.10 (0x020a): init_size is the footprint the loader keeps free; an
# init_size no RAM holds is refused, not accepted with a page-sized footprint.
O=$G/oldproto
log=$LOGDIR/load-proto20a.log
qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" \
    -initrd "$O/proto20a.bzImage marker=xyz mem_mb=128,$O/initrd.bin"
if [ "$STATUS" = 0 ] && log_has "$log" 'vm=0 linux protocol=2\.0a load=0x100000 .*init_size=0x3000000' &&
   log_has "$log" '^vm0\| RESULT pass=[1-9][0-9]* fail=0' && log_has "$log" 'vm=0 stop reason=exit-port code=0'; then
    pass load-proto20a
else fail load-proto20a "status=$STATUS, want init_size as the footprint and a passing guest" "$log"; fi
log=$LOGDIR/load-proto20a-huge-init.log
qemu_run "$log" 60 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" \
    -initrd "$O/proto20ahuge.bzImage marker=xyz mem_mb=128,$O/initrd.bin"
if [ "$STATUS" = 5 ] && log_has "$log" 'vm=0 linux.*0xfffffff0' && ! log_has "$log" PANIC; then
    pass load-proto20a-huge-init
else fail load-proto20a-huge-init "status=$STATUS, want a refusal naming init_size" "$log"; fi

# Memory comes back after a VM with ~20,000 shadow tables: the heap's blocks no longer pin
# low frames, so a following 384 MiB VM still gets contiguous RAM (it failed on 29f74b8).
log=$LOGDIR/load-memory-back.log
qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4 vm1.mem=384M" \
    -initrd "$G/manypt.elf,$G/mmu.elf"
if [ "$STATUS" = 0 ] && guest_ok "$log" 0 && guest_ok "$log" 1 && log_has "$log" 'vm=1 create mem=384M'; then
    pass load-memory-back
else fail load-memory-back "status=$STATUS, want both VMs to pass" "$log"; fi

# An ELF multiboot kernel whose only program header is not PT_LOAD: nothing to run.
noload=$LOGDIR/load-noload.elf
python3 - "$noload" <<'PY'
import struct, sys
ehdr = struct.pack('<4s5B7xHHIIIIIHHHHHH', b'\x7fELF', 1, 1, 1, 0, 0, 2, 3, 1, 0x100000, 52, 0, 0,
                   52, 32, 1, 0, 0, 0)
phdr = struct.pack('<8I', 4, 0, 0x100000, 0x100000, 0x100, 0x100, 4, 4)   # PT_NOTE
magic, flags = 0x1badb002, 0
mb = struct.pack('<3I', magic, flags, (-(magic + flags)) & 0xffffffff)
open(sys.argv[1], 'wb').write((ehdr + phdr + mb).ljust(4096, b'\0'))
PY
log=$LOGDIR/load-noload.log
qemu_run "$log" 60 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" -initrd "$noload"
if [ "$STATUS" = 5 ] && log_has "$log" 'vm=0 .*no loadable segment' && ! log_has "$log" PANIC; then
    pass load-elf-no-segment
else fail load-elf-no-segment "status=$STATUS, want a refusal" "$log"; fi

# An initrd above the kernel's initrd_addr_max (2.03: 64 MiB) cannot be placed: say why.
big=$LOGDIR/load-initrd-68m.bin
truncate -s 68M "$big"
log=$LOGDIR/load-initrd-too-big.log
qemu_run "$log" 60 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" \
    -initrd "$O/proto203.bzImage marker=xyz mem_mb=128,$big"
rm -f "$big"
if [ "$STATUS" = 5 ] && log_has "$log" 'vm=0 .*initrd.*71303168' && ! log_has "$log" PANIC; then
    pass load-initrd-too-big
else fail load-initrd-too-big "status=$STATUS, want a refusal naming the initrd's size" "$log"; fi
