// forms.c — ptwrite.elf: each instruction form that writes a PTE, followed by accesses that
// prove the new entry took effect (a removed mapping faults, an added one reads its page)
#include "ptwrite.h"
#include "io.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define RW       (PTE_P | PTE_W)
#define COM1_SCRATCH 0x3ff
#define NAME_MAX 48

// Natively also flush va's neighbour page (pair forms).
static void settle2(uint32_t va) {
    ptw_settle(va);
    ptw_settle(va + PAGE_SIZE);
}

// "ptw_<form>_<variant>" in a static buffer.
static const char *name_of(const char *form, const char *variant) {
    static char buf[NAME_MAX];
    int n = 0;
    for (const char *s = "ptw_"; *s && n < NAME_MAX - 1; s++) buf[n++] = *s;
    for (const char *s = form; *s && n < NAME_MAX - 1; s++) buf[n++] = *s;
    if (n < NAME_MAX - 1) buf[n++] = '_';
    for (const char *s = variant; *s && n < NAME_MAX - 1; s++) buf[n++] = *s;
    buf[n] = 0;
    return buf;
}

// Install an entry the ordinary way, flush, and touch it so TLB and shadow hold it.
static void setup(struct ptw_ctx *c, uint32_t va, uint32_t e0, uint32_t e1) {
    c->va = va;
    c->pte = ptw_pte(c->v, va);
    c->pte[0] = e0;
    c->pte[1] = e1;
    invlpg(va);
    invlpg(va + PAGE_SIZE);
    if (e0 & PTE_P) (void)ptw_read(va);
    if (e1 & PTE_P) (void)ptw_read(va + PAGE_SIZE);
    c->old = c->pte[0];                       // with the A bit the touch set
    c->pt_writes0 = testdev_read(TESTDEV_PT_WRITES);
}

// Report one form: ok plus, under myrmex, at least one emulated page-table write.
static void report(struct ptw_ctx *c, const char *form, int ok, uint32_t got0, uint32_t got1, int vec) {
    uint32_t writes = testdev_read(TESTDEV_PT_WRITES) - c->pt_writes0;
    int counted = !myrmex() || writes >= 1;
    test_check(ok && counted && vec == TRAP_NONE, name_of(form, c->v->name),
               "entry %x, reads %x / %x, op vector %d, ret %x, PT_WRITES +%u", c->pte[0], got0, got1, vec, c->ret,
               myrmex() ? writes : 0);
}

// va reads marker m.
static int reads(uint32_t va, uint32_t m) { return ptw_read(va) == m; }

// Reading (or writing) va faults with a #PF of error code err at CR2 = va.
static int faults(uint32_t va, int write, uint32_t err) {
    uint32_t v;
    int r = write ? probe_write(va + 8, 0) : probe_read(va + 8, &v);
    return r == VEC_PF && trap_last.err == err && trap_last.cr2 == va + 8;
}

// The write of each form (run under trap_call so a bad emulation reports instead of dying).
static void op_mov(void *a) { struct ptw_ctx *c = a; __asm__ volatile("movl %1, %0" : "=m"(*c->pte) : "r"(c->want) : "memory"); }
static void op_movb(void *a) { struct ptw_ctx *c = a; __asm__ volatile("movb %1, %0" : "=m"(*(volatile uint8_t *)c->pte) : "q"((uint8_t)c->want) : "memory"); }
static void op_xchg(void *a) { struct ptw_ctx *c = a; uint32_t v = c->want; __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*c->pte) : : "memory"); c->ret = v; }
static void op_cmpxchg(void *a) {
    struct ptw_ctx *c = a;
    uint32_t expect = c->arg;
    uint8_t zf;
    __asm__ volatile("lock cmpxchgl %3, %1\n\tsetz %2" : "+a"(expect), "+m"(*c->pte), "=q"(zf) : "r"(c->want) : "memory");
    c->ret = expect;
    c->arg = zf;
}
static void op_cmpxchg8b(void *a) {
    struct ptw_ctx *c = a;
    uint32_t lo = c->pte[0], hi = c->pte[1];
    __asm__ volatile("lock cmpxchg8b %0" : "+m"(*(volatile uint64_t *)c->pte), "+a"(lo), "+d"(hi)
                     : "b"(c->want), "c"(c->arg) : "memory");
}
static void op_lock_andb(void *a) { struct ptw_ctx *c = a; __asm__ volatile("lock andb %1, %0" : "+m"(*(volatile uint8_t *)c->pte) : "iq"((uint8_t)c->arg) : "memory"); }
static void op_lock_orb(void *a) { struct ptw_ctx *c = a; __asm__ volatile("lock orb %1, %0" : "+m"(*(volatile uint8_t *)c->pte) : "iq"((uint8_t)c->arg) : "memory"); }
static void op_bts_imm(void *a) { struct ptw_ctx *c = a; __asm__ volatile("lock btsl $0, %0" : "+m"(*c->pte) : : "memory"); }
static void op_btr_imm(void *a) { struct ptw_ctx *c = a; __asm__ volatile("lock btrl $0, %0" : "+m"(*c->pte) : : "memory"); }
// Register bit offsets reach past the addressed dword: 32 is bit 0 of the next entry.
static void op_bts_reg(void *a) { struct ptw_ctx *c = a; __asm__ volatile("lock btsl %1, (%0)" : : "r"(c->pte), "r"(c->arg) : "memory"); }
static void op_btr_reg(void *a) { struct ptw_ctx *c = a; __asm__ volatile("btrl %1, (%0)" : : "r"(c->pte), "r"(c->arg) : "memory"); }
static void op_or(void *a) { struct ptw_ctx *c = a; __asm__ volatile("orl %1, %0" : "+m"(*c->pte) : "ir"(c->arg) : "memory"); }
static void op_and(void *a) { struct ptw_ctx *c = a; __asm__ volatile("andl %1, %0" : "+m"(*c->pte) : "ir"(c->arg) : "memory"); }
static void op_rep_movs(void *a) {
    struct ptw_ctx *c = a;
    uint32_t n = PTW_REP, src = c->arg, dst = (uint32_t)c->pte;
    __asm__ volatile("rep movsl" : "+c"(n), "+S"(src), "+D"(dst) : : "memory");
}
static void op_rep_stos(void *a) {
    struct ptw_ctx *c = a;
    uint32_t n = PTW_REP, dst = (uint32_t)c->pte;
    __asm__ volatile("rep stosl" : "+c"(n), "+D"(dst) : "a"(c->want) : "memory");
}
// INSB: the device (scratch register) supplies the new low byte; the VMM writes guest memory.
static void op_insb(void *a) {
    struct ptw_ctx *c = a;
    uint32_t dst = (uint32_t)c->pte;
    outb(COM1_SCRATCH, (uint8_t)c->want);
    __asm__ volatile("insb" : "+D"(dst) : "d"(COM1_SCRATCH) : "memory");
}

// Run every instruction form against one variant.
void ptw_forms(struct variant *v) {
    struct ptw_ctx c = { .v = v };
    uint32_t va = v->region, g0, g1;
    int r, ok;
#define NEXT() (va += PTW_SLOT_VAS)

    setup(&c, va, frame_old | RW, 0);
    c.want = frame_new | RW;
    r = trap_call(op_mov, &c); ptw_settle(va);
    g0 = ptw_read(va);
    report(&c, "mov", g0 == MARK_NEW, g0, 0, r);

    setup(&c, NEXT(), frame_old | RW, 0);
    c.want = (frame_old | RW) & ~PTE_P & 0xff;
    r = trap_call(op_movb, &c); ptw_settle(va);
    report(&c, "movb_clear_p", faults(va, 0, 0), 0, 0, r);

    setup(&c, NEXT(), frame_old | RW, 0);
    c.want = frame_new | RW;
    r = trap_call(op_xchg, &c); ptw_settle(va);
    g0 = ptw_read(va);
    report(&c, "xchg", g0 == MARK_NEW && c.ret == c.old, g0, 0, r);

    setup(&c, NEXT(), frame_old | RW, 0);
    c.want = frame_new | RW; c.arg = c.pte[0];
    r = trap_call(op_cmpxchg, &c); ptw_settle(va);
    g0 = ptw_read(va);
    report(&c, "cmpxchg", g0 == MARK_NEW && c.arg == 1, g0, 0, r);

    setup(&c, NEXT(), frame_old | RW, 0);
    c.want = frame_new | RW; c.arg = (frame_old2 | RW);           // wrong expectation: no change
    r = trap_call(op_cmpxchg, &c); ptw_settle(va);
    g0 = ptw_read(va);
    c.pt_writes0 = testdev_read(TESTDEV_PT_WRITES) - 1;           // a failed compare need not count
    report(&c, "cmpxchg_fail", g0 == MARK_OLD && c.arg == 0 && c.ret == c.pte[0], g0, 0, r);

    setup(&c, NEXT(), frame_old | RW, frame_old2 | RW);
    c.want = frame_new | RW; c.arg = frame_new2 | RW;
    r = trap_call(op_cmpxchg8b, &c); settle2(va);
    g0 = ptw_read(va); g1 = ptw_read(va + PAGE_SIZE);
    report(&c, "cmpxchg8b", g0 == MARK_NEW && g1 == MARK_NEW2, g0, g1, r);

    setup(&c, NEXT(), frame_old | RW, 0);
    c.arg = (uint8_t)~PTE_P;
    r = trap_call(op_lock_andb, &c); ptw_settle(va);
    report(&c, "lock_andb_clear_p", faults(va, 0, 0), 0, 0, r);

    setup(&c, NEXT(), frame_old | RW, 0);
    c.arg = (uint8_t)~PTE_W;
    r = trap_call(op_lock_andb, &c); ptw_settle(va);
    g0 = ptw_read(va);
    report(&c, "lock_andb_clear_w", g0 == MARK_OLD && faults(va, 1, PF_P | PF_W), g0, 0, r);

    setup(&c, NEXT(), (frame_old | RW) & ~PTE_P, 0);
    c.arg = PTE_P;
    r = trap_call(op_lock_orb, &c); ptw_settle(va);
    g0 = ptw_read(va);
    report(&c, "lock_orb_set_p", g0 == MARK_OLD, g0, 0, r);

    setup(&c, NEXT(), (frame_old | RW) & ~PTE_P, 0);
    r = trap_call(op_bts_imm, &c); ptw_settle(va);
    g0 = ptw_read(va);
    report(&c, "bts_set_p", g0 == MARK_OLD, g0, 0, r);

    setup(&c, NEXT(), frame_old | RW, 0);
    r = trap_call(op_btr_imm, &c); ptw_settle(va);
    report(&c, "btr_clear_p", faults(va, 0, 0), 0, 0, r);

    setup(&c, NEXT(), frame_old | RW, (frame_old2 | RW) & ~PTE_P);
    c.arg = 32;                                                   // bit 0 of the next entry
    r = trap_call(op_bts_reg, &c); settle2(va);
    g0 = ptw_read(va); g1 = ptw_read(va + PAGE_SIZE);
    report(&c, "bts_reg_next_entry", g0 == MARK_OLD && g1 == MARK_OLD2, g0, g1, r);

    setup(&c, NEXT(), frame_old | RW, frame_old2 | RW);
    c.arg = 32 + 1;                                               // bit 1 (W) of the next entry
    r = trap_call(op_btr_reg, &c); settle2(va);
    g1 = ptw_read(va + PAGE_SIZE);
    ok = g1 == MARK_OLD2 && faults(va + PAGE_SIZE, 1, PF_P | PF_W) && probe_write(va + 8, 0) == TRAP_NONE;
    report(&c, "btr_reg_next_entry", ok, 0, g1, r);

    setup(&c, NEXT(), (frame_old | RW) & ~PTE_P, 0);
    c.arg = PTE_P;
    r = trap_call(op_or, &c); ptw_settle(va);
    g0 = ptw_read(va);
    report(&c, "or_set_p", g0 == MARK_OLD, g0, 0, r);

    setup(&c, NEXT(), frame_old | RW, 0);
    c.arg = ~PTE_P;
    r = trap_call(op_and, &c); ptw_settle(va);
    report(&c, "and_clear_p", faults(va, 0, 0), 0, 0, r);

    // REP MOVS/STOS span four entries: each gets its own slot of four pages.
    uint32_t tmpl[PTW_REP];
    NEXT();
    setup(&c, va, frame_old | RW, frame_old | RW);
    for (uint32_t i = 0; i < PTW_REP; i++) tmpl[i] = frame_rep[i] | RW;
    c.arg = (uint32_t)tmpl;
    r = trap_call(op_rep_movs, &c);
    ok = 1;
    for (uint32_t i = 0; i < PTW_REP; i++) { ptw_settle(va + i * PAGE_SIZE); ok &= reads(va + i * PAGE_SIZE, MARK_REP + i); }
    report(&c, "rep_movs", ok, ptw_read(va), ptw_read(va + 3 * PAGE_SIZE), r);
    va += PTW_SLOT_VAS;

    NEXT();
    setup(&c, va, frame_old | RW, frame_old | RW);
    c.want = frame_new | RW;
    r = trap_call(op_rep_stos, &c);
    ok = 1;
    for (uint32_t i = 0; i < PTW_REP; i++) { ptw_settle(va + i * PAGE_SIZE); ok &= reads(va + i * PAGE_SIZE, MARK_NEW); }
    report(&c, "rep_stos", ok, ptw_read(va), ptw_read(va + 3 * PAGE_SIZE), r);
    c.pt_writes0 = testdev_read(TESTDEV_PT_WRITES);
    c.want = 0;
    r = trap_call(op_rep_stos, &c);
    ok = 1;
    for (uint32_t i = 0; i < PTW_REP; i++) { ptw_settle(va + i * PAGE_SIZE); ok &= faults(va + i * PAGE_SIZE, 0, 0); }
    report(&c, "rep_stos_clear", ok, 0, 0, r);
    va += PTW_SLOT_VAS;

    setup(&c, NEXT(), frame_old | RW, 0);
    c.want = (frame_old | RW) & ~PTE_P & 0xff;
    r = trap_call(op_insb, &c); ptw_settle(va);
    report(&c, "insb_clear_p", faults(va, 0, 0), 0, 0, r);
#undef NEXT
}
