/* tracedump.c — compact ftrace ground truth for the serial console (docs/guest.md).
 *
 *   tracedump [-s] [-m] TRACEFILE [KPID...]
 *
 * Reads /sys/kernel/tracing/trace (trace_clock=x86-tsc; events sched_process_fork,
 * sched_process_exec, sched_process_exit, sched_switch, task_newtask, and trace_marker
 * writes "wl begin ACTION" / "wl end ACTION"; with -m also the init script's kprobe
 * events myrmex/exit_mm, myrmex/exec_mm and myrmex/use_mm). KPIDs: the kernel threads
 * alive when tracing began (kthreadd's children). -s prints the summary lines only; -m
 * says the kprobe events were enabled (the begin line then carries mmev=1).
 *
 * Output, every line starting with "wlgt":
 *   wlgt ev=begin tsc0=T kpids=P,P,... [mmev=1]  the first event's absolute TSC
 *   wlgt F dT ppid pid clone_flags_hex        sched_process_fork (flags from task_newtask)
 *   wlgt E dT pid filename                    sched_process_exec
 *   wlgt X dT pid                             sched_process_exit
 *   wlgt S dT prev_pid prev_state next_pid    sched_switch
 *   wlgt M dT text...                         trace_marker
 *   wlgt U dT pid                             myrmex/exit_mm: exit_mm() set pid's mm to
 *                                             NULL (its later switch-ins load no CR3)
 *   wlgt L dT pid                             myrmex/exec_mm: exec_mmap() is about to
 *                                             load pid's new mm (no scheduling point in
 *                                             between; sched_process_exec follows)
 *   wlgt K dT pid                             myrmex/use_mm: kernel thread pid took on a
 *                                             user mm (kthread_use_mm())
 *   wlgt N pid comm                           a pid's name when first seen or changed (may
 *                                             follow the line naming the pid; a forked
 *                                             child inherits its parent's name silently)
 *   wlgt ev=seg name=A tsc_begin= tsc_end= forks= execs= exits= switches= as_switches=
 *   wlgt ev=end lines=N entries=E written=W lost=W-E
 * dT: TSC delta from the previous event line (the first from tsc0, so 0).
 *
 * A C program rather than a busybox awk script: awk needs ~200 us a line in a TCG
 * guest, i.e. 5 s for the N=1000 workloads. No libc, like the workload program.
 */
#include "sys.h"
#include "wlib.h"

#define PIDS    65536u          /* indexed by pid modulo this: ample for one run */
#define PRE     0x80000000u     /* the address space of a task older than the trace */
#define MAXTOK  48

static unsigned char kern[PIDS];
static u32 mm[PIDS];            /* address-space id; 0 = unknown */
static u32 cflags[PIDS];
static unsigned char gone[PIDS];    /* exit_mm seen: runs without an mm, like a kthread */
static unsigned char loaded[PIDS];  /* exec_mm seen, its sched_process_exec not yet */
static int mmev;
static char names[PIDS][16];
static u32 nmm, curmm;
static int events = 1;

static int started;
static u64 last, lastts, nlines, entries, written;
static const char *kplist = "";
static char kpbuf[1024];

static int inseg;
static char segname[96];
static u64 segt0;
static u32 sforks, sexecs, sexits, sswitch, sas;

static char *tok[MAXTOK];
static int ntok, ti;

static u32 ix(u32 pid) { return pid & (PIDS - 1); }
static int user(u32 pid) { return pid != 0 && !kern[ix(pid)]; }

static u64 num(const char *s)
{
    u64 v = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') v = v * 10 + (u64)(*s - '0');
        else if (*s != '.') break;
    }
    return v;
}

static int prefix(const char *s, const char *p)
{
    while (*p) if (*s++ != *p++) return 0;
    return 1;
}

/* The value of token i when it is "key=value" (the fixed layout of these events);
 * otherwise of key anywhere after the event name; "" when absent. */
static const char *fv(int i, const char *key)
{
    u32 l = slen(key);
    if (i < ntok && prefix(tok[i], key) && tok[i][l] == '=') return tok[i] + l + 1;
    for (int j = ti + 2; j < ntok; j++)
        if (prefix(tok[j], key) && tok[j][l] == '=') return tok[j] + l + 1;
    return "";
}

static void name(u32 pid, const char *c)
{
    char *n = names[ix(pid)];
    if (!*c || seq(n, c)) return;
    u32 i = 0;
    for (; c[i] && i < 15; i++) n[i] = c[i];
    n[i] = 0;
    if (events) { puts_("wlgt N "); putu(pid); puts_(" "); puts_(n); puts_("\n"); }
}

static void line_head(const char *tag, u64 ts)
{
    if (!started) {
        started = 1; last = ts;
        puts_("wlgt ev=begin tsc0="); putu(ts); kvs("kpids", kplist);
        if (mmev) kv("mmev", 1);
        puts_("\n");
    }
    puts_("wlgt "); puts_(tag); puts_(" "); putu(ts - last);
    last = ts;
}

static void seg_flush(void)
{
    if (!inseg) return;
    puts_("wlgt ev=seg"); kvs("name", segname); kv("tsc_begin", segt0); kv("tsc_end", lastts);
    kv("forks", sforks); kv("execs", sexecs); kv("exits", sexits);
    kv("switches", sswitch); kv("as_switches", sas); puts_("\n");
    inseg = 0;
}

static int is_cpu(const char *t)
{
    if (t[0] != '[') return 0;
    t++;
    if (*t < '0' || *t > '9') return 0;
    while (*t >= '0' && *t <= '9') t++;
    return t[0] == ']' && t[1] == 0;
}

static int is_ts(const char *t)
{
    if (*t < '0' || *t > '9') return 0;
    while ((*t >= '0' && *t <= '9') || *t == '.') t++;
    return t[0] == ':' && t[1] == 0;
}

static void header(const char *l)
{
    static const char key[] = "entries-in-buffer/entries-written: ";
    for (; *l; l++) {
        if (prefix(l, key)) {
            const char *p = l + sizeof key - 1;
            entries = num(p);
            while (*p >= '0' && *p <= '9') p++;
            if (*p == '/') written = num(p + 1);
            return;
        }
    }
}

static void do_line(char *l)
{
    static const char mk[] = "tracing_mark_write: ";
    static char marker[256];
    int is_marker = 0;
    if (l[0] == '#') { header(l); return; }
    for (char *p = l; *p; p++)
        if (*p == 't' && prefix(p, mk)) {      /* keep the text before tokenizing */
            u32 i = 0;
            for (p += sizeof mk - 1; *p && i < sizeof marker - 1; p++) marker[i++] = *p;
            marker[i] = 0;
            is_marker = 1;
            break;
        }

    ntok = 0;
    for (char *p = l; *p && ntok < MAXTOK;) {
        while (*p == ' ' || *p == '\t') *p++ = 0;
        if (!*p) break;
        tok[ntok++] = p;
        while (*p && *p != ' ' && *p != '\t') p++;
    }
    int ci = -1;
    if (ntok > 1 && is_cpu(tok[1])) ci = 1;
    else for (int i = 0; i < ntok; i++) if (is_cpu(tok[i])) { ci = i; break; }
    if (ci < 0 || ci + 2 >= ntok) return;
    ti = is_ts(tok[ci + 1]) ? ci + 1 : ci + 2;
    if (ti + 1 >= ntok) return;
    u64 ts = num(tok[ti]);
    const char *ev = tok[ti + 1];
    lastts = ts;
    nlines++;

    if (seq(ev, "exit_mm:") || seq(ev, "exec_mm:") || seq(ev, "use_mm:")) {
        /* kprobe events carry no pid field: take it from the "comm-pid" task field */
        if (ci < 1) return;
        const char *d = 0;
        for (const char *q = tok[ci - 1]; *q; q++) if (*q == '-') d = q;
        if (!d) return;
        u32 p = (u32)num(d + 1);
        const char *tag = ev[1] == 'x' ? (ev[2] == 'i' ? "U" : "L") : "K";
        if (tag[0] == 'U') {
            gone[ix(p)] = 1;                /* no CR3 for it from here on */
        } else if (tag[0] == 'L') {
            mm[ix(p)] = ++nmm;              /* loaded without a scheduling point */
            curmm = mm[ix(p)];
            loaded[ix(p)] = 1;
            gone[ix(p)] = 0;
        }
        if (events) { line_head(tag, ts); puts_(" "); putu(p); puts_("\n"); }
    } else if (seq(ev, "task_newtask:")) {
        const char *f = fv(ti + 4, "clone_flags");
        u32 v = 0;
        for (; *f; f++) v = v * 16 + (u32)(*f <= '9' ? *f - '0' : (*f | 0x20) - 'a' + 10);
        cflags[ix((u32)num(fv(ti + 2, "pid")))] = v | 0x80000000u;  /* top bit: known */
    } else if (seq(ev, "sched_process_fork:")) {
        u32 pp = (u32)num(fv(ti + 3, "pid")), cp = (u32)num(fv(ti + 5, "child_pid"));
        u32 f = cflags[ix(cp)];
        cflags[ix(cp)] = 0;
        kern[ix(cp)] = (!user(pp) || pp == 2);
        gone[ix(cp)] = loaded[ix(cp)] = 0;
        if (f && (f & 0x100)) {            /* CLONE_VM: the parent's address space */
            if (!mm[ix(pp)]) mm[ix(pp)] = PRE | pp;
            mm[ix(cp)] = mm[ix(pp)];
        } else {
            mm[ix(cp)] = ++nmm;
        }
        if (user(cp)) sforks++;
        if (events) {
            line_head("F", ts); puts_(" "); putu(pp); puts_(" "); putu(cp); puts_(" ");
            if (f) {
                char h[9]; int n = 0;
                u32 v = f & 0x7fffffffu;
                do { h[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
                while (n) putn(&h[--n], 1);
            } else puts_("?");
            puts_("\n");
        }
        memcpy(names[ix(cp)], names[ix(pp)], 16);   /* a child inherits its name */
        name(cp, fv(ti + 4, "child_comm"));
    } else if (seq(ev, "sched_process_exec:")) {
        u32 p = (u32)num(fv(ti + 3, "pid"));
        kern[ix(p)] = 0;                    /* a usermode helper becomes a user task */
        if (!loaded[ix(p)]) mm[ix(p)] = ++nmm;  /* else exec_mm made it, and loaded it */
        loaded[ix(p)] = 0;
        gone[ix(p)] = 0;
        sexecs++;
        curmm = mm[ix(p)];                  /* exec loads the new address space at once */
        if (events) {
            line_head("E", ts); puts_(" "); putu(p); puts_(" ");
            puts_(fv(ti + 2, "filename")); puts_("\n");
        }
    } else if (seq(ev, "sched_process_exit:")) {
        u32 p = (u32)num(fv(ti + 3, "pid"));
        if (user(p)) sexits++;
        if (events) { line_head("X", ts); puts_(" "); putu(p); puts_("\n"); }
        name(p, fv(ti + 2, "comm"));
    } else if (seq(ev, "sched_switch:")) {
        u32 pp = (u32)num(fv(ti + 3, "prev_pid")), np = (u32)num(fv(ti + 8, "next_pid"));
        sswitch++;
        /* An address-space switch: the incoming task is a user task whose address
         * space differs from the last one loaded (kernel threads borrow it). */
        if (user(np) && !gone[ix(np)]) {
            if (!mm[ix(np)]) mm[ix(np)] = PRE | np;
            if (mm[ix(np)] != curmm) { sas++; curmm = mm[ix(np)]; }
        }
        if (events) {
            line_head("S", ts); puts_(" "); putu(pp); puts_(" ");
            puts_(fv(ti + 5, "prev_state")); puts_(" "); putu(np); puts_("\n");
        }
        name(pp, fv(ti + 2, "prev_comm"));
        name(np, fv(ti + 7, "next_comm"));
    } else if (is_marker) {
        if (events) { line_head("M", ts); puts_(" "); puts_(marker); puts_("\n"); }
        if (ti + 4 < ntok && seq(tok[ti + 2], "wl") && seq(tok[ti + 3], "begin")) {
            seg_flush();
            u32 i = 0;
            for (const char *s = tok[ti + 4]; *s && i < sizeof segname - 1; s++) segname[i++] = *s;
            segname[i] = 0;
            segt0 = ts; inseg = 1;
            sforks = sexecs = sexits = sswitch = sas = 0;
        } else if (ti + 3 < ntok && seq(tok[ti + 2], "wl") && seq(tok[ti + 3], "end")) {
            seg_flush();
        }
    }
}

static char rbuf[65536];
static char lbuf[1024];

int wl_main(int argc, char **argv)
{
    int a = 1;
    for (; a < argc && argv[a][0] == '-'; a++) {
        if (seq(argv[a], "-s")) events = 0;
        else if (seq(argv[a], "-m")) mmev = 1;
        else break;
    }
    if (a >= argc) {
        puts_("usage: tracedump [-s] [-m] TRACEFILE [KPID...]\n"); flush();
        return 2;
    }
    const char *path = argv[a++];
    u32 kl = 0;
    for (; a < argc; a++) {
        u32 pid = (u32)num(argv[a]);
        kern[ix(pid)] = 1;
        if (kl) kpbuf[kl++] = ',';
        for (const char *s = argv[a]; *s && kl < sizeof kpbuf - 2; s++) kpbuf[kl++] = *s;
    }
    kpbuf[kl] = 0;
    kplist = kpbuf;
    kern[2] = 1;

    long fd = sys_open(path, O_RDONLY, 0);
    if (sys_failed(fd)) {
        puts_("wlgt ev=error open="); puts_(path); puts_("\n"); flush();
        return 1;
    }
    u32 ll = 0;
    for (;;) {
        long n = sys_read((int)fd, rbuf, sizeof rbuf);
        if (n == -EINTR) continue;
        if (n <= 0) break;
        for (long i = 0; i < n; i++) {
            char c = rbuf[i];
            if (c == '\n') { lbuf[ll] = 0; do_line(lbuf); ll = 0; }
            else if (ll < sizeof lbuf - 1) lbuf[ll++] = c;
        }
    }
    if (ll) { lbuf[ll] = 0; do_line(lbuf); }
    sys_close((int)fd);
    seg_flush();
    puts_("wlgt ev=end"); kv("lines", nlines); kv("entries", entries); kv("written", written);
    kv("lost", written - entries); puts_("\n");
    flush();
    return 0;
}
