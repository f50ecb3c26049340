/* sys.h — the raw Linux i386 system calls the workload program uses.
 * Only calls Linux 2.4 already had, so one static binary runs on 2.4, 2.6 and 6.1. */
#ifndef WL_SYS_H
#define WL_SYS_H

typedef unsigned int       u32;
typedef unsigned long long u64;
typedef int                s32;
typedef long long          s64;

/* System call numbers (arch/i386/kernel/entry.S of Linux 2.4). */
enum {
    NR_exit = 1, NR_fork = 2, NR_read = 3, NR_write = 4, NR_open = 5, NR_close = 6,
    NR_execve = 11, NR_lseek = 19, NR_getpid = 20, NR_pipe = 42, NR_brk = 45,
    NR_fcntl = 55, NR_gettimeofday = 78, NR_reboot = 88, NR_old_mmap = 90,
    NR_munmap = 91, NR_wait4 = 114, NR_llseek = 140, NR_sched_yield = 158,
    NR_nanosleep = 162, NR_vfork = 190,
};

enum { O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NONBLOCK = 04000 };
enum { F_SETFL = 4 };
enum { PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20 };
enum { EINTR = 4, EAGAIN = 11 };

struct timeval  { long tv_sec, tv_usec; };
struct timespec { long tv_sec, tv_nsec; };

long sys6(long nr, long a, long b, long c, long d, long e, long f);
long sys_vfork(void);   /* in sys.S: keeps nothing on the shared stack */

#define SYS0(n)             sys6((n), 0, 0, 0, 0, 0, 0)
#define SYS1(n, a)          sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define SYS2(n, a, b)       sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(n, a, b, c)    sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SYS5(n, a, b, c, d, e) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static inline __attribute__((noreturn)) void sys_exit(int code)
{
    for (;;)
        __asm__ volatile("int $0x80" : : "a"(NR_exit), "b"(code) : "memory");
}
static inline long sys_fork(void)                  { return SYS0(NR_fork); }
static inline long sys_read(int fd, void *b, u32 n) { return SYS3(NR_read, fd, b, n); }
static inline long sys_write(int fd, const void *b, u32 n) { return SYS3(NR_write, fd, b, n); }
static inline long sys_open(const char *p, int fl, int mode) { return SYS3(NR_open, p, fl, mode); }
static inline long sys_close(int fd)               { return SYS1(NR_close, fd); }
static inline long sys_execve(const char *p, char *const *argv, char *const *envp)
{ return SYS3(NR_execve, p, argv, envp); }
static inline long sys_getpid(void)                { return SYS0(NR_getpid); }
static inline long sys_pipe(int fds[2])            { return SYS1(NR_pipe, fds); }
static inline long sys_fcntl(int fd, int cmd, long arg) { return SYS3(NR_fcntl, fd, cmd, arg); }
static inline long sys_brk(void *p)                { return SYS1(NR_brk, p); }
static inline long sys_gettimeofday(struct timeval *tv) { return SYS2(NR_gettimeofday, tv, 0); }
static inline long sys_wait4(int pid, int *status, int opt)
{ return SYS4(NR_wait4, pid, status, opt, 0); }
static inline long sys_munmap(void *p, u32 len)    { return SYS2(NR_munmap, p, len); }
static inline long sys_nanosleep(const struct timespec *req) { return SYS2(NR_nanosleep, req, 0); }
static inline long sys_sched_yield(void)           { return SYS0(NR_sched_yield); }

/* Old-style mmap (syscall 90): one pointer to six arguments; works on 2.4. */
static inline long sys_old_mmap(void *addr, u32 len, int prot, int flags, int fd, u32 off)
{
    long args[6] = { (long)addr, (long)len, prot, flags, fd, (long)off };
    return SYS1(NR_old_mmap, args);
}

static inline int sys_failed(long r) { return (unsigned long)r >= (unsigned long)-4095; }

static inline u64 rdtsc(void)
{
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((u64)hi << 32) | lo;
}

#endif
