// ptwrite.c — emulate a guest instruction that wrote a write-protected page (a page
// table, or a page the guest maps read-only with CR0.WP=0), so the write reaches the
// shadow MMU and the observer as whole old/new entries.
#include "vmm/guest.h"
#include "vmm/vm.h"
#include "vmm/emulate.h"
#include "mmu/paging.h"
#include "mmu/shadow.h"
#include "kernel/log.h"

struct emu_ctx {
    struct vcpu *v;
    bool faulted, bad;
    u32 fault_va, pfec;
};

#define MAX_ACCESS 8   // the emulator's widest operand (CMPXCHG8B): at most two pages

// Translate one access's pages (at most two), then copy. Every page is checked (present,
// writable for the CPL, in RAM) before any byte moves: a store that straddles into a page
// that faults writes nothing, as on hardware. A fault is recorded, not injected.
static int access(struct emu_ctx *c, u32 va, void *buf, int len, bool write)
{
    struct vcpu *v = c->v;
    u32 acc = (write ? PFEC_W : 0) | (v->cpl == 3 ? PFEC_U : 0);
    if (len <= 0 || len > MAX_ACCESS) {        // the emulator broke its contract (emulate.h)
        log_err("vm=%d emulated access of %d bytes at va=0x%x: not 1..%d", v->vm->id, len, va, MAX_ACCESS);
        c->bad = true;
        return -1;
    }
    u32 first = MIN((u32)len, 4096 - (va & 0xfff));
    u32 part_va[2] = { va, va + first }, part_len[2] = { first, (u32)len - first }, gpa[2];
    int parts = part_len[1] ? 2 : 1;
    for (int i = 0; i < parts; i++) {
        u32 pfec;
        int r = mmu_translate(v, part_va[i], acc, &gpa[i], &pfec);
        if (r == WALK_FAULT) {
            c->faulted = true;
            c->fault_va = part_va[i];
            c->pfec = pfec;
            return -1;
        }
        if (r != WALK_OK) { c->bad = true; return -1; }
    }
    u8 *p = buf;
    for (int i = 0; i < parts; i++) {
        bool ok = write ? mmu_write_gpa(v->mmu, gpa[i], p, part_len[i])
                        : mmu_read_gpa(v->mmu, gpa[i], p, part_len[i]);
        if (!ok) { c->bad = true; return -1; }
        p += part_len[i];
    }
    return 0;
}

static int emu_read(void *ctx, u32 va, void *buf, int len) { return access(ctx, va, buf, len, false); }
static int emu_write(void *ctx, u32 va, const void *buf, int len) { return access(ctx, va, (void *)buf, len, true); }

void emulate_pt_write(struct vcpu *v, u32 va)
{
    struct insn in;
    if (!guest_fetch_insn(v, &in)) return;
    struct segment ss;
    vcpu_get_seg(v, SEG_SS, &ss);
    struct emu_regs r = { .eip = (u32)v->rip, .eflags = (u32)v->rflags, .default32 = guest_code32(v),
                          .stack32 = (ss.attr & SEG_ATTR_DB) != 0 };
    for (int i = 0; i < 8; i++) r.gpr[i] = (u32)v->gpr[i];
    for (int s = 0; s < 6; s++) r.seg_base[s] = guest_seg_base(v, s);
    struct emu_ctx c = { .v = v };
    struct emu_mem mem = { &c, emu_read, emu_write };
    int rc = emulate_insn(&in, &r, &mem);
    if (log_level >= LOG_TRACE)
        klog(LOG_TRACE, "vm=%d emulate va=0x%x rip=0x%llx op=%02x cls=%d rep=%x rc=%d ecx=%x->%x edi=%x->%x eip->%x",
             v->vm->id, va, v->rip, in.opcode, in.cls, in.rep, rc, (u32)v->gpr[RCX], r.gpr[RCX],
             (u32)v->gpr[RDI], r.gpr[RDI], r.eip);
    if (rc == EMU_UNSUPPORTED) {
        u32 gpa, pfec;
        if (mmu_translate(v, va, 0, &gpa, &pfec) == WALK_OK && mmu_unprotect(v->mmu, gpa)) return;
        log_err("vm=%d cannot emulate a write to a page table: va=0x%x rip=0x%llx opcode=%02x",
                v->vm->id, va, v->rip, in.opcode);
        vm_stop(v->vm, "unsupported-write", 1);
        return;
    }
    for (int i = 0; i < 8; i++) v->gpr[i] = r.gpr[i];
    v->rip = r.eip;
    v->rflags = r.eflags;
    if (c.bad) {
        log_err("vm=%d emulated write outside guest RAM rip=0x%llx", v->vm->id, v->rip);
        vm_stop(v->vm, "bad-gpa", 1);
    } else if (rc == EMU_FAULT && c.faulted) {
        guest_inject_pf(v, c.fault_va, c.pfec);
    }
}
