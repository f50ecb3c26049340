#!/usr/bin/env bash
# 31-guests-bochs.sh — the test guests under myrmex in Bochs on an AMD model with SVM,
# next-RIP and flush-by-ASID (zambezi), all in one boot; judged from the serial log.
source tests/lib.sh
G=build/tests/guests
iso=build/tests/guests-bochs.iso
log=$LOGDIR/guests-bochs.log
mem="vm0.mem=32M vm1.mem=32M vm2.mem=32M vm3.mem=32M vm4.mem=32M vm5.mem=32M"
if ! mkiso "$iso" "exitport=bochs $mem" "$G/cpu.elf mem=32" "$G/mmu.elf" "$G/ptwrite.elf" \
        "$G/irq.elf" "$G/triplefault.elf" "$G/taskswitch.elf"; then
    fail bochs-guests "grub-mkrescue failed"
    exit 0
fi
bochs_run "$iso" "$log" 900 zambezi
if ! log_has "$log" 'cpu svm=yes .*next-rip-save=yes.*flush-by-asid=yes'; then
    fail bochs-cpu "zambezi did not report next-RIP and flush-by-ASID" "$log"
fi
i=0
for g in cpu mmu ptwrite irq; do
    if log_has "$log" "^vm$i\| RESULT pass=[1-9][0-9]* fail=0" && ! log_has "$log" "^vm$i\| (FAIL|SKIP) " &&
       log_has "$log" "vm=$i stop reason=exit-port code=0"; then pass "bochs-guest-$g"
    else fail "bochs-guest-$g" "vm$i" "$log"; fi
    i=$((i + 1))
done
# Bochs raises the TASK_SWITCH intercept: the VMM's own switch path, with the same checks.
if log_has "$log" "^vm5\| RESULT pass=[1-9][0-9]* fail=0" && ! log_has "$log" "^vm5\| (FAIL|SKIP) " &&
   log_has "$log" "vm=5 stop reason=exit-port code=0"; then pass bochs-guest-taskswitch
else fail bochs-guest-taskswitch "vm5" "$log"; fi
if log_has "$log" 'vm=4 stop reason=triple-fault' && [ "$(vmm_status "$log")" = 0 ]; then
    pass bochs-guest-triplefault
else fail bochs-guest-triplefault "vmm status=$(vmm_status "$log")" "$log"; fi
