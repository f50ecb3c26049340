#!/usr/bin/env bash
# 20-grub.sh — myrmex booted by GRUB from an ISO: in QEMU (-cdrom) and in Bochs (AMD, SVM).
source tests/lib.sh
mkdir -p build/tests

iso=build/tests/grub-qemu.iso
log=$LOGDIR/grub-qemu.log
if mkiso "$iso" "exitport=0xf4 log=debug" "build/myrmex.elf dummy-module arg=1"; then
    qemu_run "$log" 90 -cpu qemu64,+svm -cdrom "$iso"
    if [ "$STATUS" = 0 ] && log_has "$log" 'myrmex [0-9.]+: ' && log_has "$log" 'boot loader="GRUB' &&
       log_has "$log" 'module 0 .*cmdline="myrmex.elf dummy-module arg=1"'; then
        pass grub-qemu
    else fail grub-qemu "status=$STATUS" "$log"; fi
else fail grub-qemu "grub-mkrescue failed"; fi

iso=build/tests/grub-bochs.iso
log=$LOGDIR/grub-bochs.log
if mkiso "$iso" "exitport=bochs"; then
    bochs_run "$iso" "$log" 300 zambezi
    if log_has "$log" 'myrmex [0-9.]+: ' && log_has "$log" 'cpu svm=yes' &&
       [ "$(vmm_status "$log")" = 0 ]; then
        pass grub-bochs
    else fail grub-bochs "bochs status=$STATUS vmm status=$(vmm_status "$log")" "$log"; fi
else fail grub-bochs "grub-mkrescue failed"; fi
