// io.c — IN/OUT exits: dispatch to the VM's port bus; string forms (INS/OUTS, REP) are
// emulated here: CX or ECX by address size, DF, a segment override for OUTS (INS always
// writes ES), segment checks per element, page-crossing buffers, and partial progress kept
// when a fault (#PF, #GP, #SS) interrupts.
#include "vmm/guest.h"
#include "vmm/segcheck.h"
#include "vmm/vm.h"
#include "vmm/dev/iobus.h"
#include "kernel/x86.h"

#define MAX_ELEMENTS_PER_EXIT 65536   // then the guest re-executes the REP for the rest

static void io_simple(struct vcpu *v, const struct exit_info *e)
{
    u32 mask = e->size == 4 ? ~0U : (1U << (e->size * 8)) - 1;
    if (e->in) {
        u32 val = iobus_in(v->vm->bus, e->port, e->size) & mask;
        v->gpr[RAX] = e->size == 4 ? val : (v->gpr[RAX] & ~(u64)mask) | val;
    } else {
        iobus_out(v->vm->bus, e->port, e->size, (u32)v->gpr[RAX] & mask);
    }
}

// Read or write a register as 16 or 32 bits per the address size.
static u32 reg_get(struct vcpu *v, int r, bool a16) { return a16 ? (u16)v->gpr[r] : (u32)v->gpr[r]; }
static void reg_set(struct vcpu *v, int r, bool a16, u32 val)
{
    if (a16) v->gpr[r] = (v->gpr[r] & ~0xffffULL) | (u16)val;
    else v->gpr[r] = val;
}

static void io_string(struct vcpu *v, const struct exit_info *e)
{
    struct insn in;
    if (!guest_fetch_insn(v, &in)) return;
    bool a16 = in.addrsize == 2;
    int idx = e->in ? RDI : RSI;
    int seg = e->in ? SEG_ES : (in.seg_override >= 0 ? in.seg_override : SEG_DS);
    struct segment sd;
    vcpu_get_seg(v, seg, &sd);
    u32 base = (u32)sd.base;
    bool prot = (v->cr0 & CR0_PE) && !(v->rflags & RFLAGS_VM);
    s32 step = (v->rflags & RFLAGS_DF) ? -e->size : e->size;
    u32 count = e->rep ? reg_get(v, RCX, a16) : 1;
    u32 done = 0;
    while (done < count && done < MAX_ELEMENTS_PER_EXIT && !v->vm->stopped) {
        u32 off = reg_get(v, idx, a16), val = 0;
        u32 va = base + off;
        // Checked per element as the CPU does: the elements before a faulting one are done.
        int fault = segcheck_access(&sd, seg, off, e->size, e->in, prot);
        if (fault != SEGCHECK_OK) { guest_inject_exception(v, fault, true, 0); break; }
        if (e->in) {
            // Check the destination before reading the port: a port read has side effects.
            if (!guest_probe_virt(v, va, e->size, true)) break;
            val = iobus_in(v->vm->bus, e->port, e->size);
            if (!guest_write_virt(v, va, &val, e->size)) break;
        } else {
            if (!guest_read_virt(v, va, &val, e->size)) break;
            iobus_out(v->vm->bus, e->port, e->size, val);
        }
        reg_set(v, idx, a16, off + step);
        done++;
        if (e->rep) reg_set(v, RCX, a16, count - done);
    }
    // Done (or nothing to do): move on. Interrupted by a fault or the per-exit cap: the
    // guest re-executes the instruction with the progress in its registers.
    if (done == count) v->rip = e->next_rip ? e->next_rip : (u32)(v->rip + in.len);
}

void io_handle(struct vcpu *v, const struct exit_info *e)
{
    if (e->string) { io_string(v, e); return; }
    io_simple(v, e);
    v->rip = e->next_rip;
}
