#!/usr/bin/env python3
"""Tests of tools/antfarm_compare.py on synthetic logs (plain python3, no pytest).

    python3 tools/test_antfarm_compare.py [-v]

A small guest model writes the ftrace dump (wlgt lines) of fork, fork+exec and vfork+exec
workloads with kernel threads, lazy TLB and usermode helpers; an independent model of
antfarm at the level of CR3 loads (create at the first load of an address space, switch
when another process comes into effect, including the load inside exec, exit at the first
CR3 load after the address space emptied) writes the VMM's antfarm lines from the same
guest run. Good runs must pass; each kind of error must fail. The guest model writes the
dump with or without the kprobe events (exit_mm, exec_mm: U and L lines, mmev=1); with
them the tool is exact where its exit-path heuristic is not. When a native guest log
with a dump exists (build/guest/native.log, or $AFC_NATIVE_LOG), the antfarm model is
also run over its real ftrace events.
"""
import io
import json
import os
import re
import sys
import tempfile
import contextlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import antfarm_compare as ac  # noqa: E402

HZ = 2_000_000_000          # 2 GHz: 2000 cycles a microsecond
CLONE_VM, CLONE_VFORK = 0x100, 0x4000
FORK_FLAGS, VFORK_FLAGS = 0x1200000, 0x4111


# ---------------------------------------------------------------------------------------
# A guest: a UP Linux 2.6+ scheduler as seen by ftrace

class Guest:
    def __init__(self, kpids=(2, 14, 15, 17), mm_events=False):
        self.t = 10_000_000_000
        self.mm_events = mm_events  # dump the exit_mm/exec_mm kprobe events (U, L lines)
        self.dropped = set()        # pids past exit_mm()
        self.ev = []            # (tsc, kind, fields): the ftrace events, absolute
        self.kpids = list(kpids)
        self.cur = 1            # init runs when tracing starts
        self.segs = []
        self.wl = []            # workload program's lines
        self.next_pid = 100

    def tick(self, cycles=20000):
        self.t += cycles
        return self.t

    def add(self, kind, *f):
        self.ev.append((self.tick(), kind, f))

    def switch(self, nxt, state="S"):
        self.add("S", self.cur, state, nxt)
        self.cur = nxt

    def fork(self, parent, flags=FORK_FLAGS):
        pid = self.next_pid
        self.next_pid += 1
        self.add("F", parent, pid, "%x" % flags if flags is not None else "?")
        return pid

    def exec(self, pid, path="/bin/workload", between=None):
        """exec_mmap() loads the new mm (the exec_mm event, L), then sched_process_exec;
        between(): what runs in between (the task preempted after the load)."""
        self.add("L", pid)
        if between is not None:
            between()
        self.add("E", pid, path)

    def exit(self, pid):
        if pid not in self.dropped:
            self.exit_mm(pid)
        self.add("X", pid)

    def exit_mm(self, pid):
        """exit_mm(): current->mm = NULL, then mmput() empties the address space. The
        exit_mm kprobe event (U) when the dump has them; the antfarm model sees the
        teardown."""
        self.dropped.add(pid)
        self.add("XM", pid)

    def exit_preempted(self, pid, by, times=1, via_kthread=False):
        """The running task pid exits and is preempted (R+) inside exit_mm()'s teardown,
        times over; `by` runs meanwhile and sleeps (or a kernel thread blips in between),
        then pid is switched back in, reaches sched_process_exit and becomes a zombie."""
        self.exit_mm(pid)
        for _ in range(times):
            self.switch(by, "R+")
            if via_kthread:
                self.switch(15, "S")
                self.switch(pid, "I")
            else:
                self.switch(pid, "S")
        self.exit(pid)

    def marker(self, text):
        self.add("M", text)

    def kthread_blip(self, k=15):
        """A kernel thread runs in between (it borrows the address space: lazy TLB)."""
        back = self.cur
        self.switch(k, "R")
        self.switch(back, "I")

    # -- the workloads, as the init script runs them --------------------------------
    def action(self, name, body):
        self.marker("wl begin " + name)
        self.tick(50000)
        b = self.ev[-1][0]
        wl = self.fork(1)                   # the shell forks the workload program...
        self.switch(wl)
        self.exec(wl)                       # ...which execs /bin/workload
        self.kthread_blip()
        body(wl)
        self.exit(wl)
        self.switch(1, "Z")
        self.marker("wl end " + name)
        self.segs.append((name, b))

    def fork_only(self, n):
        def body(wl):
            for i in range(n):
                c = self.fork(wl)
                self.switch(c)
                if i % 3 == 1:
                    self.kthread_blip()
                self.exit(c)
                if i % 4 == 2:              # the idle task runs after the child died
                    self.switch(0, "Z")
                    self.tick(200000)
                    self.cur = 0
                    self.switch(wl, "R")
                else:
                    self.switch(wl, "Z")
        self.action("fork:%d" % n, body)

    def forkexec(self, n):
        def body(wl):
            for i in range(n):
                c = self.fork(wl)
                self.switch(c)
                self.exec(c)
                if i % 2:
                    self.kthread_blip()
                self.exit(c)
                self.switch(wl, "Z")
        self.action("forkexec:%d" % n, body)

    def vforkexec(self, n):
        def body(wl):
            for i in range(n):
                c = self.fork(wl, VFORK_FLAGS)
                self.switch(c, "D")         # the parent waits; the child shares its AS
                self.exec(c)
                self.switch(wl, "R")        # vfork is done at exec: the parent runs
                self.switch(c, "S")
                self.exit(c)
                self.switch(wl, "Z")
        self.action("vforkexec:%d" % n, body)

    def helpers(self):
        """A kworker starts two usermode helpers: one execs, the other's exec fails."""
        def body(wl):
            h1 = self.fork(17, 0x800011)
            h2 = self.fork(17, 0x800011)
            self.switch(h1)
            self.exec(h1, "/sbin/modprobe")
            self.exit(h1)
            self.switch(h2, "Z")            # kernel thread: borrows h1's dead AS
            self.exit(h2)                   # exec failed: never a user task
            self.switch(wl, "Z")
        self.action("helpers:2", body)

    # -- output ------------------------------------------------------------------------
    def dump_lines(self, lost=0):
        out = ["wlgt ev=stats cpu=0 entries=%d overrun=0 dropped=0 read=0" % len(self.ev)]
        last = self.ev[0][0]
        out.append("wlgt ev=begin tsc0=%d kpids=%s%s" % (last, ",".join(map(str, self.kpids)),
                                                        " mmev=1" if self.mm_events else ""))
        tags = {"XM": "U", "L": "L"} if self.mm_events else {"XM": None, "L": None}
        for tsc, kind, f in self.ev:
            kind = tags.get(kind, kind)
            if kind not in ("F", "E", "X", "S", "M", "N", "U", "L"):  # model-internal
                continue
            out.append("wlgt %s %d %s" % (kind, tsc - last, " ".join(str(x) for x in f)))
            last = tsc
        out.append("wlgt ev=end lines=%d entries=%d written=%d lost=%d" %
                   (len(self.ev), len(self.ev), len(self.ev) + lost, lost))
        return out


# ---------------------------------------------------------------------------------------
# antfarm, modelled on CR3 loads (docs/antfarm.md), fed by a guest's events

def antfarm_model(events, kpids, exec_switch=True):
    """events: (tsc, kind, fields) with absolute TSC. Returns antfarm event dicts."""
    kern = set(kpids) | {2, 0}
    task_as = {}              # pid -> address space (dict) or None for kernel threads
    out = []
    npid = [0]
    st = {"cr3": None, "last": None}

    def new_as():
        return {"users": 1, "pid": None, "dead": False, "exited": False}

    def get(pid):
        if pid not in task_as:
            task_as[pid] = None if pid in kern else new_as()
        return task_as[pid]

    def create(a, tsc):
        npid[0] += 1
        a["pid"] = npid[0]
        out.append({"ev": "create", "pid": a["pid"], "tsc": tsc})

    def exit_(a, tsc):
        if a["pid"] is not None and not a["exited"]:
            a["exited"] = True
            out.append({"ev": "exit", "pid": a["pid"], "tsc": tsc})

    def load(a, tsc, count_switch=True):
        old = st["cr3"]
        st["cr3"] = a
        if a["pid"] is None:
            create(a, tsc)
        if st["last"] is not None and st["last"] is not a and count_switch:
            out.append({"ev": "switch", "from": st["last"]["pid"], "to": a["pid"], "tsc": tsc + 1})
        st["last"] = a
        if old is not None and old is not a and old["dead"]:
            exit_(old, tsc + 2)

    loaded = set()            # pids whose exec_mmap() ran, sched_process_exec not yet
    # the shell's address space is in CR3 when tracing starts
    sh = get(1)
    create(sh, events[0][0] - 10**6)
    st["cr3"] = st["last"] = sh
    for tsc, kind, f in events:
        if kind == "F":
            parent, child, fl = int(f[0]), int(f[1]), f[2]
            flags = None if fl == "?" else int(fl, 16)
            if parent in kern:
                kern.add(child)
                task_as[child] = None
            elif flags is not None and flags & CLONE_VM:
                a = get(parent)
                a["users"] += 1
                task_as[child] = a
            else:
                task_as[child] = new_as()
        elif kind == "S":
            a = get(int(f[2]))
            if a is not None and a is not st["cr3"]:
                load(a, tsc + 300)
        elif kind in ("L", "E"):           # exec_mmap() loads the new mm; the exec event
            pid = int(f[0])
            if kind == "E" and pid in loaded:
                loaded.discard(pid)
                continue
            if kind == "L":
                loaded.add(pid)
            old = get(pid)
            kern.discard(pid)
            a = task_as[pid] = new_as()
            at = tsc + 300 if kind == "L" else tsc - 900
            load(a, at, exec_switch)
            if old is not None:
                old["users"] -= 1
                if old["users"] == 0:
                    old["dead"] = True
                    exit_(old, at + 400)      # emptied after being switched out
        elif kind in ("X", "XM"):          # the exit, or exit_mm() before it
            pid = int(f[0])
            a = task_as.get(pid)
            if kind == "XM":
                task_as[pid] = None         # mm gone: from now on it runs like a kernel thread
            if a is not None:
                a["users"] -= 1
                if a["users"] == 0:
                    a["dead"] = True
                    if a is not st["cr3"]:
                        exit_(a, tsc + 5)
    return out


def af_lines(afev, hz=HZ, vm=0, json_=False):
    out = []
    for a in sorted(afev, key=lambda a: a["tsc"]):
        t = a["tsc"] / hz
        pre = "[%5d.%06d] I " % (int(t), int(t * 1e6) % 1000000)
        if json_:
            d = {"src": "antfarm", "vm": vm, "ev": a["ev"]}
            if a["ev"] == "switch":
                d.update({"from": a["from"], "to": a["to"]})
            else:
                d.update({"pid": a["pid"], "asid": "0x%08x" % (a["pid"] << 12)})
            d.update({"t": round(t, 6), "tsc": a["tsc"]})
            out.append(pre + json.dumps(d, separators=(",", ":")))
        elif a["ev"] == "create":
            out.append(pre + "antfarm vm=%d ev=create pid=%d asid=0x%08x t=%.6f tsc=%d" %
                       (vm, a["pid"], a["pid"] << 12, t, a["tsc"]))
        elif a["ev"] == "exit":
            out.append(pre + "antfarm vm=%d ev=exit pid=%d asid=0x%08x t=%.6f tsc=%d life=0.001000 "
                       "cpu=0.000100 switches=2 ptwrites=10 lag=0.000010 disk_reqs=0 disk_bytes=0"
                       % (vm, a["pid"], a["pid"] << 12, t, a["tsc"]))
        else:
            out.append(pre + "antfarm vm=%d ev=switch from=%d to=%d t=%.6f tsc=%d" %
                       (vm, a["from"], a["to"], t, a["tsc"]))
    return out


def build_log(g, afev=None, hz_line=True, lost=0, json_=False, vm=0, extra_vmm=()):
    if afev is None:
        afev = antfarm_model(g.ev, g.kpids)
    lines = []
    if hz_line:
        lines.append("[    0.000100] I tsc hz=%d" % HZ)
    lines.append("vm%d| wlinit ev=start uptime=1.00 kernel=6.1.0-50-686" % vm)
    lines.append("vm%d| wlinit ev=trace clock=x86-tsc buffer_kb=16387" % vm)
    lines += af_lines(afev, vm=vm, json_=json_)
    lines += list(extra_vmm)
    lines += ["vm%d| %s" % (vm, l) for l in g.dump_lines(lost)]
    lines.append("vm%d| wlinit ev=done status=ok end=reboot" % vm)
    lines.append("[   30.000000] I antfarm vm=%d ev=summary live=1 created=9 exited=8 switches=9 t=30.0" % vm)
    return "\n".join(lines) + "\n"


def standard_guest(n=5):
    g = Guest()
    g.fork_only(n)
    g.forkexec(n)
    g.vforkexec(n)
    return g


def run(text, *args):
    """Run the tool's main on a log text; (exit status, stdout, results by action)."""
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write(text)
        path = f.name
    jpath = path + ".json"
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            rc = ac.main(list(args) + ["--json", jpath, path])
        res = {}
        if os.path.exists(jpath):
            with open(jpath) as f:
                res = {r["action"]: r for r in json.load(f)["results"]}
    finally:
        for p in (path, jpath):
            if os.path.exists(p):
                os.unlink(p)
    return rc, buf.getvalue(), res


# ---------------------------------------------------------------------------------------
# Tests

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


MACHINE = re.compile(
    r"^antfarm-compare workload=(\S+) n=(\S+) fn=(\d+) fp=(\d+) fp_exec=(\d+) switches=(\S+) "
    r"expected=(\d+) create_lag_med_us=(\S+) create_lag_max_us=(\S+) exit_lag_med_us=(\S+) "
    r"exit_lag_max_us=(\S+) .* verdict=(pass|fail)( reason=\S+)?$")


@test
def good_run_passes():
    g = standard_guest(5)
    rc, out, res = run(build_log(g))
    check(rc == 0, "exit status %d\n%s" % (rc, out))
    for name in ("fork:5", "forkexec:5", "vforkexec:5"):
        r = res[name]
        check(r["verdict"] == "pass" and r["fn"] == 0 and r["fp"] == 0 and r["fn_exit"] == 0,
              "%s: %r" % (name, r))
        check(r["switches"] == r["expected"], name)
        check(r["gt_procs"] == 6, "%s: N + the workload program itself: %d" % (name, r["gt_procs"]))
    # the exec split: fork+exec doubles the address spaces; vfork+exec does not
    check(res["fork:5"]["fp_exec"] == 1, "fork: only the workload program's exec")
    check(res["forkexec:5"]["fp_exec"] == 6, "forkexec: N+1 exec splits")
    check(res["vforkexec:5"]["fp_exec"] == 1, "vforkexec: only the workload program's own exec")
    check(res["forkexec:5"]["af_creates"] == 12 and res["forkexec:5"]["gt_as"] == 12, "forkexec AS")
    ml = [l for l in out.splitlines() if l.startswith("antfarm-compare workload=")]
    check(len(ml) == 3 and all(MACHINE.match(l) for l in ml), "machine lines:\n" + "\n".join(ml))
    check("Table 2 form" in out and "result=pass" in out, out)


@test
def expected_switch_rule():
    """fork:N: shell->workload, N x (workload->child, child->workload), workload->shell: 2N+2
    sched_switch address-space changes; plus one load per exec (the workload's own)."""
    g = Guest()
    g.fork_only(7)
    g.forkexec(4)
    g.vforkexec(3)
    rc, out, res = run(build_log(g))
    check(rc == 0, out)
    check(res["fork:7"]["as_switches"] == 16 and res["fork:7"]["execs"] == 1, res["fork:7"])
    check(res["fork:7"]["expected"] == 17, res["fork:7"])
    # forkexec: same sched_switch changes (2N+2) plus N+1 exec loads
    check(res["forkexec:4"]["expected"] == 10 + 5, res["forkexec:4"])
    # vforkexec: workload->child shares the AS (no change), child execs (load),
    # child->workload and workload->child (both change), child->workload: 3N+2 + N+1 execs
    check(res["vforkexec:3"]["as_switches"] == 11 and res["vforkexec:3"]["expected"] == 15,
          res["vforkexec:3"])


@test
def missed_create_is_false_negative():
    g = standard_guest(4)
    af = antfarm_model(g.ev, g.kpids)
    creates = [a for a in af if a["ev"] == "create"]
    victim = creates[5]                                   # a fork child in fork:4
    af = [a for a in af if a is not victim and not (a["ev"] == "exit" and a["pid"] == victim["pid"])]
    rc, out, res = run(build_log(g, af))
    check(rc == 1, "exit status %d" % rc)
    r = res["fork:4"]
    check(r["fn"] == 1 and r["verdict"] == "fail" and "false-negatives" in r["reason"], r)
    check(res["forkexec:4"]["verdict"] == "pass", "other workloads unaffected")


@test
def missed_exec_split_is_not_false_negative_of_a_process():
    """antfarm missing the post-exec address space still detected the process (pre-exec AS)."""
    g = Guest()
    g.forkexec(3)
    af = antfarm_model(g.ev, g.kpids)
    # drop the create of the second child's exec AS, and its exit, switches to/from it
    creates = [a for a in af if a["ev"] == "create"]
    victim = creates[5]
    af = [a for a in af if not (a.get("pid") == victim["pid"]) and
          not (a["ev"] == "switch" and victim["pid"] in (a["from"], a["to"]))]
    rc, out, res = run(build_log(g, af))
    r = res["forkexec:3"]
    check(r["fn"] == 0 and r["fp_exec"] == 3 and r["fn_exit"] == 1, r)
    check(r["verdict"] == "fail" and "switch-count" in r["reason"], r)


@test
def spurious_create_is_false_positive():
    g = standard_guest(3)
    af = antfarm_model(g.ev, g.kpids)
    seg_b = [b for n, b in g.segs if n == "vforkexec:3"][0]
    af.append({"ev": "create", "pid": 999, "tsc": seg_b + 10})   # before any process there
    rc, out, res = run(build_log(g, af))
    check(rc == 1, "exit status")
    r = res["vforkexec:3"]
    check(r["fp"] == 1 and r["fn"] == 0 and "false-positives" in r["reason"], r)


@test
def double_create_at_exec_is_not_exec_split():
    """Two antfarm processes for one exec: one is the split, the other a plain false positive."""
    g = Guest()
    g.forkexec(2)
    af = antfarm_model(g.ev, g.kpids)
    e = [tsc for tsc, k, f in g.ev if k == "E"][1]
    af.append({"ev": "create", "pid": 500, "tsc": e - 100})
    rc, out, res = run(build_log(g, af))
    r = res["forkexec:2"]
    check(r["fp"] == 1 and r["fp_exec"] == 3, r)


@test
def switch_count_mismatch_fails():
    g = standard_guest(3)
    af = antfarm_model(g.ev, g.kpids)
    sw = [a for a in af if a["ev"] == "switch"]
    af.remove(sw[len(sw) // 2])
    rc, out, res = run(build_log(g, af))
    check(rc == 1, "exit status")
    bad = [r for r in res.values() if "switch-count" in r["reason"]]
    check(len(bad) == 1 and bad[0]["switches"] == bad[0]["expected"] - 1, res)
    # an extra switch fails too
    af = antfarm_model(g.ev, g.kpids)
    af.append({"ev": "switch", "from": 1, "to": 2, "tsc": g.segs[0][1] + 7})
    rc, out, res = run(build_log(g, af))
    check(res["fork:3"]["switches"] == res["fork:3"]["expected"] + 1 and rc == 1, res["fork:3"])


@test
def exec_load_must_count_as_switch():
    """The reconciled rule: antfarm counts the CR3 load inside exec. An antfarm that did not
    would be short by exactly the number of execs."""
    g = standard_guest(4)
    af = antfarm_model(g.ev, g.kpids, exec_switch=False)
    rc, out, res = run(build_log(g, af))
    check(rc == 1, "exit status")
    for r in res.values():
        check(r["switches"] == r["expected"] - r["execs"] and r["verdict"] == "fail", r)


@test
def missed_exit_fails():
    g = standard_guest(3)
    af = antfarm_model(g.ev, g.kpids)
    ex = [a for a in af if a["ev"] == "exit"]
    af.remove(ex[3])
    rc, out, res = run(build_log(g, af))
    check(rc == 1, "exit status")
    check(sum(r["fn_exit"] for r in res.values()) == 1, res)


@test
def helpers_and_kernel_threads():
    """A usermode helper that execs is a process (born at its exec); one whose exec fails,
    and kernel threads, are not; the helper's exec is a load (a switch)."""
    g = Guest()
    g.helpers()
    rc, out, res = run(build_log(g))
    r = res["helpers:2"]
    check(rc == 0 and r["verdict"] == "pass", out)
    check(r["gt_procs"] == 2, "workload program + the helper that execs: %r" % r)
    check(r["fp_exec"] == 1 and r["execs"] == 2, r)


@test
def lag_figures():
    """Create lag: fork to the first CR3 load; exit lag: sched_process_exit to recognition."""
    g = Guest()
    g.fork_only(4)
    rc, out, res = run(build_log(g))
    r = res["fork:4"]
    # in the guest model, fork->switch-in is one 20000-cycle tick, antfarm dates the load
    # 300 cycles later: 20300 cycles = 10.15 us at 2 GHz
    check(abs(r["create_lag_med_us"] - 10.15) < 1e-6, r)
    check(r["create_lag_max_us"] >= r["create_lag_med_us"], r)
    # exits are recognized at the next CR3 load: a tick after the exit, or after the idle
    # task ran (lazy TLB) -- the max shows the latter
    check(abs(r["exit_lag_med_us"] - 10.151) < 1e-6, r)
    check(r["exit_lag_max_us"] > 100, r)


@test
def lost_events_fail():
    g = standard_guest(2)
    rc, out, res = run(build_log(g, lost=3))
    check(rc == 1 and all("ground-truth-incomplete" in r["reason"] for r in res.values()), out)
    check("lost events" in out, out)


@test
def no_switch_lines_fail():
    g = standard_guest(2)
    af = [a for a in antfarm_model(g.ev, g.kpids) if a["ev"] != "switch"]
    rc, out, res = run(build_log(g, af))
    check(rc == 1 and "antfarm.switch=on" in out, out)
    check(all(r["switches"] is None and "no-switch-events" in r["reason"] for r in res.values()), res)


@test
def native_log_without_antfarm_fails():
    g = standard_guest(2)
    text = "\n".join("%9.3f %s" % (1.0 + i / 1000, l) for i, l in enumerate(g.dump_lines())) + "\n"
    rc, out, res = run(text)
    check(rc == 1 and "no antfarm events" in out, out)
    check(all(r["fn"] == r["gt_procs"] for r in res.values()), res)


@test
def no_dump_is_usage_error():
    rc, out, res = run("[    0.1] I tsc hz=1000\nvm0| hello\n")
    check(rc == 2 and "no ftrace dump" in out, out)
    rc, out, res = run("")
    check(rc == 2, out)


@test
def json_lines_and_other_vms():
    g = standard_guest(3)
    af = antfarm_model(g.ev, g.kpids)
    # a second VM's events (same ASIDs, wild times) must be ignored for vm=0
    other = af_lines([dict(a, tsc=a["tsc"] + 7) for a in af], vm=1)
    rc, out, res = run(build_log(g, af, json_=True, extra_vmm=other))
    check(rc == 0, out)
    check("af_vms=0,1" in out, out)


@test
def vm_selection():
    g = standard_guest(2)
    rc, out, res = run(build_log(g, vm=1), "--vm", "1")
    check(rc == 0, out)
    rc, out, res = run(build_log(g, vm=1))
    check(rc == 2, "vm0 has no dump: %s" % out)


@test
def tsc_rate_from_workload_clock():
    g = standard_guest(2)
    text = build_log(g, hz_line=False)
    b = g.ev[0][0]
    text += "vm0| wl ev=begin mode=fork n=2 pid=100 tsc=%d t=1000.000000\n" % b
    text += "vm0| wl ev=end mode=fork n=2 ok=2 fail=0 tsc=%d t=1000.100000\n" % (b + HZ // 10)
    rc, out, res = run(text)
    check(rc == 0 and "(wl)" in out, out)
    check(abs(res["fork:2"]["create_lag_med_us"] - 10.15) < 0.01, res["fork:2"])
    rc, out, res = run(build_log(g, hz_line=False), "--tsc-hz", str(HZ))
    check(rc == 0 and "(option)" in out, out)


@test
def unterminated_segment_fails():
    g = standard_guest(2)
    g.marker("wl begin sleep:1")
    rc, out, res = run(build_log(g))
    check(rc == 1 and res["sleep:1"]["verdict"] == "fail" and
          "segment-unterminated" in res["sleep:1"]["reason"], res.get("sleep:1"))


@test
def pid_reuse():
    g = Guest()

    def body(wl):
        for _ in range(3):
            g.next_pid = 300                # every child gets pid 300
            c = g.fork(wl)
            g.switch(c)
            g.exec(c)
            g.exit(c)
            g.switch(wl, "Z")
    g.action("forkexec:3", body)
    rc, out, res = run(build_log(g))
    r = res["forkexec:3"]
    check(rc == 0 and r["gt_procs"] == 4 and r["fp_exec"] == 4, r)


@test
def exec_preempted_after_load():
    """exec_mmap() loads the new CR3, then the task is preempted before the exec tracepoint:
    the create predates the task's last switch-in, and still matches its exec."""
    for mm_events in (False, True):
        g = Guest(mm_events=mm_events)

        def body(wl):
            c = g.fork(wl)
            g.switch(c)
            g.exec(c, between=g.kthread_blip)   # out and back in, inside exec
            g.exit(c)
            g.switch(wl, "Z")
        g.action("forkexec:1", body)
        af = antfarm_model(g.ev, g.kpids)
        blip = [tsc for tsc, k, f in g.ev if k == "S" and f[2] == 15][-1]
        check(any(a["ev"] == "create" and a["tsc"] < blip for a in af[2:]), af)
        rc, out, res = run(build_log(g, af))
        r = res["forkexec:1"]
        check(rc == 0 and r["fp"] == 0 and r["fp_exec"] == 2, out)


@test
def with_mm_events_the_same_runs_pass():
    """The kprobe events (U, L, mmev=1) in the dump: the standard workloads, helpers and
    the exit-path cases pass with the exact rule, and exit_ins counts the same switch-ins
    the heuristic took out where it is right."""
    g = Guest(mm_events=True)
    g.fork_only(5)
    g.forkexec(5)
    g.vforkexec(5)
    g.helpers()
    rc, out, res = run(build_log(g))
    check(rc == 0 and all(r["exit_path"] == "events" for r in res.values()), out)
    check(res["forkexec:5"]["fp_exec"] == 6 and res["helpers:2"]["gt_procs"] == 2, res)

    g = Guest(mm_events=True)

    def body(wl):
        for i in range(6):
            c = g.fork(wl)
            g.switch(c)
            if i == 1:
                g.exit_preempted(c, wl)
            elif i == 3:
                g.exit_preempted(c, wl, times=2)
            elif i == 4:
                g.exit_preempted(c, wl, via_kthread=True)
            else:
                g.exit(c)
            g.switch(wl, "Z")
    g.action("fork:6", body)
    rc, out, res = run(build_log(g))
    r = res["fork:6"]
    check(rc == 0 and r["switches"] == r["expected"] == 15 and r["exit_ins"] == 4, out)
    # without the events the heuristic gives the same here
    g.mm_events = False
    rc, out, res2 = run(build_log(g))
    check(rc == 0 and res2["fork:6"]["exit_path"] == "heuristic" and
          res2["fork:6"]["exit_ins"] == 4, out)


def _both(body, name):
    """The tool's results for one action, without and with the kprobe events."""
    out = []
    for mm_events in (False, True):
        g = Guest(mm_events=mm_events)
        g.action(name, lambda wl: body(g, wl))
        rc, text, res = run(build_log(g))
        out.append((rc, res[name], text))
    return out


@test
def mm_events_exact_where_the_heuristic_is_not():
    """Cases the exit-path heuristic gets wrong and the events get right."""
    def early(g, wl):               # preempted before exit_mm(): gets its CR3 back
        c = g.fork(wl)
        g.switch(c)
        g.switch(wl, "R+")
        g.switch(c, "S")
        g.exit(c)
        g.switch(wl, "Z")
    (rc0, r0, _), (rc1, r1, out) = _both(early, "fork:1")
    check(rc0 == 1 and r0["switches"] == r0["expected"] + 2, r0)
    check(rc1 == 0 and r1["exit_ins"] == 0 and r1["switches"] == r1["expected"], out)

    def sleeps(g, wl):              # sleeps (D) inside mmput(), after exit_mm(): no CR3
        c = g.fork(wl)
        g.switch(c)
        g.exit_mm(c)
        g.switch(wl, "D")
        g.switch(c, "S")
        g.exit(c)
        g.switch(wl, "Z")
    (rc0, r0, _), (rc1, r1, out) = _both(sleeps, "fork:1")
    check(rc0 == 1 and r0["switches"] == r0["expected"] - 2, r0)
    check(rc1 == 0 and r1["exit_ins"] == 1, out)

    def vfork_parent_between(g, wl):
        # the vfork child's exec_mmap() wakes the parent (exec_mm_release()), loads the new
        # mm, and is preempted by the parent before sched_process_exec: the parent's
        # switch-in loads the old (shared) mm again, the child's the new one
        c = g.fork(wl, VFORK_FLAGS)
        g.switch(c, "D")

        def parent_runs():
            g.switch(wl, "R+")
            g.switch(c, "S")
        g.exec(c, between=parent_runs)
        g.exit(c)
        g.switch(wl, "Z")
    (rc0, r0, _), (rc1, r1, out) = _both(vfork_parent_between, "vforkexec:1")
    check(rc0 == 1 and r0["switches"] == r0["expected"] + 2, r0)
    check(rc1 == 0 and r1["switches"] == r1["expected"], out)


@test
def dump_line_cut_by_a_kernel_message():
    """A kernel notice printed while tracedump writes cuts a dump line on the console
    (seen: "wlgt S 226434 258 Z 91[   60.096633] random: crng init done"); the rest of the
    line follows the notice."""
    text = "\n".join([
        "vm0| wlgt ev=begin tsc0=1000 kpids=2",
        "vm0| wlgt S 0 1 S 258",
        "vm0| wlgt S 226434 258 Z 91[   60.096633] random: crng init done",
        "vm0| ",
        "vm0| wlgt S 10 91 S 25[   61.000000] random: something",
        "vm0| 9",
        "vm0| wlgt X 5 259",
        "vm0| wlgt ev=end lines=3 entries=3 written=3 lost=0",
    ]).splitlines()
    log = ac.parse(text)
    sw = [(e["prev"], e["state"], e["next"]) for e in log.gt if e["ev"] == "switch"]
    check(sw == [(1, "S", 258), (258, "Z", 91), (91, "S", 259)] and not log.errors,
          (sw, log.errors))
    check([e["tsc"] for e in log.gt] == [1000, 227434, 227444, 227449], log.gt)


@test
def exit_path_switch_ins_load_no_cr3():   # (the heuristic: a dump without the events)
    """A child preempted inside exit_mm()'s teardown (R+) and switched back in has no mm: it
    runs like a kernel thread on the borrowed address space, so neither its switch-in nor
    its switch-out to the parent is an address-space switch (as on real runs: 3 such
    children in fork:100 gave the rule without the exit path 209 for antfarm's 203)."""
    g = Guest()

    def body(wl):
        for i in range(6):
            c = g.fork(wl)
            g.switch(c)
            if i == 1:
                g.exit_preempted(c, wl)                     # like task 110 of the real log
            elif i == 3:
                g.exit_preempted(c, wl, times=2)            # preempted twice in mmput()
            elif i == 4:
                g.exit_preempted(c, wl, via_kthread=True)   # back in from a kernel thread
            else:
                g.exit(c)
            g.switch(wl, "Z")
    g.action("fork:6", body)
    rc, out, res = run(build_log(g))
    r = res["fork:6"]
    check(rc == 0 and r["verdict"] == "pass", out)
    # the plain fork rule: 2N+2 switches plus the workload's exec, whatever the preemptions
    check(r["switches"] == r["expected"] == 2 * 6 + 2 + 1, r)
    # switch-ins the exit path took out: child 1 once, child 3 twice, child 4 once (the
    # kernel thread in between borrowed the parent's address space)
    check(r["exit_ins"] == 4, r)
    check(r["sched_switches"] - r["as_switches"] > 3 * 2, r)


@test
def exit_path_stops_at_resume_points():
    """Switch-ins that do load CR3 stay counted: after a switch-out that was no preemption
    (R: schedule() on the way back to user mode, like task 325 of the real log), after an
    exec or a fork of the task's own in the same run, and the task's first switch-in."""
    g = Guest()

    def body(wl):
        c = g.fork(wl)                  # yields on its way to user mode, then exits
        g.switch(c)
        g.switch(wl, "R")
        g.switch(c, "S")
        g.exit(c)
        g.switch(wl, "Z")
        c = g.fork(wl)                  # preempted in the kernel, then forks and exits
        g.switch(c)
        g.switch(wl, "R+")
        g.switch(c, "S")
        gc = g.fork(c)
        g.exit(c)
        g.switch(gc, "Z")
        g.exit(gc)
        g.switch(wl, "Z")
        c = g.fork(wl)                  # first run: the exit path ends at the first switch-in
        g.switch(c)
        g.exit(c)
        g.switch(wl, "Z")
        c = g.fork(wl)                  # returns to user (R), then preempted in exit_mm()
        g.switch(c)
        g.switch(wl, "R")
        g.switch(c, "S")
        g.exit_preempted(c, wl)
        g.switch(wl, "Z")
    g.action("fork:4", body)
    rc, out, res = run(build_log(g))
    r = res["fork:4"]
    check(rc == 0 and r["verdict"] == "pass" and r["exit_ins"] == 1, out)

    def vfork_body(wl):
        c = g.fork(wl, VFORK_FLAGS)     # preempted inside exec, before exec_mmap(): the
        g.switch(c, "D")                # exec in the final run is a resume point
        g.kthread_blip()
        g.switch(wl, "R+")
        g.switch(c, "S")
        g.exec(c)
        g.exit(c)
        g.switch(wl, "Z")
    g2 = Guest()
    g = g2
    g.action("vforkexec:1", vfork_body)
    rc, out, res = run(build_log(g))
    r = res["vforkexec:1"]
    check(rc == 0 and r["verdict"] == "pass" and r["exit_ins"] == 0, out)


@test
def exit_path_real_sequences():
    """The two sequences of build/tests/logs/linux-128m.log the rule is about (guest TSC):
    task 110 (fork:100), preempted after its address space was emptied, and task 325
    (vforkexec:100), which yielded on its way to user mode. antfarm printed no switch for
    110's switch-in and one for 325's."""
    def sw(tsc, prev, state, nxt):
        return {"tsc": tsc, "ev": "switch", "prev": prev, "state": state, "next": nxt}
    ev = [
        {"tsc": 28566191994, "ev": "fork", "ppid": 91, "pid": 110, "flags": 0},
        sw(28570401914, 91, "R", 15), sw(28570588490, 15, "I", 110),
        sw(28580906824, 110, "R+", 91),     # antfarm: count 0 at 28575910152 (-1922 us)
        sw(28582064942, 91, "S", 110),      # no CR3 load: exit path
        {"tsc": 28582291506, "ev": "exit", "pid": 110},
        sw(28582842342, 110, "Z", 91),
        {"tsc": 34866795392, "ev": "fork", "ppid": 293, "pid": 325, "flags": 0x4100},
        sw(34866968838, 293, "D", 325), sw(34870339010, 325, "R+", 293),
        sw(34873244250, 293, "R", 15), sw(34873427108, 15, "I", 325),
        {"tsc": 34879667160, "ev": "exec", "pid": 325, "filename": "/bin/workload"},
        sw(34883431752, 325, "R", 15), sw(34883633252, 15, "I", 293),
        sw(34884396248, 293, "S", 325),     # antfarm: switch at 34884449314
        {"tsc": 34888553752, "ev": "exit", "pid": 325},
        sw(34889059400, 325, "Z", 293),
    ]
    lazy = {ev[i]["tsc"] for i in ac.exit_path_switch_ins(ev)}
    check(lazy == {28582064942}, lazy)
    ev = [{"tsc": 28000000000, "ev": "marker", "text": "wl begin x:1"}] + ev + \
         [{"tsc": 34889059401, "ev": "marker", "text": "wl end x:1"}]
    segs, _ = ac.replay(ev, {15})
    # 91 and 293 alive before the trace; 91's address space is loaded first (the prev of
    # the first switch). Changes: ->110 (first in), 110->91, [91->110, 110->91: borrowed],
    # 293 D->325 (293's, shared), exec (a load), ->293, 293->325, 325->293: 6 + 1 exec
    # (8 + 1 without the exit path).
    check(segs[0].as_switches == 6 and segs[0].execs == 1 and segs[0].exit_ins == 1,
          (segs[0].as_switches, segs[0].execs, segs[0].exit_ins))
    # The same with the exit_mm events where they must be: 110's before its preemption
    # (its address space was empty by then), 325's after its last switch-in.
    ev2 = sorted(ev + [{"tsc": 28575910000, "ev": "exit_mm", "pid": 110},
                       {"tsc": 34888000000, "ev": "exit_mm", "pid": 325}],
                 key=lambda e: e["tsc"])
    segs, _ = ac.replay(ev2, {15})
    check(segs[0].as_switches == 6 and segs[0].execs == 1 and segs[0].exit_ins == 1,
          (segs[0].as_switches, segs[0].execs, segs[0].exit_ins))


@test
def preempted_before_exit_mm_is_beyond_the_trace():
    """The limit of the rule: a task preempted in the kernel before exit_mm() (or in an
    earlier kernel entry, then back to user mode and straight to exit within one run) does
    get its CR3 back, and the trace looks the same. The tool then expects 2 switches fewer
    than a correct antfarm shows: a visible switch-count failure, never a hidden one."""
    g = Guest()

    def body(wl):
        c = g.fork(wl)
        g.switch(c)
        g.switch(wl, "R+")              # no exit_mm() yet: the mm is still the child's
        g.switch(c, "S")
        g.exit(c)
        g.switch(wl, "Z")
    g.action("fork:1", body)
    rc, out, res = run(build_log(g))
    r = res["fork:1"]
    check(rc == 1 and r["switches"] == r["expected"] + 2 and r["exit_ins"] == 1, r)


@test
def unknown_clone_flags_and_slack():
    g = Guest()
    def body(wl):
        c = g.fork(wl, None)                # "?": treated as a fork with its own AS
        g.switch(c)
        g.exit(c)
        g.switch(wl, "Z")
    g.action("fork:1", body)
    af = antfarm_model(g.ev, g.kpids)
    rc, out, res = run(build_log(g, af))
    check(rc == 0, out)
    # a VMM clock 2 us early: the creates fall before their windows; --slack-us absorbs it
    early = [dict(a, tsc=a["tsc"] - 4000) for a in af]
    rc, out, res = run(build_log(g, early))
    check(rc == 1, "early creates must miss their windows")
    rc, out, res = run(build_log(g, early), "--slack-us", "5")
    check(rc == 0, out)


@test
def prefixes():
    for raw, want in [
        ("[    0.700000] I antfarm vm=0 ev=create pid=1 asid=0x00200000 t=0.023277 tsc=55731520",
         ("vmm", None)),
        ("[    0.7] I tsc hz=2600000000", ("vmm", None)),
        ("vm0| wlgt F 10 1 2 0", ("guest", 0)),
        ("vm3| wl ev=begin", ("guest", 3)),
        ("    3.818 wlgt S 1 2 S 3", ("raw", None)),
        ("wlgt S 1 2 S 3", ("raw", None)),
    ]:
        src, vm, text = ac.split_line(raw)
        check((src, vm) == want, "%r -> %r" % (raw, (src, vm, text)))
    a = ac.parse_af("antfarm vm=0 ev=create pid=1 asid=0x00200000 t=0.023277 tsc=55731520 new=x")
    check(a["pid"] == 1 and a["tsc"] == 55731520 and a["asid"] == "0x00200000", a)
    j = ac.parse_af('{"src":"antfarm","vm":0,"ev":"create","pid":17,"asid":"0x03a5f000",'
                    '"t":12.345678,"tsc":123456789}')
    check(j["pid"] == 17 and j["tsc"] == 123456789, j)


@test
def real_native_dump_with_modelled_antfarm():
    """The real ftrace dump of a native boot (if one is around), with antfarm modelled."""
    path = os.environ.get("AFC_NATIVE_LOG") or os.path.join(HERE, "..", "build", "guest", "native.log")
    if not os.path.exists(path):
        return "skip (no %s)" % path
    with open(path, errors="replace") as f:
        text = f.read()
    log = ac.parse(text.splitlines())
    if not log.have_dump or not log.dump_ended:
        return "skip (no complete dump in %s)" % path
    # Without exit_mm events the model takes exit_mm() where the tool's rule does, just
    # before the preemption (switch-out) that starts a task's exit path.
    lazy = set() if log.mm_events else ac.exit_path_switch_ins(log.gt)
    xm = {}
    for j in sorted(lazy):
        pid = log.gt[j]["next"]
        if pid in xm:
            continue
        for q in range(j - 1, -1, -1):
            if log.gt[q]["ev"] == "switch" and log.gt[q]["prev"] == pid:
                xm[pid] = q
                break
    xm_at = {q: pid for pid, q in xm.items()}
    ev = []
    for i, e in enumerate(log.gt):
        if i in xm_at:
            ev.append((e["tsc"] - 1, "XM", (xm_at[i],)))
        k = e["ev"]
        if k == "fork":
            ev.append((e["tsc"], "F", (e["ppid"], e["pid"],
                                       "?" if e["flags"] is None else "%x" % e["flags"])))
        elif k == "exec":
            ev.append((e["tsc"], "E", (e["pid"], e["filename"])))
        elif k == "exit":
            ev.append((e["tsc"], "X", (e["pid"],)))
        elif k == "switch":
            ev.append((e["tsc"], "S", (e["prev"], e["state"], e["next"])))
        elif k == "marker":
            ev.append((e["tsc"], "M", (e["text"],)))
        elif k == "exit_mm":
            ev.append((e["tsc"], "XM", (e["pid"],)))
        elif k == "exec_mm":
            ev.append((e["tsc"], "L", (e["pid"],)))
    af = antfarm_model(ev, sorted(log.kpids))
    body = "\n".join(l for l in text.splitlines() if " wlgt " in l or " wl " in l or
                     l.startswith(("wlgt", "wl ")))
    rc, out, res = run("[    0.1] I tsc hz=%d\n" % HZ + "\n".join(af_lines(af)) + "\n" + body + "\n")
    check(rc == 0, out)
    for r in res.values():
        if r["workload"] == "forkexec":
            check(r["fp_exec"] == r["gt_procs"], r)
    return "ok (%d workloads from %s, exit path from %s)" % (
        len(res), os.path.basename(path), "events" if log.mm_events else "the heuristic")


def main():
    verbose = "-v" in sys.argv
    failed = 0
    for t in TESTS:
        try:
            note = t()
            print("ok   %s%s" % (t.__name__, (" — " + note) if note else ""))
        except Exception as e:      # noqa: BLE001 — report every failure, keep going
            failed += 1
            print("FAIL %s: %s" % (t.__name__, e))
            if verbose:
                import traceback
                traceback.print_exc()
    print("%d passed, %d failed" % (len(TESTS) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
