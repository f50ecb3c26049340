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

// Translate and copy one access, page by page; record a fault instead of injecting it.
static int access(struct emu_ctx *c, u32 va, void *buf, int len, bool write)
{
    struct vcpu *v = c->v;
    u8 *p = buf;
    u32 acc = (write ? PFEC_W : 0) | (v->cpl == 3 ? PFEC_U : 0);
    while (len > 0) {
        u32 gpa, pfec, n = MIN((u32)len, 4096 - (va & 0xfff));
        int r = mmu_translate(v, va, acc, &gpa, &pfec);
        if (r == WALK_FAULT) {
            c->faulted = true;
            c->fault_va = va;
            c->pfec = pfec;
            return -1;
        }
        bool ok = r == WALK_OK && (write ? mmu_write_gpa(v->mmu, gpa, p, n) : mmu_read_gpa(v->mmu, gpa, p, n));
        if (!ok) { c->bad = true; return -1; }
        va += n;
        p += n;
        len -= n;
    }
    return 0;
}

static int emu_read(void *ctx, u32 va, void *buf, int len) { return access(ctx, va, buf, len, false); }
static int emu_write(void *ctx, u32 va, const void *buf, int len) { return access(ctx, va, (void *)buf, len, true); }

void emulate_pt_write(struct vcpu *v, u32 va)
{
    struct insn in;
    if (!guest_fetch_insn(v, &in)) return;
    struct emu_regs r = { .eip = (u32)v->rip, .eflags = (u32)v->rflags, .default32 = guest_code32(v) };
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
