#!/usr/bin/env python3
"""antfarm_compare.py — compare antfarm's inferred processes with the guest's ftrace ground truth.

    tools/antfarm_compare.py [--vm N] [--tsc-hz HZ] [--slack-us US] [--only A,B] [--json OUT] LOG

LOG is one serial log of a myrmex run of the default Linux guest with wl.trace=1 and the VMM
option antfarm.switch=on: the VMM's lines (antfarm's `antfarm vm=N ev=...` events, plain or
JSON, with or without the `[   s.micros] I ` prefix; the `tsc hz=` line) and the guest's
console lines (`vmN| ` prefix) carrying `wlinit`, `wl` and `wlgt` lines. A log of the guest
booted natively (tools/guest-native.sh) parses too, but has no antfarm events.

Per workload segment (the trace markers `wl begin ACTION` / `wl end ACTION`) it matches
antfarm's creates, exits and switches with the ftrace events by guest TSC, under the rules
of docs/antfarm.md, section "Ground truth and how it is compared". It prints the result in
the form of the Antfarm paper's Table 2, then one line per workload:

  antfarm-compare workload=fork n=100 fn=0 fp=0 fp_exec=1 switches=203 expected=203
    create_lag_med_us=.. create_lag_max_us=.. exit_lag_med_us=.. exit_lag_max_us=..
    fn_exit=0 gt_procs=101 af_creates=102 ... action=fork:100 verdict=pass [reason=...]

(one line; keys up to verdict= in this order, more may be added before verdict).
Exit status: 0 when every workload passes, 1 when one fails, 2 when the log has no
ground truth at all (or bad usage).
"""
import bisect
import json
import re
import statistics
import sys

HOST_TS = re.compile(r"^\s*\d+\.\d+ ")                 # tools/guest-native.sh's host time
KLOG = re.compile(r"^\[\s*\d+(?:\.\d+)?\]\s+[A-Z]\s")   # the VMM's "[    1.234567] I "
GKMSG = re.compile(r"\[\s*\d+\.\d+\] ")                 # a guest kernel message's stamp
VMPFX = re.compile(r"^vm(\d+)\| ?")

CLONE_VM = 0x100
CLONE_THREAD = 0x10000


# --switches=report: a switch-count mismatch is printed but does not fail the verdict.
SWITCHES_REPORT_ONLY = False


def kvs(words):
    return dict(w.split("=", 1) for w in words if "=" in w)


# ---------------------------------------------------------------------------------------
# Parsing

class Log:
    def __init__(self):
        self.tsc_hz = None
        self.tsc_hz_src = None
        self.af = []            # antfarm events of the chosen VM: dicts, with "ev"
        self.af_vms = set()
        self.gt = []            # ftrace events, absolute TSC, in dump order
        self.kpids = set()
        self.dump_segs = {}     # name -> the dump's own ev=seg summary
        self.lost = None        # wlgt ev=end lost=
        self.stats_lost = 0     # sum of overrun + dropped of the per-CPU stats
        self.have_dump = False
        self.mm_events = False  # the dump has the kprobe events (U/L/K lines, mmev=1)
        self.dump_ended = False
        self.wl_clock = []      # (tsc, t) pairs from the workload program's lines
        self.wl_runs = []       # the workload program's begin/end lines
        self.errors = []        # wlinit ev=error lines


def split_line(raw):
    """(source, vm, text): source 'vmm' for a VMM log line, 'guest' for a guest console
    line (vm = its VM, or None for a native log), None for anything else."""
    line = raw.rstrip("\r\n")
    line = HOST_TS.sub("", line, count=1)
    m = KLOG.match(line)
    if m:
        return "vmm", None, line[m.end():]
    m = VMPFX.match(line)
    if m:
        return "guest", int(m.group(1)), line[m.end():]
    return "raw", None, line


def num(v):
    try:
        return int(v)
    except ValueError:
        return float(v)


def parse_af(text):
    """An antfarm event line (key=value or JSON) as a dict, or None."""
    text = text.strip()
    if text.startswith("antfarm ") and " ev=" in text:
        d = kvs(text.split()[1:])
        out = {}
        for k, v in d.items():
            if k in ("ev", "asid"):
                out[k] = v
            else:
                try:
                    out[k] = num(v)
                except ValueError:
                    out[k] = v
        return out if "vm" in out else None
    i = text.find("{")
    if i >= 0 and '"src":"antfarm"' in text.replace(" ", ""):
        try:
            d = json.loads(text[i:])
        except ValueError:
            return None
        if d.get("src") == "antfarm":
            return d
    return None


def parse(lines, vm=0):
    log = Log()
    tsc = None
    cut = None              # the start of a dump line a kernel message broke off
    for raw in lines:
        src, lvm, text = split_line(raw)
        if src == "guest" and lvm == vm:
            # A kernel message printed while tracedump writes ends up inside a dump line:
            # "wlgt S 226434 258 Z 91[   60.096633] random: crng init done", the rest of
            # the dump line (maybe empty) on the next console line.
            if cut is not None:
                rest = text.strip()
                if not rest.startswith("wl") and not GKMSG.match(rest):
                    text, rest = cut + rest, None
                else:
                    text, rest = cut, text
                cut = None
                lines_now = [text] + ([rest] if rest is not None else [])
            else:
                lines_now = [text]
            texts = []
            for t in lines_now:
                m = GKMSG.search(t)
                if t.lstrip().startswith("wlgt ") and m:
                    cut = t[:m.start()]
                    continue
                texts.append(t)
        else:
            texts = [text]
        for text in texts:
            tsc = _parse_line(log, src, lvm, vm, text, tsc)
    if cut is not None:
        tsc = _parse_line(log, "guest", vm, vm, cut, tsc)
    if log.tsc_hz is None and len(log.wl_clock) >= 2:
        (t0, s0), (t1, s1) = min(log.wl_clock), max(log.wl_clock)
        if s1 - s0 >= 0.001:
            log.tsc_hz = int((t1 - t0) / (s1 - s0))
            log.tsc_hz_src = "wl"
    return log


def _parse_line(log, src, lvm, vm, text, tsc):
    """One log line; returns the dump's running TSC."""
    if src in ("vmm", "raw"):
        t = text.strip()
        if t.startswith("tsc hz="):
            try:
                log.tsc_hz = int(t.split()[1].split("=", 1)[1])
                log.tsc_hz_src = "vmm"
            except (ValueError, IndexError):
                pass
            return tsc
        a = parse_af(t)
        if a is not None:
            log.af_vms.add(a["vm"])
            if a["vm"] == vm:
                log.af.append(a)
            return tsc
        if src == "vmm":
            return tsc
    if src == "guest" and lvm != vm:
        return tsc
    w = text.split()
    if not w:
        return tsc
    if w[0] == "wlgt":
        if len(w) > 1 and w[1].startswith("ev="):
            d = kvs(w[1:])
            ev = d.get("ev")
            if ev == "begin":
                tsc = int(d["tsc0"])
                log.have_dump = True
                log.kpids = {int(p) for p in d.get("kpids", "").split(",") if p}
                log.mm_events = d.get("mmev") == "1"
            elif ev == "seg":
                log.dump_segs[d.get("name")] = d
            elif ev == "stats":
                for k in ("overrun", "dropped"):
                    try:
                        log.stats_lost += int(d.get(k, 0))
                    except ValueError:
                        pass
            elif ev == "end":
                log.dump_ended = True
                # A kernel message may follow on the same console line: digits only.
                m = re.match(r"\d+", d.get("lost", "0"))
                log.lost = int(m.group(0)) if m else None
            return tsc
        tag = w[1] if len(w) > 1 else ""
        if tag == "N" or tsc is None or len(w) < 3:
            return tsc
        try:
            tsc += int(w[2])
            if tag == "F":
                fl = w[5] if len(w) > 5 else "?"
                log.gt.append({"tsc": tsc, "ev": "fork", "ppid": int(w[3]), "pid": int(w[4]),
                               "flags": None if fl == "?" else int(fl, 16)})
            elif tag == "E":
                log.gt.append({"tsc": tsc, "ev": "exec", "pid": int(w[3]),
                               "filename": " ".join(w[4:])})
            elif tag == "X":
                log.gt.append({"tsc": tsc, "ev": "exit", "pid": int(w[3])})
            elif tag == "S":
                log.gt.append({"tsc": tsc, "ev": "switch", "prev": int(w[3]),
                               "state": w[4], "next": int(w[5])})
            elif tag == "M":
                log.gt.append({"tsc": tsc, "ev": "marker", "text": " ".join(w[3:])})
            elif tag in ("U", "L", "K"):     # exit_mm, exec_mm, use_mm (kprobe events)
                log.gt.append({"tsc": tsc, "ev": {"U": "exit_mm", "L": "exec_mm",
                                                  "K": "use_mm"}[tag], "pid": int(w[3])})
                log.mm_events = True
        except (ValueError, IndexError):
            log.errors.append("bad dump line: " + text.strip())
    elif w[0] == "wl" and len(w) > 1 and w[1].startswith("ev="):
        d = kvs(w[1:])
        if d.get("ev") in ("begin", "end") and "tsc" in d and "t" in d:
            try:
                log.wl_clock.append((int(d["tsc"]), float(d["t"])))
            except ValueError:
                pass
            log.wl_runs.append(d)
    elif w[0] == "wlinit" and len(w) > 1 and w[1] == "ev=error":
        log.errors.append(text.strip())
    return tsc


# ---------------------------------------------------------------------------------------
# Ground truth: replay the ftrace events (docs/antfarm.md, "Ground truth and how it is compared")

class Task:
    def __init__(self, pid, born, user, shares_as, thread, ppid):
        self.pid = pid
        self.ppid = ppid
        self.fork_tsc = born        # None: alive before the trace
        self.user = user
        self.shares_as = shares_as  # CLONE_VM: runs in its parent's address space
        self.thread = thread
        self.first_in = None        # first sched_switch into it
        self.mm_gone = False        # after its exit_mm event: runs without an mm
        self.exec_as = None         # the address space its exec_mm event loaded, until its exec
        self.exec_tsc = []
        self.exit_tsc = None
        self.ases = []              # address spaces it owned, in order (dicts)
        self.proc_seg = None        # the segment where it became a ground-truth process
        self.proc_tsc = None        # when: its fork, or its exec for a usermode helper


class Segment:
    def __init__(self, name, begin):
        self.name = name
        self.begin = begin
        self.end = None
        self.switches = 0           # all sched_switch events
        self.as_switches = 0        # sched_switch into another user address space
        self.execs = 0              # successful execs of (then) user tasks
        self.exit_ins = 0           # exit-path switch-ins from another AS (not counted)
        self.use_mm = 0             # kthread_use_mm events (a kernel thread with a user mm)
        self.procs = []             # ground-truth processes born here (Tasks)
        self.ases = []              # expected address-space creations here
        self.unterminated = False   # the trace ended (or the next began) before its end marker


def exit_path_switch_ins(events):
    """Indices of the sched_switch events that switch a task in on its exit path, after
    exit_mm() dropped its address space: such a task runs like a kernel thread (it borrows
    the previous active_mm; Linux loads no CR3 for it). docs/antfarm.md, "Ground truth and
    how it is compared": the switch-ins of an exiting task after its last resume point.

    Linux 6.1 emits sched_process_exit right after exit_mm() (current->mm = NULL, then
    mmput() tears the address space down). The trace has no event at exit_mm(), so the run
    that ends with sched_process_exit is taken back to its last resume point: walking the
    task's own events backwards from its exit, a switch-in belongs to the exit path when the
    switch-out before it was a preemption inside the kernel (prev_state with '+'); the walk
    stops at a switch-in that follows any other switch-out (a sleep or a yield, after which
    the task returns to user mode), at the task's first switch-in, and at an exec or a fork
    of its own (the task was in a system call it returns from)."""
    out = set()
    exiting = set()         # pids whose exit we have passed (walking backwards)
    pending = {}            # pid -> index of a switch-in waiting for the switch-out before it
    for i in range(len(events) - 1, -1, -1):
        e = events[i]
        ev = e["ev"]
        if ev == "exit":
            exiting.add(e["pid"])
            pending.pop(e["pid"], None)
        elif ev == "switch":
            n, p = e["next"], e["prev"]
            if n in exiting:
                pending[n] = i
            if p in exiting:
                j = pending.pop(p, None)
                if j is not None and e["state"].endswith("+"):
                    out.add(j)          # resumed where it was preempted: in the kernel
                else:
                    exiting.discard(p)  # a resume point: stop walking this task
        elif ev == "exec" or ev == "fork":
            q = e["pid"] if ev == "exec" else e["ppid"]
            if q in exiting:
                exiting.discard(q)
                pending.pop(q, None)
            if ev == "fork":            # its birth: the switch-in pending is its first
                exiting.discard(e["pid"])
                pending.pop(e["pid"], None)
    return out


def replay(events, kpids, mm_events=None):
    """Walk the ftrace events once; return the segments with their expected counts.

    With the kprobe events (mm_events: the dump's mmev=1, or any exit_mm/exec_mm event) the
    exit path and the exec's load are exact: a task's switch-ins after its exit_mm event
    load nothing (like a kernel thread's), and an exec's address space is loaded at its
    exec_mm event. Without them the exit path falls back to exit_path_switch_ins() and the
    load to sched_process_exec."""
    if mm_events is None:
        mm_events = any(e["ev"] in ("exit_mm", "exec_mm") for e in events)
    kern = set(kpids) | {2}
    tasks = {}
    segs = []
    seg = None
    cur_as = None          # the last user address space loaded (kernel threads borrow it)
    nas = [0]

    def task(pid):
        t = tasks.get(pid)
        if t is None:       # alive before the trace began
            t = tasks[pid] = Task(pid, None, pid != 0 and pid not in kern, False, False, None)
            t.as_id = ("pre", pid)
        return t

    def new_as(t, kind, tsc, load=None):
        nas[0] += 1
        t.as_id = nas[0]
        a = {"task": t, "kind": kind, "tsc": tsc, "seg": seg, "af": None, "load": load}
        t.ases.append(a)
        if seg is not None:
            seg.ases.append(a)
        return a

    # The address space loaded when tracing began: the running task's, i.e. the prev of the
    # first sched_switch, when that is a user task (the shell that wrote the first marker).
    for e in events:
        if e["ev"] == "switch":
            p = e["prev"]
            if p != 0 and p not in kern:
                cur_as = task(p).as_id
            break

    lazy_ins = set() if mm_events else exit_path_switch_ins(events)

    for i, e in enumerate(events):
        ev = e["ev"]
        if ev == "marker":
            w = e["text"].split()
            if len(w) >= 3 and w[0] == "wl" and w[1] == "begin":
                if seg is not None and seg.end is None:
                    seg.end = e["tsc"]      # unterminated: close it here (flagged later)
                    seg.unterminated = True
                seg = Segment(w[2], e["tsc"])
                segs.append(seg)
            elif len(w) >= 3 and w[0] == "wl" and w[1] == "end" and seg is not None:
                seg.end = e["tsc"]
                seg = None
            continue
        if ev == "fork":
            parent = task(e["ppid"])
            fl = e["flags"]
            user = parent.user and e["ppid"] != 2
            shares = fl is not None and bool(fl & CLONE_VM)
            thread = fl is not None and bool(fl & CLONE_THREAD)
            t = tasks[e["pid"]] = Task(e["pid"], e["tsc"], user, shares, thread, e["ppid"])
            if not user:
                kern.add(e["pid"])
                t.as_id = None
            elif shares:
                t.as_id = parent.as_id
            else:
                new_as(t, "fork", e["tsc"])
            if user and not thread:
                t.proc_seg, t.proc_tsc = seg, e["tsc"]
                if seg is not None:
                    seg.procs.append(t)
        elif ev == "switch":
            if seg is not None:
                seg.switches += 1
            t = task(e["next"])
            if t.first_in is None:
                t.first_in = e["tsc"]
            if i in lazy_ins or t.mm_gone:
                # on its exit path its mm is gone: it borrows cur_as like a kernel thread
                if t.user and t.as_id != cur_as and seg is not None:
                    seg.exit_ins += 1       # one the rule without the exit path would count
            elif t.user or t.exec_as is not None:
                if t.as_id != cur_as and seg is not None:
                    seg.as_switches += 1
                cur_as = t.as_id
        elif ev == "exit_mm":
            t = task(e["pid"])
            t.mm_gone = True
        elif ev == "exec_mm":
            # exec_mmap() loads the new mm right after this event, with no scheduling point
            # in between: from here on the task runs in its new address space
            t = task(e["pid"])
            t.mm_gone = False
            t.exec_as = new_as(t, "exec", e["tsc"], load=e["tsc"])
            cur_as = t.as_id
        elif ev == "use_mm":
            if seg is not None:
                seg.use_mm += 1
        elif ev == "exec":
            t = task(e["pid"])
            if not t.user:          # a usermode helper: a user task from its exec on
                t.user = True
                kern.discard(t.pid)
                if t.proc_seg is None and not t.thread:
                    t.proc_seg, t.proc_tsc = seg, e["tsc"]
                    if seg is not None:
                        seg.procs.append(t)
            t.exec_tsc.append(e["tsc"])
            t.shares_as = False
            t.mm_gone = False
            if t.exec_as is not None:   # loaded at its exec_mm event
                t.exec_as["tsc"] = e["tsc"]
                t.exec_as = None
            else:
                new_as(t, "exec", e["tsc"])
                cur_as = t.as_id    # exec loads the new address space at once
            if seg is not None:
                seg.execs += 1
        elif ev == "exit":
            task(e["pid"]).exit_tsc = e["tsc"]
    if seg is not None and seg.end is None:     # the trace ended inside an action
        seg.end = events[-1]["tsc"]
        seg.unterminated = True
    return segs, tasks


def as_window(a):
    """[lo, hi] of guest TSC in which antfarm must see the first CR3 load of address space a."""
    t = a["task"]
    if a["kind"] == "fork":
        # loaded at the child's first switch-in; before the child's exec or exit
        lo = t.first_in if t.first_in is not None and t.first_in >= a["tsc"] else a["tsc"]
        ends = [x for x in t.exec_tsc + [t.exit_tsc] if x is not None and x >= lo]
        hi = min(ends) if ends else None
    else:
        # loaded inside exec, while the task runs its current image: after it first ran
        # (or its previous exec), no later than sched_process_exec. Not "after its last
        # switch-in": exec may be preempted between exec_mmap() and the tracepoint.
        hi = a["tsc"]
        if a.get("load") is not None:   # the exec_mm event: right before the load
            return a["load"], (hi if hi != a["load"] else t.exit_tsc)
        prior = [x for x in [t.fork_tsc, t.first_in] + t.exec_tsc if x is not None and x < hi]
        lo = max(prior) if prior else None
    return lo, hi


# ---------------------------------------------------------------------------------------
# Comparison

def median(xs):
    return statistics.median(xs) if xs else None


def compare(log, slack_us=0.0, only=None):
    """The per-workload results (list of dicts)."""
    hz = log.tsc_hz
    slack = int(slack_us * hz / 1e6) if hz else 0
    segs, _ = replay(log.gt, log.kpids, log.mm_events or None)

    creates = [a for a in log.af if a.get("ev") == "create"]
    exits = {a["pid"]: a for a in log.af if a.get("ev") == "exit"}
    switches = [a for a in log.af if a.get("ev") == "switch"]
    have_sw = bool(switches)
    used = set()
    results = []
    gt_ok = log.have_dump and log.dump_ended and log.lost == 0 and log.stats_lost == 0

    for s in segs:
        if only and s.name.split(":")[0] not in only and s.name not in only:
            continue
        lo_s, hi_s = s.begin - slack, s.end + slack
        cands = sorted((a for a in creates if lo_s <= a["tsc"] <= hi_s and id(a) not in used),
                       key=lambda a: a["tsc"])
        # Earliest-deadline greedy: expected address spaces by the end of their window, each
        # takes the earliest free create inside its window. Maximum matching for intervals.
        exp = []
        for a in s.ases:
            lo, hi = as_window(a)
            a["af"] = None
            a["lo"] = (lo if lo is not None else s.begin) - slack
            a["hi"] = (hi if hi is not None else s.end) + slack
            exp.append(a)
        exp.sort(key=lambda a: (a["hi"], a["lo"]))
        taken = set()
        keys = [c["tsc"] for c in cands]
        for a in exp:
            for i in range(bisect.bisect_left(keys, a["lo"]), len(cands)):
                c = cands[i]
                if id(c) in taken:
                    continue
                if c["tsc"] > a["hi"]:
                    break
                taken.add(id(c))
                a["af"] = c
                break
        used |= taken

        fn = fn_exit = fp_exec = 0
        clag, elag = [], []
        inf_exits = 0
        as_exits = 0
        for t in s.procs:
            got = sorted((a["af"] for a in t.ases if a["af"] is not None and a["seg"] is s),
                         key=lambda c: c["tsc"])
            if not got:
                fn += 1
                continue
            fp_exec += len(got) - 1
            clag.append(got[0]["tsc"] - t.proc_tsc)
            if t.exit_tsc is not None:
                # the process ends with its last address space: antfarm must have seen
                # that one (a missed post-exec address space is a missed exit too)
                last = [a for a in t.ases if a["seg"] is s][-1]["af"]
                x = exits.get(last["pid"]) if last is not None else None
                if x is None or "tsc" not in x:
                    fn_exit += 1
                else:
                    elag.append(x["tsc"] - t.exit_tsc)
        # splits of processes born before this segment (an exec of an older process)
        for a in s.ases:
            if a["af"] is not None and a["task"].proc_seg is not s:
                fp_exec += 1
        for a in s.ases:
            t = a["task"]
            i = t.ases.index(a)
            if i + 1 < len(t.ases) or t.exit_tsc is not None:
                as_exits += 1
        for c in cands:
            if id(c) in taken and c["pid"] in exits:
                inf_exits += 1
        fp = len(cands) - len(taken)
        fp_list = [c for c in cands if id(c) not in taken]
        sw = sum(1 for a in switches if s.begin <= a["tsc"] <= s.end) if have_sw else None
        expected = s.as_switches + s.execs

        def us(v):
            return None if v is None or not hz else v * 1e6 / hz

        reasons = []
        if not gt_ok:
            reasons.append("ground-truth-incomplete")
        if s.unterminated or s.end is None:
            reasons.append("segment-unterminated")
        if not log.af:
            reasons.append("no-antfarm-events")
        if fn:
            reasons.append("false-negatives")
        if fn_exit:
            reasons.append("missed-exits")
        if fp:
            reasons.append("false-positives")
        if sw is None:
            reasons.append("no-switch-events")
        elif sw != expected and not SWITCHES_REPORT_ONLY:
            reasons.append("switch-count")
        parts = s.name.split(":")
        dump = log.dump_segs.get(s.name, {})
        results.append({
            "workload": parts[0], "n": parts[1] if len(parts) > 1 else "-", "action": s.name,
            "fn": fn, "fp": fp, "fp_exec": fp_exec, "switches": sw, "expected": expected,
            "create_lag_med_us": us(median(clag)), "create_lag_max_us": us(max(clag) if clag else None),
            "exit_lag_med_us": us(median(elag)), "exit_lag_max_us": us(max(elag) if elag else None),
            "fn_exit": fn_exit, "gt_procs": len(s.procs), "gt_as": len(s.ases),
            "af_creates": len(cands), "gt_exits": sum(1 for t in s.procs if t.exit_tsc is not None), "gt_as_exits": as_exits,
            "af_exits": inf_exits, "sched_switches": s.switches, "as_switches": s.as_switches,
            "execs": s.execs, "exit_ins": s.exit_ins,
            "exit_path": "events" if log.mm_events else "heuristic", "use_mm": s.use_mm,
            "dump_as_switches": dump.get("as_switches", "-"),
            "verdict": "fail" if reasons else "pass", "reason": ",".join(reasons),
            "fp_tsc": [c["tsc"] for c in fp_list],
        })
    return results


# ---------------------------------------------------------------------------------------
# Output

def fmt_us(v):
    if v is None:
        return "-"
    return "%.1f" % v


def machine_line(r):
    keys = ["workload", "n", "fn", "fp", "fp_exec", "switches", "expected",
            "create_lag_med_us", "create_lag_max_us", "exit_lag_med_us", "exit_lag_max_us",
            "fn_exit", "gt_procs", "gt_as", "af_creates", "gt_exits", "gt_as_exits", "af_exits",
            "sched_switches", "as_switches", "execs", "exit_ins", "dump_as_switches",
            "exit_path", "use_mm", "action", "verdict"]
    out = []
    for k in keys:
        v = r[k]
        if k.endswith("_us"):
            v = fmt_us(v)
        elif v is None:
            v = "na"
        out.append("%s=%s" % (k, v))
    if r["reason"]:
        out.append("reason=" + r["reason"])
    return "antfarm-compare " + " ".join(out)


def table(results):
    lines = []
    h1 = ("%-20s %8s %8s %8s %8s %8s %8s %8s %8s" %
          ("", "Process", "AddrSpc", "Inferred", "Process", "AddrSpc", "Inferred", "AS", "Switch"))
    h2 = ("%-20s %8s %8s %8s %8s %8s %8s %8s %8s" %
          ("workload", "Create", "Create", "Create", "Exit", "Exit", "Exit", "Switch", "Inferred"))
    lines += ["Table 2 form: ground truth (ftrace, guest) against antfarm (inferred)", h1, h2]
    for r in results:
        def mark(v, ref):       # the paper's bold face: inferred above the process count
            return ("*%d" % v) if v is not None and v != ref else str(v)
        lines.append("%-20s %8d %8d %8s %8d %8d %8s %8d %8s" % (
            r["action"], r["gt_procs"], r["gt_as"], mark(r["af_creates"], r["gt_procs"]),
            r["gt_exits"], r["gt_as_exits"], mark(r["af_exits"], r["gt_exits"]),
            r["expected"], "na" if r["switches"] is None else r["switches"]))
    lines.append("(* differs from the process count; AS Switch: expected under the fixed rule)")
    lines.append("")
    lines.append("%-20s %5s %7s %5s %7s %21s %21s %s" % (
        "workload", "FN", "FN-exit", "FP", "FP-exec", "create lag us med/max",
        "exit lag us med/max", "verdict"))
    for r in results:
        lines.append("%-20s %5d %7d %5d %7d %21s %21s %s%s" % (
            r["action"], r["fn"], r["fn_exit"], r["fp"], r["fp_exec"],
            "%s/%s" % (fmt_us(r["create_lag_med_us"]), fmt_us(r["create_lag_max_us"])),
            "%s/%s" % (fmt_us(r["exit_lag_med_us"]), fmt_us(r["exit_lag_max_us"])),
            r["verdict"], (" (" + r["reason"] + ")") if r["reason"] else ""))
    return "\n".join(lines)


USAGE = ("usage: antfarm_compare.py [--vm N] [--tsc-hz HZ] [--slack-us US] [--only A,B] [--json OUT]"
         " [--switches=report] LOG")


def main(argv):
    vm, hz, slack, only, jout, path = 0, None, 0.0, None, None, None
    args = list(argv)
    try:
        while args:
            a = args.pop(0)
            if a == "--vm":
                vm = int(args.pop(0))
            elif a == "--tsc-hz":
                hz = int(float(args.pop(0)))
            elif a == "--slack-us":
                slack = float(args.pop(0))
            elif a == "--only":
                only = set(args.pop(0).split(","))
            elif a == "--json":
                jout = args.pop(0)
            elif a == "--switches=report":
                global SWITCHES_REPORT_ONLY
                SWITCHES_REPORT_ONLY = True
            elif a in ("-h", "--help"):
                print(__doc__.strip())
                return 0
            elif path is None and not a.startswith("--"):
                path = a
            else:
                raise ValueError(a)
    except (IndexError, ValueError):
        print(USAGE, file=sys.stderr)
        return 2
    if path is None:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        with open(path, errors="replace") as f:
            log = parse(f, vm)
    except OSError as e:
        print("antfarm-compare: %s" % e, file=sys.stderr)
        return 2
    if hz:
        log.tsc_hz, log.tsc_hz_src = hz, "option"
    print("antfarm-compare log=%s vm=%d tsc_hz=%s (%s) slack_us=%g af_events=%d af_vms=%s "
          "gt_events=%d lost=%s" % (
              path, vm, log.tsc_hz or "unknown", log.tsc_hz_src or "none", slack, len(log.af),
              ",".join(str(v) for v in sorted(log.af_vms)) or "-", len(log.gt),
              "na" if log.lost is None else log.lost + log.stats_lost))
    for e in log.errors:
        print("antfarm-compare note: " + e)
    if not log.have_dump:
        print("antfarm-compare error: no ftrace dump (wlgt lines) in the log: boot with wl.trace=1")
        return 2
    if not log.dump_ended:
        print("antfarm-compare error: the ftrace dump is truncated (no 'wlgt ev=end')")
    elif log.lost or log.stats_lost:
        print("antfarm-compare error: ftrace lost events (lost=%s overrun+dropped=%d): "
              "raise wl.tracebuf" % (log.lost, log.stats_lost))
    if not log.af:
        print("antfarm-compare error: no antfarm events for vm=%d (antfarm=off? native boot?)" % vm)
    elif not any(a.get("ev") == "switch" for a in log.af):
        print("antfarm-compare error: no antfarm ev=switch lines: boot myrmex with antfarm.switch=on")
    if not log.tsc_hz:
        print("antfarm-compare error: no TSC rate ('tsc hz=' line or workload clock): use --tsc-hz")
    results = compare(log, slack, only)
    if not results:
        print("antfarm-compare error: no workload segment (trace markers) in the dump")
        return 2
    print(table(results))
    for r in results:
        print(machine_line(r))
    bad = [r["action"] for r in results if r["verdict"] != "pass"]
    print("antfarm-compare result=%s workloads=%d failed=%d%s" % (
        "fail" if bad else "pass", len(results), len(bad), (" (" + ",".join(bad) + ")") if bad else ""))
    if jout:
        with open(jout, "w") as f:
            json.dump({"tsc_hz": log.tsc_hz, "results": results}, f, indent=1)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
