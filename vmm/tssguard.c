// tssguard.c — the TSS guard: the frames under the current TSS stay read-only in every
// shadow, so a hardware task switch, which first stores the outgoing task there, exits to
// the VMM even where the emulator ignores the TASK_SWITCH intercept (QEMU TCG). See
// docs/taskswitch.md.
#include "vmm/tssguard.h"
#include "vmm/taskswitch.h"
#include "vmm/guest.h"
#include "vmm/vm.h"
#include "mmu/paging.h"
#include "mmu/shadow.h"
#include "kernel/log.h"
#include "kernel/x86.h"

#define TSS_SAVE_END 103         // last byte a switch stores in a 32-bit TSS (43 in a 16-bit one)
#define OP_CALL_FAR  0x9a        // CALL ptr16:16/32
#define OP_JMP_FAR   0xea        // JMP ptr16:16/32
#define OP_INTO      0xce
#define VEC_OF       4           // INTO's overflow trap
#define OP_GRP5      0xff        // /3 CALL m16:16/32, /5 JMP m16:16/32
#define GRP5_CALL_FAR 3
#define GRP5_JMP_FAR  5

// The linear pages a task switch stores the outgoing task into.
static void guarded_pages(struct vcpu *v, u32 page[2])
{
    struct segment tr;
    vcpu_get_seg(v, SEG_TR, &tr);
    page[0] = (u32)tr.base >> 12;
    page[1] = ((u32)tr.base + TSS_SAVE_END) >> 12;
}

void tssguard_refresh(struct vcpu *v)
{
    u32 page[2], want[2] = { 0, 0 }, *have = v->tss_guard;
    guarded_pages(v, page);
    for (int i = 0; i < 2; i++) {
        u32 gpa;
        if (mmu_lookup(v, page[i] << 12, &gpa) == WALK_OK) want[i] = (gpa >> 12) + 1;
    }
    if (want[0] == have[0] && want[1] == have[1]) return;
    for (int i = 0; i < 2; i++)
        if (have[i] && have[i] != want[0] && have[i] != want[1]) mmu_guard_frame(v->mmu, have[i] - 1, false);
    for (int i = 0; i < 2; i++)
        if (want[i]) mmu_guard_frame(v->mmu, want[i] - 1, true);
    log_debug("vm=%d tss guard pages=0x%x,0x%x frames=0x%x,0x%x", v->vm->id, page[0], page[1],
              want[0] - 1, want[1] - 1);
    have[0] = want[0];
    have[1] = want[1];
}

// The far pointer's selector of FF /3 or FF /5 (m16:16 or m16:32). False if it faulted.
static bool far_pointer_sel(struct vcpu *v, const struct insn *in, u16 *sel)
{
    u32 g[8];
    for (int i = 0; i < 8; i++) g[i] = (u32)v->gpr[i];
    u32 ea = guest_seg_base(v, in->mem.seg) + decode_ea(in, g);
    return guest_read_virt(v, ea + in->opsize, sel, 2);
}

// The instruction at CS:RIP stores into the current TSS: is it a task switch? Performs it
// and returns true if so.
static bool insn_switch(struct vcpu *v)
{
    struct insn in;
    if (!guest_fetch_insn(v, &in)) return true;
    u32 next = (u32)v->rip + in.len;
    if (!guest_code32(v)) next &= 0xffff;
    u16 sel;
    if (in.map == INSN_MAP_1 && (in.opcode == OP_JMP_FAR || in.opcode == OP_CALL_FAR))
        return task_switch_far(v, (u16)in.imm2, in.opcode == OP_JMP_FAR ? TS_KIND_JMP : TS_KIND_CALL, next);
    if (in.map == INSN_MAP_1 && in.opcode == OP_GRP5 && in.has_mem &&
        (in.reg == GRP5_JMP_FAR || in.reg == GRP5_CALL_FAR)) {
        if (!far_pointer_sel(v, &in, &sel)) return true;
        return task_switch_far(v, sel, in.reg == GRP5_JMP_FAR ? TS_KIND_JMP : TS_KIND_CALL, next);
    }
    if (in.cls == INSN_IRET && (v->rflags & RFLAGS_NT)) {
        task_switch_iret(v, next);
        return true;
    }
    if (in.cls == INSN_INT) return task_switch_int(v, (u8)in.imm, next);
    if (in.cls == INSN_INT3) return task_switch_int(v, EXC_BP, next);
    if (in.map == INSN_MAP_1 && in.opcode == OP_INTO && (v->rflags & RFLAGS_OF))
        return task_switch_int(v, VEC_OF, next);
    return false;
}

bool tssguard_write_fault(struct vcpu *v, u32 va)
{
    u32 page[2];
    guarded_pages(v, page);
    if ((va >> 12) != page[0] && (va >> 12) != page[1]) return false;
    if (!v->inject.valid) return insn_switch(v);
    // An event in delivery stored into the TSS: a task gate, which task_gate_deliver
    // switches to before the next entry. Anything else (a stack frame pushed onto the TSS
    // page) would fault again at every entry.
    if (task_gate_at(v, v->inject.vector)) return true;
    log_err("vm=%d event delivery writes the current TSS page: vector=%d va=0x%x rip=0x%llx",
            v->vm->id, v->inject.vector, va, v->rip);
    vm_stop(v->vm, "unsupported-write", 1);
    return true;
}
