# tracedump.awk — compact ftrace ground truth for the serial console (docs/guest.md).
# Input: /sys/kernel/tracing/trace with trace_clock=x86-tsc and the events
# sched_process_{fork,exec,exit}, sched_switch, task_newtask and trace_marker writes
# "wl begin ACTION" / "wl end ACTION".
# Variables: kpids = kernel-thread pids alive when tracing began; events = 1 to print
# every event (compact form), 0 for the summary only.
#
# Output (every line starts with "wlgt"):
#   wlgt ev=begin tsc0=T kpids=P,P,...        first event's absolute TSC
#   wlgt F dT ppid pid clone_flags_hex        sched_process_fork (+ task_newtask flags)
#   wlgt E dT pid filename                    sched_process_exec
#   wlgt X dT pid                             sched_process_exit
#   wlgt S dT prev_pid prev_state next_pid    sched_switch
#   wlgt M dT text...                         trace_marker
#   wlgt N pid comm                           a pid's name, when first seen or changed
#   wlgt ev=seg name=... tsc_begin= tsc_end= forks= execs= exits= switches= as_switches=
#   wlgt ev=end lines=N entries=E written=W lost=W-E
# dT is the TSC delta from the previous event line (the first is from tsc0).
function val(key,    m, s) {          # the value of " key=" up to the next space
    if (!match($0, " " key "=[^ ]*")) return ""
    s = substr($0, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
    return s
}
function comm(key, next_key,    a, b) { # a comm may hold spaces: up to " next_key="
    a = index($0, " " key "=")
    if (!a) return ""
    b = index(substr($0, a + 1), " " next_key "=")
    if (!b) return val(key)
    a = substr($0, a + length(key) + 2, b - length(key) - 2)
    gsub(/ /, "_", a)
    return a
}
function name(pid, c) {
    if (c != "" && names[pid] != c) {
        names[pid] = c
        if (events) print "wlgt N " pid " " c
    }
}
function delta(ts,    d) {
    if (!started) { started = 1; tsc0 = ts; last = ts
                    print "wlgt ev=begin tsc0=" sprintf("%.0f", ts) " kpids=" kplist }
    d = ts - last; last = ts
    return sprintf("%.0f", d)
}
function is_vm(flags,    d) {          # CLONE_VM (0x100) in a hex string
    if (length(flags) < 3) return 0
    d = tolower(substr(flags, length(flags) - 2, 1))
    return index("13579bdf", d) > 0
}
function user(pid) { return pid != 0 && !(pid in kern) }
function seg_flush() {
    if (segname == "") return
    print "wlgt ev=seg name=" segname " tsc_begin=" sprintf("%.0f", segt0) \
          " tsc_end=" sprintf("%.0f", lastts) " forks=" sforks " execs=" sexecs \
          " exits=" sexits " switches=" sswitch " as_switches=" sas
    segname = ""
}
BEGIN {
    n = split(kpids, k, " ")
    kplist = ""
    for (i = 1; i <= n; i++) { kern[k[i]] = 1; kplist = kplist (i > 1 ? "," : "") k[i] }
    kern[2] = 1
    nmm = 0; curmm = ""
}
/^#/ {
    if (match($0, /entries-in-buffer\/entries-written: [0-9]+\/[0-9]+/)) {
        split(substr($0, RSTART + 35, RLENGTH - 35), ew, "/")
        entries = ew[1]; written = ew[2]
    }
    next
}
{
    # "<comm>-<pid> [cpu] flags timestamp: event: fields"
    ci = 0
    for (i = 1; i <= NF; i++) if ($i ~ /^\[[0-9]+\]$/) { ci = i; break }
    if (!ci) next
    ti = 0
    for (i = ci + 1; i <= NF; i++) if ($i ~ /^[0-9]+(\.[0-9]+)?:$/) { ti = i; break }
    if (!ti) next
    ts = substr($ti, 1, length($ti) - 1) + 0
    ev = $(ti + 1); sub(/:$/, "", ev)
    cur = $(ci - 1); sub(/.*-/, "", cur)
    lastts = ts
    lines++
    if (ev == "task_newtask") {
        flags[val("pid")] = val("clone_flags")
    } else if (ev == "sched_process_fork") {
        pp = val("pid"); cp = val("child_pid"); f = flags[cp]
        if (!user(pp) || pp == 2) kern[cp] = 1
        mm[cp] = is_vm(f) ? mm[pp] : "m" (++nmm)
        if (user(cp)) sforks++
        name(cp, comm("child_comm", "child_pid"))
        if (events) print "wlgt F " delta(ts) " " pp " " cp " " (f == "" ? "?" : f)
    } else if (ev == "sched_process_exec") {
        p = val("pid")
        delete kern[p]                    # a usermode helper becomes a user task
        mm[p] = "m" (++nmm); sexecs++
        if (events) print "wlgt E " delta(ts) " " p " " val("filename")
    } else if (ev == "sched_process_exit") {
        p = val("pid")
        if (user(p)) sexits++
        name(p, comm("comm", "pid"))
        if (events) print "wlgt X " delta(ts) " " p
    } else if (ev == "sched_switch") {
        pp = val("prev_pid"); np = val("next_pid")
        name(pp, comm("prev_comm", "prev_pid"))
        name(np, comm("next_comm", "next_pid"))
        sswitch++
        # An address-space switch: the incoming task is a user task whose address
        # space differs from the last user task's (kernel threads borrow it).
        if (user(np)) {
            if (!(np in mm)) mm[np] = "pre" np
            if (mm[np] != curmm) { sas++; curmm = mm[np] }
        }
        if (events) print "wlgt S " delta(ts) " " pp " " val("prev_state") " " np
    } else if (ev == "tracing_mark_write") {
        txt = $0; sub(/.*tracing_mark_write: /, "", txt)
        if (events) print "wlgt M " delta(ts) " " txt
        split(txt, w, " ")
        if (w[1] == "wl" && w[2] == "begin") {
            seg_flush(); segname = w[3]; segt0 = ts
            sforks = sexecs = sexits = sswitch = sas = 0
        } else if (w[1] == "wl" && w[2] == "end") {
            seg_flush()
        }
    }
}
END {
    seg_flush()
    lost = written - entries
    print "wlgt ev=end lines=" lines + 0 " entries=" entries + 0 " written=" written + 0 \
          " lost=" lost + 0
}
