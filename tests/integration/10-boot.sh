#!/usr/bin/env bash
# 10-boot.sh — the VMM image under QEMU -kernel: self tests, bad command line, no SVM,
# an exception inside the VMM.
source tests/lib.sh
K="-kernel build/myrmex.elf"

log=$LOGDIR/selftest.log
qemu_run "$log" 60 -cpu qemu64,+svm $K -append "selftest exitport=0xf4"
if [ "$STATUS" = 0 ] && log_has "$log" 'selftest: [0-9]+ passed, 0 failed' &&
   log_has "$log" 'cpu svm=yes .*next-rip-save=' && log_has "$log" 'myrmex: exit status=0'; then
    pass selftest
else fail selftest "status=$STATUS" "$log"; fi

log=$LOGDIR/bad-cmdline.log
qemu_run "$log" 30 -cpu qemu64,+svm $K -append "bogus=1 exitport=0xf4"
if [ "$STATUS" = 2 ] && log_has "$log" "unknown option 'bogus'"; then pass bad-cmdline
else fail bad-cmdline "status=$STATUS" "$log"; fi

log=$LOGDIR/bad-value.log
qemu_run "$log" 30 -cpu qemu64,+svm $K -append "exitport=0xf4 vm0.mem=lots"
if [ "$STATUS" = 2 ] && log_has "$log" "option 'vm0.mem': bad value 'lots'"; then pass bad-value
else fail bad-value "status=$STATUS" "$log"; fi

# QEMU 7.2's qemu64 model carries SVM; take it away explicitly.
log=$LOGDIR/no-svm.log
qemu_run "$log" 30 -cpu qemu64,-svm $K -append "exitport=0xf4"
if [ "$STATUS" = 3 ] && log_has "$log" 'guests cannot run' && log_has "$log" 'exit status=3'; then
    pass no-svm
else fail no-svm "status=$STATUS" "$log"; fi

for kind in ud pf gp; do
    log=$LOGDIR/crash-$kind.log
    qemu_run "$log" 30 -cpu qemu64,+svm $K -append "crash=$kind exitport=0xf4"
    if [ "$STATUS" = 4 ] && log_has "$log" 'dump vector=[0-9]+ error=0x[0-9a-f]+ rip=0x[0-9a-f]+ .*cr2=' &&
       log_has "$log" 'dump rax=' && log_has "$log" 'PANIC'; then pass crash-$kind
    else fail crash-$kind "status=$STATUS" "$log"; fi
done
