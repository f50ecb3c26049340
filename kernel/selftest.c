// selftest.c — in-kernel self tests: allocator, heap, timer, command line, exceptions.
#include "kernel/selftest.h"
#include "kernel/cmdline.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/time.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "kernel/x86.h"
#include "kernel/lib.h"

extern const struct selftest __selftests_start[], __selftests_end[];

int selftest_run(void)
{
    int passed = 0, failed = 0;
    for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
        const char *err = t->fn();
        if (err) { log_err("selftest %s FAIL: %s", t->name, err); failed++; }
        else { log_info("selftest %s ok", t->name); passed++; }
    }
    log_info("selftest: %d passed, %d failed", passed, failed);
    return failed;
}

SELFTEST(page_alloc)
{
    u64 before = mem_free_pages();
    u64 a = page_alloc(), b = page_alloc(), low = page_alloc_low();
    if (!a || !b || a == b || (a | b) & 0xfff) return "page_alloc gave bad frames";
    if (!low || low >= LOW_4G) return "page_alloc_low gave a frame above 4 GiB";
    if (((u64 *)phys_to_virt(a))[100] != 0) return "frame not zeroed";
    u64 c = page_alloc_contig(64, LOW_4G, 1 << 21);
    if (!c || c & ((1 << 21) - 1)) return "contiguous allocation misaligned";
    if (mem_free_pages() != before - 67) return "free count wrong after allocation";
    page_free(a);
    page_free(b);
    page_free(low);
    page_free_contig(c, 64);
    if (mem_free_pages() != before) return "free count wrong after free";
    return NULL;
}

SELFTEST(heap)
{
    void *p[64];
    for (int i = 0; i < 64; i++) {
        p[i] = kzalloc(8 + i * 97);
        if (!p[i] || ((u64)p[i] & 15)) return "kzalloc failed or misaligned";
        memset(p[i], 0xa5, 8 + i * 97);
    }
    for (int i = 0; i < 64; i += 2) kfree(p[i]);
    void *q = kzalloc(100);
    if (!q || ((u8 *)q)[50] != 0) return "reused block not zeroed";
    void *big = kzalloc(3 * PAGE_SIZE);
    if (!big || ((u8 *)big)[2 * PAGE_SIZE] != 0) return "big allocation failed";
    kfree(big);
    kfree(q);
    for (int i = 1; i < 64; i += 2) kfree(p[i]);
    return NULL;
}

static volatile int fired;
static void on_timer(struct timer *t) { fired++; }

SELFTEST(timer_oneshot)
{
    struct timer t = { .fn = on_timer };
    u64 start = time_ns();
    fired = 0;
    timer_arm(&t, start + 10 * 1000000ULL);
    sti();
    while (!fired && time_ns() - start < 2000000000ULL) hlt();
    cli();
    u64 elapsed = time_ns() - start;
    if (!fired) return "timer did not fire within 2 s";
    if (elapsed < 10 * 1000000ULL) return "timer fired early";
    if (timer_irqs == 0) return "no timer interrupt was taken";
    return NULL;
}

SELFTEST(tsc_calibrated)
{
    return tsc_hz < 10000000ULL ? "TSC rate below 10 MHz" : NULL;
}

SELFTEST(cmdline)
{
    static bool flag;
    static u64 size;
    static int level;
    static const char *const names[] = { "a", "b", NULL };
    const struct cmdline_opt opts[] = {
        { .key = "flag", .type = OPT_FLAG, .dest = &flag },
        { .key = "size", .type = OPT_SIZE, .dest = &size },
        { .key = "level", .type = OPT_ENUM, .dest = &level, .choices = names },
        { .key = NULL },
    };
    static char err[128];
    if (!cmdline_parse("/boot/x.elf flag size=64M level=b", opts, err, sizeof err)) return err;
    if (!flag || size != 64ULL << 20 || level != 1) return "values not stored";
    if (cmdline_parse("bogus=1", opts, err, sizeof err) || !strstr(err, "bogus"))
        return "unknown key not named in the error";
    return NULL;
}

// The CPU raises the exception and the handler resumes after it.
#define PROVOKE(insn, vec, c)                                                         \
    do {                                                                              \
        (c).vector = (vec);                                                           \
        trap_catch_arm(&(c));                                                         \
        __asm__ volatile("leaq 1f(%%rip), %%rax\n\tmovq %%rax, %0\n\t" insn "\n1:"    \
                         : "=m"((c).resume_rip) :: "rax", "rcx", "rdx", "memory");                  \
        trap_catch_disarm();                                                          \
    } while (0)

SELFTEST(exceptions)
{
    struct trap_catch c;
    PROVOKE("ud2", EXC_UD, c);
    if (!c.caught) return "#UD not caught";
    PROVOKE("movq $0x7ffffffff000, %%rax\n\tmovq (%%rax), %%rax", EXC_PF, c);
    if (!c.caught || c.cr2 != 0x7ffffffff000ULL || (c.error & 1))
        return "#PF not caught with CR2 and a not-present error code";
    PROVOKE("movq $0x8000000000000000, %%rax\n\tmovq (%%rax), %%rax", EXC_GP, c);
    if (!c.caught) return "#GP (non-canonical address) not caught";
    PROVOKE("xorl %%ecx, %%ecx\n\tdivl %%ecx", EXC_DE, c);
    if (!c.caught) return "#DE not caught";
    return NULL;
}
