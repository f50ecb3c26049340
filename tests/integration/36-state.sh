#!/usr/bin/env bash
# 36-state.sh — what one VM leaves behind or does to the run must not reach the next VM:
# x87/SSE and debug registers (leak.elf), a PIT interrupt storm (pitstorm.elf), a halt that
# nothing can wake (haltmasked.elf). Each hostile VM is followed by a good one.
source tests/lib.sh
G=build/tests/guests

# guest_ok LOG VM: that VM printed RESULT with fail=0 and no FAIL line.
guest_ok() {
    log_has "$1" "^vm$2\| RESULT pass=[1-9][0-9]* fail=0" && ! log_has "$1" "^vm$2\| FAIL "
}

run_mods() {   # LOG TIMEOUT MODULES
    qemu_run "$1" "$2" -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" -initrd "$3"
}

# A fresh VM starts from the power-up FPU/SSE/DR state, whatever the VM before it loaded.
log=$LOGDIR/state-leak.log
run_mods "$log" 60 "$G/leak.elf dirty,$G/leak.elf"
if [ "$STATUS" = 0 ] && guest_ok "$log" 0 && guest_ok "$log" 1 &&
   log_has "$log" 'vm1\| PASS leak_x87_reset' && log_has "$log" 'vm1\| PASS leak_dr0_3_zero'; then
    pass state-fpu-dr-no-leak
else fail state-fpu-dr-no-leak "status=$STATUS" "$log"; fi

# The PIT at count 2 and 1: the guest still makes progress and ends; the next VM runs.
log=$LOGDIR/state-pitstorm.log
run_mods "$log" 90 "$G/pitstorm.elf,$G/cpu.elf mem=128"
if [ "$STATUS" = 0 ] && guest_ok "$log" 0 && log_has "$log" 'vm=0 stop reason=exit-port code=0' &&
   guest_ok "$log" 1; then
    pass state-pit-storm
else fail state-pit-storm "status=$STATUS" "$log"; fi

# sti; hlt with every line masked (power-on PIC; programmed PIC with only the cascade
# open): the VM is stopped, the VMs after it run.
log=$LOGDIR/state-haltmasked.log
run_mods "$log" 60 "$G/haltmasked.elf,$G/haltmasked.elf cascade,$G/cpu.elf mem=128"
if [ "$STATUS" = 0 ] &&
   log_has "$log" 'vm=0 halted with every interrupt source masked: nothing can wake it' &&
   log_has "$log" 'vm=0 stop reason=halt-masked code=0' && log_has "$log" 'vm=1 stop reason=halt-masked code=0' &&
   ! log_has "$log" '^vm[01]\| FAIL ' && guest_ok "$log" 2; then
    pass state-halt-masked
else fail state-halt-masked "status=$STATUS" "$log"; fi
