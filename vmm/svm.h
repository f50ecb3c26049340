// svm.h — AMD SVM: the VMCB layout, intercept bits and exit codes (AMD APM vol. 2, app. B).
#pragma once
#include "kernel/types.h"

struct vmcb_seg {
    u16 sel, attr;
    u32 limit;
    u64 base;
} __attribute__((packed));

struct vmcb_control {
    u32 intercept_cr;          // 0x000: reads bits 0-15, writes bits 16-31
    u32 intercept_dr;          // 0x004
    u32 intercept_exc;         // 0x008
    u32 intercept_misc1;       // 0x00c
    u32 intercept_misc2;       // 0x010
    u32 intercept_misc3;       // 0x014
    u8 reserved0[0x03c - 0x018];
    u16 pause_threshold;       // 0x03c
    u16 pause_count;           // 0x03e
    u64 iopm_base_pa;          // 0x040
    u64 msrpm_base_pa;         // 0x048
    u64 tsc_offset;            // 0x050
    u32 asid;                  // 0x058
    u8 tlb_control;            // 0x05c
    u8 reserved1[3];
    u64 int_ctl;               // 0x060: V_TPR, V_IRQ, V_INTR_PRIO, V_INTR_MASKING, V_INTR_VECTOR
    u64 int_state;             // 0x068: interrupt shadow
    u64 exitcode;              // 0x070
    u64 exitinfo1;             // 0x078
    u64 exitinfo2;             // 0x080
    u64 exitintinfo;           // 0x088
    u64 np_enable;             // 0x090
    u8 reserved2[0x0a8 - 0x098];
    u64 eventinj;              // 0x0a8
    u64 n_cr3;                 // 0x0b0
    u64 lbr_virt;              // 0x0b8
    u32 clean;                 // 0x0c0
    u32 reserved3;
    u64 next_rip;              // 0x0c8
    u8 insn_len;               // 0x0d0
    u8 insn_bytes[15];
    u8 reserved4[0x400 - 0x0e0];
} __attribute__((packed));

struct vmcb_save {
    struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;   // 0x400..0x49f
    u8 reserved0[0x4cb - 0x4a0];
    u8 cpl;                    // 0x4cb
    u32 reserved1;
    u64 efer;                  // 0x4d0
    u8 reserved2[0x548 - 0x4d8];
    u64 cr4;                   // 0x548
    u64 cr3;                   // 0x550
    u64 cr0;                   // 0x558
    u64 dr7;                   // 0x560
    u64 dr6;                   // 0x568
    u64 rflags;                // 0x570
    u64 rip;                   // 0x578
    u8 reserved3[0x5d8 - 0x580];
    u64 rsp;                   // 0x5d8
    u8 reserved4[0x5f8 - 0x5e0];
    u64 rax;                   // 0x5f8
    u64 star, lstar, cstar, sfmask, kernel_gs_base;   // 0x600..0x620
    u64 sysenter_cs, sysenter_esp, sysenter_eip;      // 0x628..0x638
    u64 cr2;                   // 0x640
    u8 reserved5[0x668 - 0x648];
    u64 g_pat;                 // 0x668
    u8 reserved6[0x1000 - 0x670];
} __attribute__((packed));

struct vmcb {
    struct vmcb_control c;
    struct vmcb_save s;
} __attribute__((packed));

_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");
_Static_assert(__builtin_offsetof(struct vmcb, s.cpl) == 0x4cb, "VMCB CPL offset");
_Static_assert(__builtin_offsetof(struct vmcb, s.rax) == 0x5f8, "VMCB RAX offset");
_Static_assert(__builtin_offsetof(struct vmcb, s.cr2) == 0x640, "VMCB CR2 offset");
_Static_assert(__builtin_offsetof(struct vmcb, c.next_rip) == 0xc8, "VMCB nRIP offset");

// intercept_misc1
#define INTERCEPT_INTR        BIT(0)
#define INTERCEPT_NMI         BIT(1)
#define INTERCEPT_SMI         BIT(2)
#define INTERCEPT_INIT        BIT(3)
#define INTERCEPT_VINTR       BIT(4)
#define INTERCEPT_TR_WRITE    BIT(13)   // LTR: the VMM moves the TSS guard (tssguard.c)
#define INTERCEPT_RDPMC       BIT(15)
#define INTERCEPT_CPUID       BIT(18)
#define INTERCEPT_RSM         BIT(19)
#define INTERCEPT_INVD        BIT(22)
#define INTERCEPT_HLT         BIT(24)
#define INTERCEPT_INVLPG      BIT(25)
#define INTERCEPT_INVLPGA     BIT(26)
#define INTERCEPT_IOIO        BIT(27)
#define INTERCEPT_MSR         BIT(28)
#define INTERCEPT_TASK_SWITCH BIT(29)
#define INTERCEPT_FERR_FREEZE BIT(30)
#define INTERCEPT_SHUTDOWN    BIT(31)
// intercept_misc2
#define INTERCEPT_VMRUN       BIT(0)
#define INTERCEPT_VMMCALL     BIT(1)
#define INTERCEPT_VMLOAD      BIT(2)
#define INTERCEPT_VMSAVE      BIT(3)
#define INTERCEPT_STGI        BIT(4)
#define INTERCEPT_CLGI        BIT(5)
#define INTERCEPT_SKINIT      BIT(6)
#define INTERCEPT_RDTSCP      BIT(7)
#define INTERCEPT_WBINVD      BIT(9)
#define INTERCEPT_MONITOR     BIT(10)
#define INTERCEPT_MWAIT       BIT(11)
#define INTERCEPT_MWAIT_COND  BIT(12)
#define INTERCEPT_XSETBV      BIT(13)

#define TLB_CONTROL_NONE        0
#define TLB_CONTROL_FLUSH_ALL   1   // every ASID
#define TLB_CONTROL_FLUSH_ASID  3   // this guest's ASID
#define TLB_CONTROL_FLUSH_LOCAL 7   // this ASID's non-global entries

#define INT_CTL_V_IRQ          BIT(8)
#define INT_CTL_V_INTR_PRIO_SHIFT 16
#define INT_CTL_V_IGN_TPR      BIT(20)
#define INT_CTL_V_INTR_MASKING BIT(24)
#define INT_STATE_SHADOW       BIT(0)

#define EVENT_VALID      BIT(31)
#define EVENT_ERR_VALID  BIT(11)
#define EVENT_TYPE_SHIFT 8
#define EVENT_TYPE_INTR  0
#define EVENT_TYPE_NMI   2
#define EVENT_TYPE_EXC   3
#define EVENT_TYPE_SWINT 4

// Exit codes
#define VMEXIT_CR0_READ    0x000
#define VMEXIT_CR0_WRITE   0x010
#define VMEXIT_EXC_BASE    0x040
#define VMEXIT_INTR        0x060
#define VMEXIT_NMI         0x061
#define VMEXIT_SMI         0x062
#define VMEXIT_INIT        0x063
#define VMEXIT_VINTR       0x064
#define VMEXIT_TR_WRITE    0x06d
#define VMEXIT_RDPMC       0x06f
#define VMEXIT_CPUID       0x072
#define VMEXIT_RSM         0x073
#define VMEXIT_INVD        0x076
#define VMEXIT_HLT         0x078
#define VMEXIT_INVLPG      0x079
#define VMEXIT_INVLPGA     0x07a
#define VMEXIT_IOIO        0x07b
#define VMEXIT_MSR         0x07c
#define VMEXIT_TASK_SWITCH 0x07d
#define VMEXIT_FERR_FREEZE 0x07e
#define VMEXIT_SHUTDOWN    0x07f
#define VMEXIT_VMRUN       0x080
#define VMEXIT_VMMCALL     0x081
#define VMEXIT_VMLOAD      0x082
#define VMEXIT_VMSAVE      0x083
#define VMEXIT_STGI        0x084
#define VMEXIT_CLGI        0x085
#define VMEXIT_SKINIT      0x086
#define VMEXIT_RDTSCP      0x087
#define VMEXIT_WBINVD      0x089
#define VMEXIT_MONITOR     0x08a
#define VMEXIT_MWAIT       0x08b
#define VMEXIT_MWAIT_COND  0x08c
#define VMEXIT_XSETBV      0x08d
#define VMEXIT_INVALID     ((u64)-1)

// IOIO EXITINFO1
#define IOIO_IN         BIT(0)
#define IOIO_STR        BIT(2)
#define IOIO_REP        BIT(3)
#define IOIO_SZ_SHIFT   4       // bits 4-6: 8/16/32-bit
#define IOIO_A16        BIT(7)
#define IOIO_A32        BIT(8)
#define IOIO_SEG_SHIFT  10
#define IOIO_PORT_SHIFT 16

// TASK_SWITCH EXITINFO2
#define TS_IRET     BIT(36)
#define TS_JMP      BIT(38)
#define TS_HAS_ERR  BIT(44)

#define MSRPM_SIZE (2 * 4096)
#define IOPM_SIZE  (3 * 4096)
