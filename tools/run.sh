#!/usr/bin/env bash
# run.sh — `make run`: boot myrmex in QEMU (TCG, AMD SVM) with the serial console here.
# With a default guest built (build/guest/bzImage), it boots that guest; otherwise the VMM
# alone. Extra VMM options: MYRMEX_ARGS="log=debug ..." make run
set -eu
cd "$(dirname "$0")/.."
args="exitport=0xf4 ${MYRMEX_ARGS:-}"
mods=()
if [ -f build/guest/bzImage ] && [ -f build/guest/initrd.img ]; then
    mods=(-initrd "build/guest/bzImage ${GUEST_ARGS:-console=ttyS0},build/guest/initrd.img")
fi
exec qemu-system-x86_64 -accel tcg -cpu qemu64,+svm -m 512 -kernel build/myrmex.elf \
    -append "$args" "${mods[@]}" -serial stdio -display none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=4
