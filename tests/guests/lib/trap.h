// trap.h — trap dispatch, recorded fault information, and catching faults of probes
#pragma once
#include <stdint.h>

#define VEC_DE 0
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
#define USER_EXIT_VECTOR 0x30     // INT from ring 3 that ends a user_call
#define TRAP_NONE (-1)            // a probe completed without a fault

#define PF_P 1                     // page-fault error code: protection violation
#define PF_W 2                     // ... write access
#define PF_U 4                     // ... user-mode access
#define PF_RSVD 8                  // ... a reserved bit set in a paging entry

// The stack frame isr_common builds (user_esp/user_ss only from ring 3).
struct trap_frame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
    uint32_t vector, err;
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss;
};

// What the last exception recorded (vector, error code, CR2, registers).
struct trap_info {
    uint32_t vector, err, cr2, eip, cs, eflags;
    uint32_t eax, ecx, edx, esi, edi;
    uint32_t count;
};
extern volatile struct trap_info trap_last;

// Registers callee-saved across a catch, plus where to resume.
struct catch_buf { uint32_t ebx, esi, edi, ebp, esp, eip, eflags; };

// Operands and result of the ring 3 routines of isr.asm.
struct user_args { uint32_t addr, value, result, spins, target; };
extern volatile struct user_args user_args;

typedef void (*trap_handler_t)(struct trap_frame *f);

// Install the IDT and the default dispatch.
void trap_init(void);
// Route a vector to handler (NULL: back to fault catching / fatal report).
void trap_set_handler(int vec, trap_handler_t h);
// C entry from isr_common.
void trap_dispatch(struct trap_frame *f);

// Run fn(arg) in ring 0; return the vector of a fault it took, or TRAP_NONE.
int trap_call(void (*fn)(void *), void *arg);
// Run the ring 3 routine at eip (IF as given); return the fault vector or TRAP_NONE.
int user_call(void (*eip)(void), int interrupts);
// Read a dword in ring 0; fault vector or TRAP_NONE.
int probe_read(uint32_t va, uint32_t *out);
// Write a dword in ring 0; fault vector or TRAP_NONE.
int probe_write(uint32_t va, uint32_t v);
// Read a dword in ring 3; fault vector or TRAP_NONE.
int user_read(uint32_t va, uint32_t *out);
// Write a dword in ring 3; fault vector or TRAP_NONE.
int user_write(uint32_t va, uint32_t v);
// RDMSR that may fault: fault vector or TRAP_NONE.
int probe_rdmsr(uint32_t msr, uint64_t *out);
// WRMSR that may fault: fault vector or TRAP_NONE.
int probe_wrmsr(uint32_t msr, uint64_t v);

// Ring 3 and raw routines of isr.asm.
void user_read32(void);
void user_write32(void);
void user_spin_ticks(void);
uint32_t raw_read32(uint32_t va);
void raw_write32(uint32_t va, uint32_t v);
extern char raw_read32_insn[], raw_write32_insn[], user_read32_insn[], user_write32_insn[];
