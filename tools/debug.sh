#!/usr/bin/env bash
# debug.sh — `make debug`: start QEMU halted with a gdb stub on :1234, then attach gdb
# with tools/gdbinit (symbols from build/myrmex64.elf). Set NOGDB=1 to start QEMU only.
set -eu
cd "$(dirname "$0")/.."
qemu-system-x86_64 -accel tcg -cpu qemu64,+svm -m 512 -kernel build/myrmex.elf \
    -append "${MYRMEX_ARGS:-}" -serial file:build/debug-serial.log -display none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -s -S &
echo "QEMU waits for gdb on localhost:1234; serial log: build/debug-serial.log"
[ -n "${NOGDB:-}" ] && wait && exit 0
exec gdb -q -x tools/gdbinit
