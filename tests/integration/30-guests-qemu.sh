#!/usr/bin/env bash
# 30-guests-qemu.sh — every multiboot test guest under myrmex in QEMU TCG with
# -cpu qemu64,+svm (no next-RIP, no decode assists, no flush-by-ASID).
source tests/lib.sh
G=build/tests/guests

# guest_ok LOG NAME: the guest printed RESULT with fail=0, no FAIL and no SKIP lines.
guest_ok() {
    log_has "$1" "^vm[0-9]+\| RESULT pass=[1-9][0-9]* fail=0" && ! log_has "$1" "^vm[0-9]+\| (FAIL|SKIP) "
}

# bounded LOG PATTERN SOURCE: at most 16 PATTERN lines (the VMM's per-source bound), one
# suppression line for SOURCE and its count in the end-of-VM line.
bounded() {
    [ "$(grep -c "$2" "$1")" -le 16 ] &&
    [ "$(grep -c "vm=0 log source=$3 suppressed further lines" "$1")" = 1 ] &&
    log_has "$1" "vm=0 log suppressed .*$3=[1-9]"
}

run_guest() {   # NAME ARGS VMM-ARGS
    local name=$1 args=$2 vmm=$3 log=$LOGDIR/guest-$1.log
    qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4 $vmm" \
        -initrd "$G/$name.elf $args"
}

for g in cpu mmu ptwrite irq taskswitch; do
    args=""; [ $g = cpu ] && args="mem=128"
    run_guest $g "$args" ""
    log=$LOGDIR/guest-$g.log
    if [ "$STATUS" = 0 ] && guest_ok "$log" && log_has "$log" 'vm=0 stop reason=exit-port code=0' &&
       log_has "$log" 'vm=0 exits total='; then pass "guest-$g"
    else fail "guest-$g" "status=$STATUS" "$log"; fi
done

# 64 distinct unknown MSRs: at most 16 lines, then one "log full" line.
log=$LOGDIR/guest-cpu.log
if [ "$(grep -c 'vm=0 msr unknown' "$log")" -le 16 ] &&
   [ "$(grep -c 'vm=0 unknown msr log full: further unknown msrs not logged' "$log")" = 1 ]; then
    pass guest-msr-log-bound
else fail guest-msr-log-bound "msr lines=$(grep -c 'msr unknown' "$log")" "$log"; fi

# cpu.elf reads every port and moves a BAR onto COM1 1000 times: each log source prints
# at most 16 lines, one suppression line, and the count at the VM's end.
if bounded "$log" 'vm=0 io unhandled' io-unhandled && bounded "$log" 'vm=0 io register conflict' io-register &&
   log_has "$log" 'vm0\| PASS port_sweep_in_byte' && log_has "$log" 'vm0\| PASS pci_bar_clash_loop'; then
    pass guest-log-bounds
else fail guest-log-bounds "io unhandled=$(grep -c 'io unhandled' "$log") conflicts=$(grep -c 'io register conflict' "$log")" "$log"; fi

# Guest RAM size follows vm0.mem, and the multiboot info says so.
qemu_run "$LOGDIR/guest-cpu-64m.log" 60 -cpu qemu64,+svm -kernel build/myrmex.elf \
    -append "exitport=0xf4 vm0.mem=64M" -initrd "$G/cpu.elf mem=64"
if [ "$STATUS" = 0 ] && guest_ok "$LOGDIR/guest-cpu-64m.log"; then pass guest-cpu-64m
else fail guest-cpu-64m "status=$STATUS" "$LOGDIR/guest-cpu-64m.log"; fi

# A triple fault stops only that VM; the VMM ends cleanly.
run_guest triplefault "" ""
log=$LOGDIR/guest-triplefault.log
if [ "$STATUS" = 0 ] && log_has "$log" 'vm0\| INFO triplefault' &&
   log_has "$log" 'vm=0 stop reason=triple-fault' && log_has "$log" 'myrmex: exit status=0'; then
    pass guest-triplefault
else fail guest-triplefault "status=$STATUS" "$log"; fi

# Memory beyond RAM: a #PF in the guest, or that VM stops; never host memory.
run_guest beyond_ram "" ""
log=$LOGDIR/guest-beyond_ram.log
if { [ "$STATUS" = 0 ] && guest_ok "$log"; } ||
   { [ "$STATUS" = 1 ] && log_has "$log" 'vm=0 stop reason=bad-gpa' && log_has "$log" 'touching gpa' &&
     log_has "$log" 'myrmex: exit status=1'; }; then pass guest-beyond-ram
else fail guest-beyond-ram "status=$STATUS" "$log"; fi

# Several kernels in one boot run one after another; a triple fault in the middle
# stops only its own VM.
log=$LOGDIR/guest-several.log
qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" \
    -initrd "$G/cpu.elf mem=128,$G/triplefault.elf,$G/ptwrite.elf"
if [ "$STATUS" = 0 ] && log_has "$log" 'vm0\| RESULT pass=[0-9]+ fail=0' &&
   log_has "$log" 'vm=1 stop reason=triple-fault' && log_has "$log" 'vm2\| RESULT pass=[0-9]+ fail=0'; then
    pass guest-several
else fail guest-several "status=$STATUS" "$log"; fi

# A failing guest's code reaches the test runner.
log=$LOGDIR/guest-several-fail.log
qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" \
    -initrd "$G/cpu.elf mem=999,$G/ptwrite.elf"
if [ "$STATUS" = 1 ] && log_has "$log" 'vm0\| FAIL mb_mem_size' && log_has "$log" 'vm=1 stop reason=exit-port code=0'; then
    pass guest-exit-code
else fail guest-exit-code "status=$STATUS" "$log"; fi

# A guest's exit-port code is its own: 4 makes the run failed (1), not the VMM's panic (4).
log=$LOGDIR/guest-exit-4.log
qemu_run "$log" 60 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" \
    -initrd "$G/cpu.elf exit=4"
if [ "$STATUS" = 1 ] && log_has "$log" 'vm=0 stop reason=exit-port code=4' &&
   log_has "$log" 'myrmex: exit status=1 \(failed\)' && ! grep -qi panic "$log"; then
    pass guest-exit-code-4
else fail guest-exit-code-4 "status=$STATUS" "$log"; fi

# ACPI soft-off: cpu.elf poweroff=1 writes \_S5's SLP_TYP with SLP_EN to PM1a_CNT.
log=$LOGDIR/guest-poweroff.log
qemu_run "$log" 60 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" -initrd "$G/cpu.elf poweroff=1"
if [ "$STATUS" = 0 ] && log_has "$log" 'vm=0 stop reason=poweroff code=0' && ! log_has "$log" 'vm0\| FAIL'; then
    pass guest-acpi-poweroff
else fail guest-acpi-poweroff "status=$STATUS" "$log"; fi

# vmN.onreset=restart boots the VM afresh after a reset; maxrestarts bounds it.
log=$LOGDIR/guest-restart.log
qemu_run "$log" 60 -cpu qemu64,+svm -kernel build/myrmex.elf \
    -append "exitport=0xf4 vm0.onreset=restart vm0.maxrestarts=2" -initrd "$G/triplefault.elf"
if [ "$STATUS" = 0 ] && [ "$(grep -c 'vm=0 stop reason=triple-fault' "$log")" = 3 ] &&
   log_has "$log" 'vm=0 restart count=2' && log_has "$log" 'maxrestarts=2 reached'; then
    pass guest-onreset-restart
else fail guest-onreset-restart "status=$STATUS" "$log"; fi

# antfarm=off: no bookkeeping, no antfarm lines; the shadow MMU tracks only what it shadows.
for g in mmu ptwrite; do
    log=$LOGDIR/guest-$g-antfarm-off.log
    qemu_run "$log" 60 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4 antfarm=off" \
        -initrd "$G/$g.elf"
    if [ "$STATUS" = 0 ] && guest_ok "$log" && ! log_has "$log" 'antfarm vm='; then pass "guest-$g-antfarm-off"
    else fail "guest-$g-antfarm-off" "status=$STATUS" "$log"; fi
done
