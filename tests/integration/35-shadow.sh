#!/usr/bin/env bash
# 35-shadow.sh — shadow memory exhaustion by CR3 thrash (issue 8, item 3): a guest whose
# address spaces need far more shadow tables than its VM's budget runs to the end through
# recycling of that VM's own shadows, and the VM after it in the same boot is unaffected.
#   ok shadow-storm           256M: many spaces (roots recycled), then 32M: one space
#                             bigger than the budget (the loaded root's tables recycled),
#                             then ptwrite.elf; no panic, all pass, exit status 0
#   ok shadow-storm-untracked the same with antfarm=off (non-eager tracking)
#   ok shadow-tracking-bound  32M with 20 fully linked directories: the tracked links pass
#                             their bound (2 per guest page), that VM alone stops with
#                             shadow-exhausted, ptwrite.elf after it passes
source tests/lib.sh
G=build/tests/guests

# storm_ok LOG VM: guest VM passed through recycling, with a bounded number of pass lines.
storm_ok() {
    local log=$1 n=$2
    log_has "$log" "^vm$n\| RESULT pass=[1-9][0-9]* fail=0" && ! log_has "$log" "^vm$n\| FAIL " &&
        log_has "$log" "vm=$n stop reason=exit-port code=0" &&
        log_has "$log" "vm=$n shadow budget=[0-9]+ used=[0-9]+ peak=[0-9]+ recycled=[1-9]" &&
        [ "$(grep -c "vm=$n shadow recycle passes=" "$log")" -le 20 ]
}

# clean LOG: no panic, no exhaustion, shadow accounting back to zero, VMM status 0.
clean() {
    ! log_has "$1" 'PANIC' && ! log_has "$1" 'shadow memory exhausted' &&
        ! log_has "$1" 'shadow accounting off' && log_has "$1" 'myrmex: exit status=0'
}

log=$LOGDIR/shadow-storm.log
qemu_run "$log" 180 -cpu qemu64,+svm -kernel build/myrmex.elf \
    -append "exitport=0xf4 vm0.mem=256M vm1.mem=32M" \
    -initrd "$G/shadowstorm.elf,$G/shadowstorm.elf,$G/ptwrite.elf"
if [ "$STATUS" = 0 ] && clean "$log" && storm_ok "$log" 0 && storm_ok "$log" 1 &&
   log_has "$log" '^vm2\| RESULT pass=[1-9][0-9]* fail=0' && ! log_has "$log" '^vm2\| FAIL ' &&
   log_has "$log" 'vm=2 stop reason=exit-port code=0'; then
    pass shadow-storm
else fail shadow-storm "status=$STATUS" "$log"; fi

# Without antfarm a recycled root's directory stops being tracked; fewer tables suffice.
log=$LOGDIR/shadow-storm-untracked.log
qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf \
    -append "exitport=0xf4 antfarm=off vm0.mem=256M vm1.mem=32M" \
    -initrd "$G/shadowstorm.elf pts=6144 tracked=0,$G/shadowstorm.elf tracked=0,$G/ptwrite.elf"
if [ "$STATUS" = 0 ] && clean "$log" && storm_ok "$log" 0 && storm_ok "$log" 1 &&
   log_has "$log" '^vm2\| RESULT pass=[1-9][0-9]* fail=0' && ! log_has "$log" '^vm2\| FAIL '; then
    pass shadow-storm-untracked
else fail shadow-storm-untracked "status=$STATUS" "$log"; fi

# Tracking itself is bounded: past it the VM stops alone, with the agreed reason.
log=$LOGDIR/shadow-tracking-bound.log
qemu_run "$log" 120 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4 vm0.mem=32M" \
    -initrd "$G/shadowstorm.elf pds=20,$G/ptwrite.elf"
if [ "$STATUS" = 1 ] && ! log_has "$log" 'PANIC' &&
   log_has "$log" 'vm=0 shadow memory exhausted: budget=[0-9]+ used=[0-9]+ cause=tracking' &&
   log_has "$log" 'vm=0 stop reason=shadow-exhausted code=1' && ! log_has "$log" 'shadow accounting off' &&
   log_has "$log" '^vm1\| RESULT pass=[1-9][0-9]* fail=0' && log_has "$log" 'vm=1 stop reason=exit-port code=0' &&
   log_has "$log" 'myrmex: exit status=1'; then
    pass shadow-tracking-bound
else fail shadow-tracking-bound "status=$STATUS" "$log"; fi
