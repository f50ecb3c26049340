#!/usr/bin/env bash
# 46-linux-bochs.sh — the default Linux guest under myrmex in Bochs (zambezi: next-RIP and
# flush-by-ASID, like real AMD parts), booted by GRUB: fork:20, then a reset; judged from
# the serial log (Bochs's own exit status is always the same).
source tests/lib.sh
iso=build/tests/linux-bochs.iso
log=$LOGDIR/linux-bochs.log
args="console=ttyS0 noapic nolapic cryptomgr.notests noisapnp quiet wl=fork:20"
if ! mkiso "$iso" "exitport=bochs" "build/guest/bzImage $args" "build/guest/initrd.img"; then
    fail linux-bochs "grub-mkrescue failed"
    exit 0
fi
bochs_run "$iso" "$log" 1800 zambezi
why=""
log_has "$log" 'cpu svm=yes .*next-rip-save=yes.*flush-by-asid=yes' || why="cpu"
log_has "$log" 'vm0\| wlinit ev=action name=fork:20 rc=0' || why="$why workload"
log_has "$log" 'vm0\| === myrmex guest done: status=ok' || why="$why done-marker"
log_has "$log" 'vm=0 stop reason=reset code=0' || why="$why reset"
[ "$(vmm_status "$log")" = 0 ] || why="$why vmm-status=$(vmm_status "$log")"
if [ -z "$why" ]; then pass linux-bochs; else fail linux-bochs "$why" "$log"; fi
