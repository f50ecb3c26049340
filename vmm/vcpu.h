// vcpu.h — a virtual CPU as the backend-neutral exit handlers see it.
#pragma once
#include "kernel/types.h"

struct vm;
struct mmu;
struct fpu_state;

enum gpr { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, NGPR = 16 };
enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_GDTR, SEG_LDTR, SEG_IDTR, SEG_TR,
               NSEG };

struct segment {
    u16 sel, attr;           // attr in VMCB form: type[3:0] S DPL[6:5] P AVL L DB G
    u32 limit;
    u64 base;
};
#define SEG_ATTR_DB  BIT(10)

// Neutral exit reasons; the backend maps its own exit codes onto these.
enum exit_reason {
    EXIT_CR_READ, EXIT_CR_WRITE, EXIT_EXCEPTION, EXIT_PF, EXIT_INTR, EXIT_NMI, EXIT_VINTR,
    EXIT_CPUID, EXIT_HLT, EXIT_INVLPG, EXIT_IO, EXIT_MSR_READ, EXIT_MSR_WRITE,
    EXIT_TASK_SWITCH, EXIT_SHUTDOWN, EXIT_LTR, EXIT_VIRT_INSN, EXIT_INVALID, EXIT_OTHER, NEXIT_REASONS
};

struct exit_info {
    enum exit_reason reason;
    u64 raw;                 // backend's own exit code
    int cr;                  // CR number for CR exits
    int gpr;                 // register operand, or -1 when the backend did not say
    u64 addr;                // #PF CR2, INVLPG address (valid if addr_valid)
    bool addr_valid;
    u32 error;               // exception error code
    int vector;              // EXIT_EXCEPTION
    u64 next_rip;            // 0 when the backend does not know
    // EXIT_IO
    u16 port;
    int size;                // 1, 2, 4
    bool in, string, rep;
    // EXIT_TASK_SWITCH
    u16 tss_sel;
    int ts_kind;             // TS_KIND_*
    bool ts_has_err;
};
#define TS_KIND_CALL 0       // CALL, INT through a task gate, exception/interrupt
#define TS_KIND_IRET 1
#define TS_KIND_JMP  2

// An event to deliver to the guest (exception, external interrupt, NMI).
struct event {
    bool valid;
    int type;                // EVENT_INTR, EVENT_NMI, EVENT_EXC, EVENT_SWINT
    u8 vector;
    bool has_error;
    u32 error;
};
enum { EVENT_INTR = 0, EVENT_NMI = 2, EVENT_EXC = 3, EVENT_SWINT = 4 };

struct vcpu_stats {
    u64 exits[NEXIT_REASONS];
    u64 pf_shadow_fills, pf_reflected, pf_emulated;
    u64 injected_irqs, reinjected;
};

struct vcpu {
    struct vm *vm;
    struct mmu *mmu;
    int id;
    // Guest registers kept here between runs (the backend syncs RAX/RSP/RIP/RFLAGS).
    u64 gpr[NGPR];
    u64 rip, rflags;
    int cpl;
    // Guest-visible control state; the backend runs the shadow values.
    u32 cr0, cr2, cr3, cr4;
    u64 efer;
    bool interrupt_shadow;   // STI/MOV SS shadow at the last exit
    struct event inject;     // to deliver at the next entry
    struct event held_intr;  // an interrupt displaced by an exception, delivered after it
    bool halted;
    u64 slice_ns;            // time run in the guest since the last device-timer edge
    u64 slice_start;         // VM time of that edge
    u32 tlb_flush;           // TLB_FLUSH_* requested before the next entry
    u32 tss_guard[2];        // frames (gfn + 1, 0: none) kept read-only under TR (tssguard.c)
    struct vcpu_stats stats;
    struct fpu_state *fpu;   // x87/SSE and DR0-3, switched lazily (vmm/fpu.h)
    void *backend;           // struct svm_vcpu
};

#define TLB_FLUSH_NONE     0
#define TLB_FLUSH_NONGLOBAL 1
#define TLB_FLUSH_ASID     2

// Backend operations (vmm/svm.c; later vmm/vmx.c).
bool backend_init(void);
bool vcpu_backend_create(struct vcpu *v);
void vcpu_backend_destroy(struct vcpu *v);
// Put the vCPU in the 32-bit flat protected-mode state loaders start from.
void vcpu_reset_state(struct vcpu *v);
// Enter the guest until the next exit; fills *e.
void vcpu_run(struct vcpu *v, struct exit_info *e);
void vcpu_get_seg(struct vcpu *v, enum seg_reg s, struct segment *out);
void vcpu_set_seg(struct vcpu *v, enum seg_reg s, const struct segment *in);
// Load the shadow paging state (root table, CR0/CR4 as the hardware must see them).
void vcpu_set_shadow(struct vcpu *v, u64 root_hpa, u32 hw_cr0, u32 hw_cr4);
// Drop one guest-virtual page from this vCPU's TLB.
void vcpu_flush_page(struct vcpu *v, u32 va);
// Ask for a VINTR exit as soon as the guest can take an interrupt (or stop asking).
void vcpu_request_irq_window(struct vcpu *v, bool on);
bool vcpu_can_take_irq(struct vcpu *v);
// Guest TSC offset from the host TSC.
void vcpu_set_tsc_offset(struct vcpu *v, u64 offset);
u64 vcpu_get_tsc_offset(struct vcpu *v);
// Guest SYSENTER MSRs and others the backend keeps.
u64 vcpu_get_msr(struct vcpu *v, u32 msr);
void vcpu_set_msr(struct vcpu *v, u32 msr, u64 val);
// Guest instruction bytes the backend already has (decode assists), or 0.
int vcpu_insn_bytes(struct vcpu *v, u8 *buf);
// Did the hardware change state the VMM alone may set (the shadow CR3, TR) since the last
// entry? Names the first such field with its old and new value.
bool vcpu_state_changed(struct vcpu *v, const char **field, u64 *was, u64 *now);
