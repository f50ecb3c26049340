/* workload.c — the myrmex guest workload program (see docs/guest.md).
 *
 * A static i386 program with no libc: raw `int $0x80` system calls that Linux 2.4
 * already had, so the same binary runs on 2.4, 2.6 and 6.1 guests.
 *
 *   workload [-v] fork N           fork a child that exits at once; wait; N times
 *   workload [-v] forkexec N       fork; the child execs this program in mode `child`
 *   workload [-v] vforkexec N      the same with vfork
 *   workload spin SECONDS          a CPU-bound loop
 *   workload [-v] touch MB REPS    a child maps MB MiB, writes every page, exits; REPS times
 *   workload read PATH BS TOTAL    sequential read of a file or block device
 *   workload child [FD]            (the exec target) report to FD and exit
 *
 * Numbers take K, M, G suffixes (powers of 1024). Output: key=value lines that start
 * with "wl " (format in docs/guest.md). With -v, every pid the program creates, that
 * execs, exits and that it reaps is logged with rdtsc and gettimeofday timestamps. The
 * events are kept in memory and printed after the timed loop, so the log does not
 * slow the workload down by writing to the serial console.
 */
#include "sys.h"
#include "wlib.h"

/* The small library (output, numbers) is in wlib.c. */

static void fmt_int(char *d, long v)  /* small non-negative or -1 */
{
    char t[16];
    int i = 0;
    if (v < 0) { *d++ = '-'; v = -v; }
    do { t[i++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (i) *d++ = t[--i];
    *d = 0;
}

static u64 now_us(void)
{
    struct timeval tv;
    sys_gettimeofday(&tv);
    return (u64)tv.tv_sec * 1000000u + (u64)tv.tv_usec;
}

/* ---- the event log ------------------------------------------------------------------ */

enum ev { EV_FORK = 1, EV_VFORK, EV_EXEC, EV_EXECFAIL, EV_EXIT, EV_REAP };
static const char *const ev_name[] = {
    "?", "fork", "vfork", "exec", "execfail", "exit", "reap",
};

/* One event; children send theirs to the parent through a pipe (32 bytes, atomic). */
struct rec {
    u32 ev, pid, ppid;
    s32 arg;            /* reap: wait status; execfail: -errno */
    u64 tsc;
    u32 sec, usec;
};

#define MAXREC 32768
static struct rec recs[MAXREC];
static u32 nrec, dropped;
static int verbose;
static int rfd = -1, wfd = -1;  /* the event pipe (verbose only) */

static void fill(struct rec *r, u32 ev, u32 pid, u32 ppid, s32 arg)
{
    struct timeval tv;
    r->tsc = rdtsc();
    sys_gettimeofday(&tv);
    r->ev = ev; r->pid = pid; r->ppid = ppid; r->arg = arg;
    r->sec = (u32)tv.tv_sec; r->usec = (u32)tv.tv_usec;
}

/* In a child: send one event to the parent (no-op without a pipe). */
static void send_ev(int fd, u32 ev, u32 pid, u32 ppid, s32 arg)
{
    struct rec r;
    if (fd < 0) return;
    fill(&r, ev, pid, ppid, arg);
    sys_write(fd, &r, sizeof r);
}

/* In the parent, after reaping: collect what the child sent. */
static void drain(void)
{
    struct rec r;
    if (rfd < 0) return;
    for (;;) {
        long n = sys_read(rfd, &r, sizeof r);
        if (n != (long)sizeof r) break;
        if (nrec == MAXREC) dropped++;
        else recs[nrec++] = r;
    }
}

static void print_events(void)
{
    /* In time order (insertion sort: the log is nearly sorted already). */
    for (u32 i = 1; i < nrec; i++) {
        struct rec r = recs[i];
        u32 j = i;
        while (j > 0 && recs[j - 1].tsc > r.tsc) { recs[j] = recs[j - 1]; j--; }
        recs[j] = r;
    }
    for (u32 i = 0; i < nrec; i++) {
        struct rec *r = &recs[i];
        puts_("wl ev="); puts_(ev_name[r->ev < 7 ? r->ev : 0]);
        kv("pid", r->pid);
        if (r->ev == EV_FORK || r->ev == EV_VFORK) kv("ppid", r->ppid);
        if (r->ev == EV_REAP) { puts_(" status="); puti(r->arg); }
        if (r->ev == EV_EXECFAIL) { puts_(" err="); puti(r->arg); }
        kv("tsc", r->tsc);
        puts_(" t="); putt(r->sec, r->usec);
        puts_("\n");
    }
}

static void open_pipe(void)
{
    int fds[2];
    if (!verbose) return;
    if (sys_failed(sys_pipe(fds))) { verbose = 0; return; }
    rfd = fds[0]; wfd = fds[1];
    sys_fcntl(rfd, F_SETFL, O_NONBLOCK);
}

/* ---- begin / end lines -------------------------------------------------------------- */

static u64 t0_us, t0_tsc;
static u32 mypid;

static void begin(const char *mode, u64 n)
{
    struct timeval tv;
    mypid = (u32)sys_getpid();
    t0_tsc = rdtsc();
    sys_gettimeofday(&tv);
    t0_us = (u64)tv.tv_sec * 1000000u + (u64)tv.tv_usec;
    puts_("wl ev=begin"); kvs("mode", mode); kv("n", n); kv("pid", mypid);
    kv("tsc", t0_tsc); puts_(" t="); putt((u32)tv.tv_sec, (u32)tv.tv_usec); puts_("\n");
    flush();   /* before any fork: a child must not inherit buffered output */
}

/* The end line: always printed; elapsed time, per-operation cost. */
static void end(const char *mode, u64 n, u64 ok, u64 fail)
{
    struct timeval tv;
    u64 tsc = rdtsc();
    sys_gettimeofday(&tv);
    u64 us = (u64)tv.tv_sec * 1000000u + (u64)tv.tv_usec - t0_us;
    print_events();
    puts_("wl ev=end"); kvs("mode", mode); kv("n", n); kv("ok", ok); kv("fail", fail);
    kv("us", us); kv("per_op_us", n ? us / n : 0); kv("tsc_cycles", tsc - t0_tsc);
    if (verbose) { kv("events", nrec); kv("dropped", dropped); }
    kv("tsc", tsc); puts_(" t="); putt((u32)tv.tv_sec, (u32)tv.tv_usec); puts_("\n");
    flush();
}

static void err(const char *what, long r)
{
    puts_("wl error="); puts_(what); puts_(" errno="); puti(-r); puts_("\n");
    flush();
}

/* ---- process modes ------------------------------------------------------------------ */

static const char *self = "/bin/workload";
static char *const no_env[] = { 0 };

static int wait_child(long pid)
{
    int status = 0;
    long r;
    struct rec reap;
    do r = sys_wait4((int)pid, &status, 0); while (r == -EINTR);
    if (r != pid) return -1;
    if (verbose) {
        fill(&reap, EV_REAP, (u32)pid, mypid, status);  /* stamped at once, */
        drain();                                        /* logged after the child's */
        if (nrec == MAXREC) dropped++; else recs[nrec++] = reap;
    }
    return status;
}

/* The vfork child runs on the parent's stack until it execs: a separate frame,
 * never returning, touching nothing of the caller's. */
static __attribute__((noinline, noreturn)) void vfork_child(char *const *argv, int fd)
{
    long r = sys_execve(self, argv, no_env);
    u32 pid = (u32)sys_getpid();
    send_ev(fd, EV_EXECFAIL, pid, 0, (s32)r);
    send_ev(fd, EV_EXIT, pid, 0, 127);
    sys_exit(127);
}

enum pmode { P_FORK, P_FORKEXEC, P_VFORKEXEC };

static int run_procs(enum pmode m, u64 n)
{
    static const char *const names[] = { "fork", "forkexec", "vforkexec" };
    char fdarg[16];
    char *argv[4];
    u64 ok = 0, fail = 0;

    open_pipe();
    fmt_int(fdarg, wfd);
    argv[0] = (char *)self; argv[1] = "child"; argv[2] = fdarg; argv[3] = 0;
    begin(names[m], n);
    for (u64 i = 0; i < n; i++) {
        long pid;
        struct rec cr;   /* stamped just before the call: the child exists within it */
        if (verbose) fill(&cr, m == P_VFORKEXEC ? EV_VFORK : EV_FORK, 0, mypid, 0);
        if (m == P_VFORKEXEC) {
            pid = sys_vfork();
            if (pid == 0) vfork_child(argv, wfd);
        } else {
            pid = sys_fork();
            if (pid == 0) {
                u32 me = (u32)sys_getpid();
                if (m == P_FORK) {
                    send_ev(wfd, EV_EXIT, me, 0, 0);
                    sys_exit(0);
                }
                long r = sys_execve(self, argv, no_env);
                send_ev(wfd, EV_EXECFAIL, me, 0, (s32)r);
                send_ev(wfd, EV_EXIT, me, 0, 127);
                sys_exit(127);
            }
        }
        if (sys_failed(pid)) { err(m == P_VFORKEXEC ? "vfork" : "fork", pid); fail++; continue; }
        if (verbose) {
            cr.pid = (u32)pid;
            if (nrec == MAXREC) dropped++; else recs[nrec++] = cr;
        }
        if (wait_child(pid) == 0) ok++; else fail++;
    }
    end(names[m], n, ok, fail);
    return fail ? 1 : 0;
}

/* The exec target: one event at start, one before exit. */
static int run_child(const char *fdarg)
{
    s64 fd = fdarg ? parse_num(fdarg) : -1;
    u32 me = (u32)sys_getpid();
    send_ev((int)fd, EV_EXEC, me, 0, 0);
    send_ev((int)fd, EV_EXIT, me, 0, 0);
    return 0;
}

static volatile u32 sink;

static int run_spin(u64 secs)
{
    u64 loops = 0, start = now_us(), limit = secs * 1000000u, el;
    begin("spin", secs);
    do {
        for (u32 i = 0; i < 1000000; i++) sink += i;
        loops++;
        el = now_us() - start;
    } while (el < limit);
    puts_("wl ev=spin"); kv("mloops", loops); kv("us", el); puts_("\n");
    end("spin", secs, 1, 0);
    return 0;
}

static int run_touch(u64 mb, u64 reps)
{
    u64 ok = 0, fail = 0;
    u32 len = (u32)(mb << 20);
    open_pipe();
    begin("touch", reps);
    for (u64 i = 0; i < reps; i++) {
        struct rec cr;
        if (verbose) fill(&cr, EV_FORK, 0, mypid, 0);
        long pid = sys_fork();
        if (pid == 0) {
            u32 me = (u32)sys_getpid();
            long p = sys_old_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (sys_failed(p)) {            /* fall back to brk */
                long b = sys_brk(0);
                p = sys_brk((char *)b + len);
                if ((unsigned long)p < (unsigned long)b + len) sys_exit(2);
                p = b;
            }
            for (u32 off = 0; off < len; off += 4096) ((volatile char *)p)[off] = 1;
            send_ev(wfd, EV_EXIT, me, 0, 0);
            sys_exit(0);
        }
        if (sys_failed(pid)) { err("fork", pid); fail++; continue; }
        if (verbose) {
            cr.pid = (u32)pid;
            if (nrec == MAXREC) dropped++; else recs[nrec++] = cr;
        }
        if (wait_child(pid) == 0) ok++; else fail++;
    }
    puts_("wl ev=touch"); kv("mb", mb); kv("pages", (u64)len / 4096 * reps); puts_("\n");
    end("touch", reps, ok, fail);
    return fail ? 1 : 0;
}

static char rbuf[1 << 20] __attribute__((aligned(4096)));

static int run_read(const char *path, u64 bs, u64 total)
{
    u64 done = 0;
    long fd;
    if (bs == 0 || bs > sizeof rbuf) bs = sizeof rbuf;
    fd = sys_open(path, O_RDONLY, 0);
    if (sys_failed(fd)) { err("open", fd); return 1; }
    begin("read", total);
    while (done < total) {
        u32 want = (u32)(total - done < bs ? total - done : bs);
        long r = sys_read((int)fd, rbuf, want);
        if (r == -EINTR) continue;
        if (sys_failed(r)) { err("read", r); break; }
        if (r == 0) break;
        done += (u64)r;
    }
    sys_close((int)fd);
    u64 us = now_us() - t0_us;
    puts_("wl ev=read"); kvs("path", path); kv("bs", bs); kv("bytes", done);
    kv("us", us); kv("kib_per_s", us ? done * 1000000u / 1024 / us : 0); puts_("\n");
    end("read", total, done == total, done != total);
    return done == total ? 0 : 1;
}

static int usage(void)
{
    puts_("usage: workload [-v] fork|forkexec|vforkexec N | spin SECONDS | "
          "touch MB REPS | read PATH BS TOTAL | child [FD]\n");
    flush();
    return 2;
}

int wl_main(int argc, char **argv)
{
    int i = 1;
    if (argc > 0 && argv[0] && argv[0][0] == '/') self = argv[0];
    while (i < argc && argv[i][0] == '-') {
        if (seq(argv[i], "-v")) verbose = 1;
        else if (seq(argv[i], "-e") && i + 1 < argc) self = argv[++i];
        else return usage();
        i++;
    }
    if (i >= argc) return usage();
    const char *m = argv[i];
    const char *a1 = i + 1 < argc ? argv[i + 1] : 0;
    const char *a2 = i + 2 < argc ? argv[i + 2] : 0;
    const char *a3 = i + 3 < argc ? argv[i + 3] : 0;
    s64 n1 = parse_num(a1), n2 = parse_num(a2), n3 = parse_num(a3);

    if (seq(m, "child")) return run_child(a1);
    if (seq(m, "fork") && n1 >= 0) return run_procs(P_FORK, (u64)n1);
    if (seq(m, "forkexec") && n1 >= 0) return run_procs(P_FORKEXEC, (u64)n1);
    if (seq(m, "vforkexec") && n1 >= 0) return run_procs(P_VFORKEXEC, (u64)n1);
    if (seq(m, "spin") && n1 >= 0) return run_spin((u64)n1);
    if (seq(m, "touch") && n1 > 0 && n1 < 4096 && n2 >= 0) return run_touch((u64)n1, (u64)n2);
    if (seq(m, "read") && a1 && n2 >= 0 && n3 >= 0) return run_read(a1, (u64)n2, (u64)n3);
    return usage();
}
