#!/usr/bin/env bash
# run.sh — `make run`: boot myrmex in QEMU (TCG, AMD SVM) with the serial console here.
# With the default guest built (build/guest/bzImage), myrmex boots it; otherwise the VMM
# alone. Extra options: MYRMEX_ARGS="log=debug antfarm.switch=on" GUEST_ARGS="wl=fork:10"
# (a comma inside GUEST_ARGS is fine: it is doubled for QEMU's -initrd).
set -eu
cd "$(dirname "$0")/.."
args="exitport=0xf4 ${MYRMEX_ARGS:-}"
guest="console=ttyS0 noapic nolapic cryptomgr.notests noisapnp ${GUEST_ARGS:-}"
mods=()
if [ -f build/guest/bzImage ] && [ -f build/guest/initrd.img ]; then
    mods=(-initrd "build/guest/bzImage ${guest//,/,,},build/guest/initrd.img")
fi
rc=0
qemu-system-x86_64 -accel tcg -cpu qemu64,+svm -m 512 -kernel build/myrmex.elf \
    -append "$args" "${mods[@]}" -serial stdio -display none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=4 || rc=$?
# isa-debug-exit makes QEMU exit with (status << 1) | 1: hand back myrmex's own status.
[ $((rc & 1)) -eq 1 ] && exit $((rc >> 1))
exit "$rc"
