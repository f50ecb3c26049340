// devprog.c — runs a fuzzed device program against the VM's device set (see devprog.h).
#include "tests/fuzz/devprog.h"
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/iobus.h"
#include "vmm/dev/i8259.h"
#include "vmm/dev/i8254.h"
#include "vmm/dev/ns16550.h"
#include "vmm/dev/mc146818.h"
#include "vmm/dev/i8042.h"
#include "vmm/dev/sysports.h"
#include "vmm/dev/pci.h"
#include "vmm/dev/ide_empty.h"
#include "unit.h"
#include <string.h>

#define RTC_EPOCH 1795000000ULL      // as vm.c: a fixed wall clock
#define RAM_BYTES (64ULL << 20)
#define NIRQ      16
#define MAX_OPS   4096               // a program longer than this is cut
#define DP_TIME_MINUTES 0xf0         // advance() kinds from here step in us to minutes

struct machine {
    struct devenv env;
    u64 now;
    struct iobus *bus;
    struct i8259 *pic;
    struct i8254 *pit;
    struct ns16550 *uart;
    struct mc146818 *rtc;
    struct i8042 *kbc;
    struct sysports *sys;
    struct ide_empty *ide;
    struct pci *pci;
    unsigned long console_bytes, resets;
};

static u64 m_now(void *ctx) { return ((struct machine *)ctx)->now; }

// As vm.c's env_set_irq: straight into the PIC, after checking what a model passes.
static void m_set_irq(void *ctx, int irq, int level)
{
    struct machine *m = ctx;
    FUZZ_CHECK(irq >= 0 && irq < NIRQ);
    FUZZ_CHECK(level == 0 || level == 1);
    i8259_set_irq(m->pic, irq, level);
}

static void m_console(void *ctx, u8 ch) { ((struct machine *)ctx)->console_bytes++; }

// A reset request: count it (the VM would stop or restart); it must say why.
static void m_reset(void *ctx, const char *why)
{
    FUZZ_CHECK(why && *why);
    ((struct machine *)ctx)->resets++;
}

// Create and attach every model as vm.c's create_devices does.
static void machine_create(struct machine *m)
{
    memset(m, 0, sizeof *m);
    m->env = (struct devenv){ m, 0, m_now, m_set_irq, m_console, m_reset };
    m->bus = iobus_create(0);
    m->pic = i8259_create(&m->env);
    m->pit = i8254_create(&m->env);
    m->uart = ns16550_create(&m->env, NS16550_COM1_PORT, NS16550_COM1_IRQ);
    m->rtc = mc146818_create(&m->env, RTC_EPOCH, RAM_BYTES);
    m->kbc = i8042_create(&m->env);
    m->sys = sysports_create(&m->env);
    m->ide = ide_empty_create(&m->env);
    m->pci = pci_create(&m->env, m->bus);
    FUZZ_CHECK(m->bus && m->pic && m->pit && m->uart && m->rtc && m->kbc && m->sys && m->ide && m->pci);
    pci_set_ide_bm(m->pci, ide_empty_bm_in, ide_empty_bm_out, m->ide);
    FUZZ_CHECK(i8259_attach(m->pic, m->bus) && i8254_attach(m->pit, m->bus) &&
               ns16550_attach(m->uart, m->bus) && mc146818_attach(m->rtc, m->bus) &&
               i8042_attach(m->kbc, m->bus) && sysports_attach(m->sys, m->bus) &&
               ide_empty_attach(m->ide, m->bus) && pci_attach(m->pci));
}

// Free every model and the bus.
static void machine_destroy(struct machine *m)
{
    pci_destroy(m->pci);
    ide_empty_destroy(m->ide);
    sysports_destroy(m->sys);
    i8042_destroy(m->kbc);
    mc146818_destroy(m->rtc);
    ns16550_destroy(m->uart);
    i8254_destroy(m->pit);
    i8259_destroy(m->pic);
    iobus_destroy(m->bus);
}

// Every live range owns all of its ports; every `full`-th call also checks that each
// claimed port points at a live range that covers it (a walk of all 64K ports). Not
// traced for coverage: it is the harness's check, not code under test.
__attribute__((no_sanitize_coverage)) static void check_bus(const struct iobus *bus, bool full)
{
    for (int i = 0; i < IOBUS_MAX_RANGES; i++) {
        const struct iobus_range *r = &bus->ranges[i];
        for (u32 p = r->base; r->len && p < (u32)r->base + r->len; p++)
            FUZZ_CHECK(bus->owner[p] == i + 1);
    }
    for (u32 p = 0; full && p < 0x10000; p++) {
        int idx = bus->owner[p];
        if (!idx) continue;
        FUZZ_CHECK(idx <= IOBUS_MAX_RANGES);
        const struct iobus_range *r = &bus->ranges[idx - 1];
        FUZZ_CHECK(r->len && p >= r->base && p < (u32)r->base + r->len);
    }
}

#define LOG_SLOTS 1024               // distinct device log lines one program may leave

// Every device log source is bounded: no line logged twice in one program (a guest in a
// loop would flood the console) and not too many lines overall. The iobus's own lines
// ("vm=0 io ...") are left out: the port space bounds them per port.
static void check_log(void)
{
    static const char *seen[LOG_SLOTS];
    static size_t seen_len[LOG_SLOTS];
    int n = 0;
    for (const char *p = unit_log(); *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (strncmp(p, "vm=0 io ", 8) != 0) {
            for (int i = 0; i < n; i++) {
                if (seen_len[i] == len && memcmp(seen[i], p, len) == 0) {
                    fprintf(stderr, "fuzz: device log line repeated: %.*s\n", (int)len, p);
                    fuzz_fail(__FILE__, __LINE__, "a device log source is unbounded");
                }
            }
            FUZZ_CHECK(n < LOG_SLOTS);
            seen[n] = p;
            seen_len[n++] = len;
        }
        p += len + (end ? 1 : 0);
    }
}

// A port picked by the operation's port-choice bits.
static u16 pick_port(struct machine *m, struct fuzz_reader *r, u8 op, const u16 *focus, int nfocus)
{
    switch (DP_PORT(op)) {
    case DP_PORT_FOCUS:
    case DP_PORT_FOCUS2:
        return focus[fuzz_take(r, 1) % nfocus];
    case DP_PORT_CLAIMED: {
        u8 which = (u8)fuzz_take(r, 1), off = (u8)fuzz_take(r, 1);
        const struct iobus_range *live[IOBUS_MAX_RANGES];
        int n = 0;
        for (int i = 0; i < IOBUS_MAX_RANGES; i++)
            if (m->bus->ranges[i].len) live[n++] = &m->bus->ranges[i];
        if (!n) return focus[0];
        const struct iobus_range *rg = live[which % n];
        return (u16)(rg->base + off % rg->len);
    }
    default:
        return (u16)fuzz_take(r, 2);
    }
}

// Advance VM time and make the ticks vm.c's devices_tick would make.
static void advance(struct machine *m, struct fuzz_reader *r)
{
    u8 kind = (u8)fuzz_take(r, 1);
    u64 step = fuzz_take(r, 2);
    // Mostly short steps (ns to ms), sometimes up to minutes. No longer: an RTC update
    // checks the alarm against every second since the last one (up to a day), and a
    // corpus full of hour-long steps would spend its time there.
    if (kind >= DP_TIME_MINUTES) step <<= 10 + kind % 15;
    else step <<= kind % 8;
    m->now += step;
    if (m->now >= i8254_next_event_ns(m->pit)) i8254_tick(m->pit, m->now);
    if (m->now >= mc146818_next_event_ns(m->rtc)) mc146818_tick(m->rtc, m->now);
    // Once ticked, no event may still be due: the VM loop would spin on it.
    FUZZ_CHECK(i8254_next_event_ns(m->pit) > m->now);
    FUZZ_CHECK(mc146818_next_event_ns(m->rtc) > m->now);
}

// See devprog.h.
void devprog_run(const u8 *data, unsigned long len, const u16 *focus, int nfocus)
{
    static const int sizes[4] = { 1, 2, 4, 1 };
    struct machine m;
    struct fuzz_reader r = { data, len, 0 };
    unit_log_reset();
    machine_create(&m);
    for (int ops = 0; r.pos < r.len && ops < MAX_OPS; ops++) {
        u8 op = (u8)fuzz_take(&r, 1);
        switch (op % DP_NOPS) {
        case DP_TIME:
            advance(&m, &r);
            break;
        case DP_INTA:
            if (i8259_has_intr(m.pic)) {
                int vec = i8259_intack(m.pic);
                FUZZ_CHECK(vec >= 0 && vec <= 0xff);
            }
            break;
        case DP_RX:
            ns16550_receive(m.uart, (u8)fuzz_take(&r, 1));
            break;
        case DP_IRQ: {
            // As a device would: any ISA line but the cascade (its pin is IRQ 9).
            u8 b = (u8)fuzz_take(&r, 1);
            int irq = b % NIRQ == I8259_CASCADE_IRQ ? 9 : b % NIRQ;
            i8259_set_irq(m.pic, irq, (b >> 4) & 1);
            break;
        }
        default: {
            int size = sizes[DP_SIZE(op)];
            u16 port = pick_port(&m, &r, op, focus, nfocus);
            if (op & DP_WRITE) {
                iobus_out(m.bus, port, size, fuzz_take(&r, size));
            } else {
                u32 v = iobus_in(m.bus, port, size);
                FUZZ_CHECK(size == 4 || v >> (8 * size) == 0);
            }
            break;
        }
        }
    }
    check_bus(m.bus, len % 16 == 0);
    check_log();
    machine_destroy(&m);
}

// See devprog.h.
void devprog_tokens(const u16 *focus, int nfocus)
{
    for (int i = 0; i < nfocus; i++) {
        u8 out[3] = { DP_IO_A | DP_WRITE, (u8)i, 0 }, in[2] = { DP_IO_A, (u8)i };
        fuzz_add_token(out, sizeof out);
        fuzz_add_token(in, sizeof in);
    }
}

// Append bytes to a seed program (silently full: seeds are small and fixed).
static void dps_put(struct dpseed *s, u32 v, int n)
{
    for (int i = 0; i < n && s->n < (int)sizeof s->b; i++) s->b[s->n++] = (u8)(v >> (8 * i));
}

// The first byte of a port operation of `size` bytes on a DP_PORT_RAW port.
static u8 io_op(int size, bool write)
{
    u8 sz = size == 4 ? 2 : size == 2 ? 1 : 0;
    return (u8)(DP_IO_A | sz << 3 | (write ? DP_WRITE : 0) | DP_PORT_RAW << 6);
}

// See devprog.h.
void dps_out(struct dpseed *s, u16 port, int size, u32 val)
{
    dps_put(s, io_op(size, true), 1);
    dps_put(s, port, 2);
    dps_put(s, val, size);
}

// See devprog.h.
void dps_in(struct dpseed *s, u16 port, int size)
{
    dps_put(s, io_op(size, false), 1);
    dps_put(s, port, 2);
}

// See devprog.h.
void dps_time(struct dpseed *s, u8 kind, u16 step)
{
    dps_put(s, DP_TIME, 1);
    dps_put(s, kind, 1);
    dps_put(s, step, 2);
}

// See devprog.h.
void dps_op(struct dpseed *s, enum devprog_op op, u8 arg)
{
    dps_put(s, op, 1);
    if (op != DP_INTA) dps_put(s, arg, 1);
}

// See devprog.h.
void dps_pic_init(struct dpseed *s)
{
    static const u8 icw[2][4] = { { 0x11, 0x20, 0x04, 0x01 }, { 0x11, 0x28, 0x02, 0x01 } };
    for (int c = 0; c < 2; c++) {
        u16 base = c ? I8259_SLAVE_PORT : I8259_MASTER_PORT;
        dps_out(s, base, 1, icw[c][0]);
        for (int i = 1; i < 4; i++) dps_out(s, (u16)(base + 1), 1, icw[c][i]);
        dps_out(s, (u16)(base + 1), 1, 0);
    }
}

void dps_add(const struct dpseed *s) { fuzz_add_seed(s->b, (size_t)s->n); }
