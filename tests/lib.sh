# lib.sh — helpers for integration tests: boot under QEMU or Bochs with a hard timeout,
# judge from the exit status and the serial log, report "ok NAME" / "not ok NAME".
# Sourced by tests/integration/*.sh; run from the repository root.

LOGDIR=${LOGDIR:-build/tests/logs}
mkdir -p "$LOGDIR"
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_BASE="-accel tcg -m 512 -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4"

# pass NAME / fail NAME REASON [LOG]: one result line; a failure shows the log's tail.
pass() { echo "ok $1"; }
fail() {
    echo "not ok $1: $2"
    if [ -n "${3:-}" ] && [ -f "$3" ]; then
        echo "---- last 40 lines of $3 ----"
        tail -n 40 "$3" | sed 's/^/    /'
        echo "----"
    fi
}

# qemu_run LOG TIMEOUT QEMU-ARGS...: run QEMU, serial to LOG; sets STATUS to the VMM's
# exit value (QEMU's (v<<1)|1 decoded), or 124 on timeout, or 255 if QEMU failed otherwise.
qemu_run() {
    local log=$1 secs=$2
    shift 2
    timeout --kill-after=5 "$secs" $QEMU $QEMU_BASE -serial "file:$log" "$@" </dev/null >"$log.qemu" 2>&1
    local rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then STATUS=124
    elif [ $((rc & 1)) -eq 1 ]; then STATUS=$((rc >> 1))
    else STATUS=255; fi
}

# log_has LOG REGEX: the serial log contains a line matching REGEX.
log_has() { grep -Eq -- "$2" "$1"; }

# vmm_status LOG: the exit status the VMM's final line states, or "none".
vmm_status() {
    local s
    s=$(grep -Eo 'myrmex: exit status=[0-9]+' "$1" | tail -n 1 | grep -Eo '[0-9]+$')
    echo "${s:-none}"
}

# mkiso OUT CMDLINE [MODULE-LINE...]: a GRUB rescue ISO booting myrmex with CMDLINE and
# the given "path args" module lines (paths relative to the repository root).
mkiso() {
    local out=$1 cmdline=$2
    shift 2
    local dir
    dir=$(mktemp -d)
    mkdir -p "$dir/boot/grub"
    cp build/myrmex.elf "$dir/boot/myrmex.elf"
    {
        echo "serial --unit=0 --speed=115200"
        echo "terminal_input serial console"
        echo "terminal_output serial console"
        echo "set timeout=0"
        echo "menuentry myrmex {"
        echo "  multiboot /boot/myrmex.elf $cmdline"
        local m path
        for m in "$@"; do
            path=${m%% *}
            cp "$path" "$dir/boot/$(basename "$path")"
            # GRUB passes only the words after the file: repeat the name as the first word,
            # as QEMU's -initrd does, so a module string always starts with its name.
            echo "  module /boot/$(basename "$path") $(basename "$path")${m#"$path"}"
        done
        echo "}"
    } >"$dir/boot/grub/grub.cfg"
    grub-mkrescue -o "$out" "$dir" >/dev/null 2>&1
    local rc=$?
    rm -rf "$dir"
    return $rc
}

# bochs_run ISO LOG TIMEOUT CPU: boot ISO headless in Bochs on CPU model CPU.
bochs_run() {
    local iso=$1 log=$2 secs=$3 model=$4 dir
    dir=$(mktemp -d)
    cat >"$dir/bochsrc" <<RC
megs: 256
cpu: model=$model, ips=200000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$log
display_library: rfb, options="timeout=0"
port_e9_hack: enabled=0
log: $log.bochs
panic: action=fatal
error: action=ignore
info: action=ignore
debug: action=ignore
RC
    printf 'c\nq\n' >"$dir/cmds"
    : >"$log"
    timeout --kill-after=5 "$secs" bochs -q -rc "$dir/cmds" -f "$dir/bochsrc" </dev/null >"$log.out" 2>&1
    STATUS=$?
    rm -rf "$dir"
}
