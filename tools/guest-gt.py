#!/usr/bin/env python3
"""guest-gt.py — extract the default guest's ground truth from a console log.

    tools/guest-gt.py LOG [--json OUT]

LOG is a serial console log of a run with wl.trace=1 (and optionally wl.v=1): straight
from QEMU, from tools/guest-native.sh's log (leading host timestamps), or from myrmex
(a "vm0| " prefix). It rebuilds the ftrace events with absolute TSC values (the dump
gives deltas), splits them into the actions' segments (trace markers), and prints one
summary line per segment; --json writes everything for a comparison tool:

  {"lost": N, "kpids": [...], "names": {pid: comm},
   "segments": [{"name", "tsc_begin", "tsc_end", "forks", "execs", "exits", "switches",
                 "as_switches", "events": [{"tsc", "ev": fork|exec|exit|switch, ...}]}],
   "workload": [{"mode", "n", "ok", "fail", "pid", "tsc_begin", "tsc_end",
                 "events": [{"ev", "pid", "tsc", "t", ...}]}]}

Formats: docs/guest.md. Exit status 1 when the dump is missing or events were lost.
"""
import json
import re
import sys

PREFIX = re.compile(r"^(?:\s*\d+\.\d+\s)?(?:vm\d+\| ?)?")


def kvs(words):
    return dict(w.split("=", 1) for w in words if "=" in w)


def num(v):
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def parse(lines):
    out = {"lost": None, "kpids": [], "names": {}, "segments": [], "workload": []}
    tsc = None
    events = []          # all ftrace events, absolute TSC
    run = None
    for raw in lines:
        line = PREFIX.sub("", raw.rstrip("\r\n"), count=1)
        w = line.split()
        if not w:
            continue
        if w[0] == "wlgt":
            if len(w) > 1 and w[1].startswith("ev="):
                d = kvs(w[1:])
                if d["ev"] == "begin":
                    tsc = int(d["tsc0"])
                    out["kpids"] = [int(p) for p in d.get("kpids", "").split(",") if p]
                elif d["ev"] == "seg":
                    seg = {k: num(v) for k, v in d.items() if k != "ev"}
                    seg["name"] = d["name"]
                    seg["events"] = [e for e in events
                                     if seg["tsc_begin"] <= e["tsc"] <= seg["tsc_end"]]
                    out["segments"].append(seg)
                elif d["ev"] == "end":
                    out["lost"] = int(d["lost"])
                    out["entries"] = int(d["entries"])
                continue
            tag = w[1]
            if tag == "N":
                out["names"][int(w[2])] = w[3] if len(w) > 3 else ""
                continue
            tsc += int(w[2])
            if tag == "F":
                events.append({"tsc": tsc, "ev": "fork", "ppid": int(w[3]), "pid": int(w[4]),
                               "clone_flags": w[5]})
            elif tag == "E":
                events.append({"tsc": tsc, "ev": "exec", "pid": int(w[3]),
                               "filename": " ".join(w[4:])})
            elif tag == "X":
                events.append({"tsc": tsc, "ev": "exit", "pid": int(w[3])})
            elif tag == "S":
                events.append({"tsc": tsc, "ev": "switch", "prev_pid": int(w[3]),
                               "prev_state": w[4], "next_pid": int(w[5])})
            elif tag == "M":
                events.append({"tsc": tsc, "ev": "marker", "text": " ".join(w[3:])})
        elif w[0] == "wl" and len(w) > 1 and w[1].startswith("ev="):
            d = {k: num(v) for k, v in kvs(w[1:]).items()}
            if d["ev"] == "begin":
                run = {"mode": d["mode"], "n": d["n"], "pid": d.get("pid"),
                       "tsc_begin": d.get("tsc"), "events": []}
            elif d["ev"] == "end" and run is not None:
                run.update({k: d[k] for k in ("ok", "fail", "us") if k in d})
                run["tsc_end"] = d.get("tsc")
                out["workload"].append(run)
                run = None
            elif run is not None and d["ev"] in ("fork", "vfork", "exec", "execfail",
                                                   "exit", "reap"):
                run["events"].append(d)
    return out


def main():
    args = sys.argv[1:]
    jout = None
    if "--json" in args:
        i = args.index("--json")
        jout = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(args[0], errors="replace") as f:
        gt = parse(f)
    for s in gt["segments"]:
        print("gt seg=%-22s forks=%-5d execs=%-5d exits=%-5d switches=%-6d as_switches=%-6d "
              "events=%d" % (s["name"], s["forks"], s["execs"], s["exits"], s["switches"],
                             s["as_switches"], len(s["events"])))
    for r in gt["workload"]:
        print("wl  mode=%-10s n=%-5s ok=%-5s fail=%-3s logged=%d" %
              (r["mode"], r["n"], r.get("ok"), r.get("fail"), len(r["events"])))
    print("gt lost=%s entries=%s" % (gt["lost"], gt.get("entries")))
    if jout:
        with open(jout, "w") as f:
            json.dump(gt, f)
    return 0 if gt["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
