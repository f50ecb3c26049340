#!/usr/bin/env bash
# guest-native.sh — boot the default guest straight under QEMU (no VMM) and time it.
#
#   tools/guest-native.sh [KERNEL ARGS...]
#   env: CPU (default pentium3), MEM (MiB, default 128), QEMU (qemu-system-i386),
#        LOG (default build/guest/native.log), TIMEOUT (seconds, default 300)
#
# Prints the console, then one line:
#   guest-native cpu=C mem=M init_s=S done_s=S total_s=S status=ok|fail|timeout
# init_s: host seconds from QEMU start to the init script's first line; done_s: to the
# "=== myrmex guest done" marker; total_s: until QEMU exited (-no-reboot: at the reset).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
G=$ROOT/build/guest
CPU=${CPU:-pentium3}; MEM=${MEM:-128}; QEMU=${QEMU:-qemu-system-i386}
LOG=${LOG:-$G/native.log}; TIMEOUT=${TIMEOUT:-300}
BASE="console=ttyS0 noapic nolapic cryptomgr.notests noisapnp"
APPEND="$BASE $*"
echo "guest-native: $QEMU -cpu $CPU -m $MEM -append \"$APPEND\"" >&2
exec python3 - "$QEMU" "$CPU" "$MEM" "$G" "$APPEND" "$LOG" "$TIMEOUT" <<'PY'
import subprocess, sys, time
qemu, cpu, mem, g, append, log, timeout = sys.argv[1:]
cmd = [qemu, "-cpu", cpu, "-m", mem, "-kernel", g + "/bzImage", "-initrd", g + "/initrd.img",
       "-append", append, "-serial", "stdio", "-display", "none", "-no-reboot",
       "-monitor", "none"]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
init_s = done_s = None; status = "fail"
with open(log, "w") as f:
    for raw in p.stdout:
        now = time.monotonic() - t0
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        f.write("%9.3f %s\n" % (now, line))
        print(line, flush=True)
        if init_s is None and line.startswith("wlinit ev=start"): init_s = now
        if line.startswith("=== myrmex guest done"):
            done_s = now; status = "ok" if "status=ok" in line else "fail"
        if now > float(timeout): status = "timeout"; p.kill(); break
p.wait()
total = time.monotonic() - t0
fmt = lambda v: "-" if v is None else "%.3f" % v
print("guest-native cpu=%s mem=%s init_s=%s done_s=%s total_s=%.3f status=%s"
      % (cpu, mem, fmt(init_s), fmt(done_s), total, status))
sys.exit(0 if status == "ok" else 1)
PY
