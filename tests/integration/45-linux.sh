#!/usr/bin/env bash
# 45-linux.sh — Debian's Linux 6.1 686 with the default initrd under myrmex in QEMU TCG
# (-cpu qemu64,+svm): the workload runs (fork, fork+exec, vfork+exec, N=100 each), the
# guest prints its uptime, asks for a reset, and the run ends with success; the guest's
# clock agrees with the VMM's (the guest TSC) within 2%. Also with vm0.mem=64M and 512M.
# The 128M boot traces the workload (wl.trace=1) so 50-antfarm.sh compares the same boot.
# The guest finds the ACPI tables: its boot log (where not quiet) shows the PM timer and a
# clocksource it ends on (reported); a guest `poweroff` ends the VM with reason poweroff.
source tests/lib.sh
GARGS="console=ttyS0 noapic nolapic cryptomgr.notests noisapnp"
WL="wl=fork:100,,forkexec:100,,vforkexec:100"      # QEMU -initrd: ",," is a literal comma

if [ ! -f build/guest/bzImage ] || [ ! -f build/guest/initrd.img ]; then
    make -s guest >"$LOGDIR/make-guest.log" 2>&1 || { fail linux-guest-image "make guest failed" "$LOGDIR/make-guest.log"; exit 0; }
fi

# clock_check LOG: the guest's gettimeofday against its TSC (the VMM's clock for the VM)
# from the first workload's begin to the last one's end.
clock_check() {
    python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
hz = float(re.search(r"tsc hz=(\d+)", text).group(1))
ev = re.findall(r"wl ev=(begin|end) .*?tsc=(\d+) t=(\d+)\.(\d+)", text)
first = [e for e in ev if e[0] == "begin"][0]
last = [e for e in ev if e[0] == "end"][-1]
t = lambda e: int(e[2]) + int(e[3]) / 1e6
guest = t(last) - t(first)
vmm = (int(last[1]) - int(first[1])) / hz
ratio = guest / vmm
print(f"clock guest={guest:.6f}s vmm={vmm:.6f}s ratio={ratio:.4f}")
sys.exit(0 if abs(ratio - 1) < 0.02 else 1)
PY
}

boot() {   # NAME QEMU-MEM VMM-ARGS GUEST-ARGS [STOP-REASON]
    local name=$1 qmem=$2 vmm=$3 gargs=$4 stop=${5:-reset} log=$LOGDIR/$1.log
    QEMU_BASE="-accel tcg -m $qmem -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4" \
        qemu_run "$log" 600 -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4 $vmm" \
        -initrd "build/guest/bzImage $GARGS $gargs,build/guest/initrd.img"
    local why=""
    [ "$STATUS" = 0 ] || why="status=$STATUS"
    log_has "$log" 'vm0\| wlinit ev=action name=vforkexec:100 rc=0' || why="$why workload"
    log_has "$log" 'vm0\| wlinit ev=uptime up=' || why="$why uptime"
    log_has "$log" 'vm0\| === myrmex guest done: status=ok' || why="$why done-marker"
    log_has "$log" "vm=0 stop reason=$stop code=0" || why="$why $stop"
    case " $gargs " in
    *" quiet "*) ;;
    *)  log_has "$log" 'vm0\| .*ACPI: PM-Timer IO Port: 0x608' || why="$why acpi-pm-timer"
        # Reported, not asserted: under a loaded TCG host Linux may find the PM timer's
        # rate off by more than its 5% and stay on pit (issue 9 tracks guest time).
        echo "# $name clocksource=$(grep -Eo 'Switched to clocksource [a-z_0-9]+' "$log" |
            tail -n 1 | awk '{print $4}')" ;;
    esac
    # The power-off boot checks the ACPI path only: its clock is the other boots' job.
    if [ -z "$why" ] && [ "$stop" = reset ]; then
        if c=$(clock_check "$log"); then echo "# $name $c"; else why="clock: $c"; fi
    fi
    if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why" "$log"; fi
}

# quiet: no kernel message splices into the middle of the trace dump's console lines.
boot linux-128m 512 "antfarm.switch=on" "$WL wl.trace=1 quiet"
boot linux-64m 512 "vm0.mem=64M" "$WL"
boot linux-512m 1024 "vm0.mem=512M" "$WL"
boot linux-poweroff 512 "vm0.mem=64M" "$WL wl.end=poweroff" poweroff
