// paging.h — 32-bit (non-PAE) x86 paging: entry bits, page-fault error codes, the walker.
#pragma once
#include "kernel/types.h"

#define PTE_P    BIT(0)
#define PTE_RW   BIT(1)
#define PTE_US   BIT(2)
#define PTE_PWT  BIT(3)
#define PTE_PCD  BIT(4)
#define PTE_A    BIT(5)
#define PTE_D    BIT(6)
#define PTE_PS   BIT(7)      // in a PDE: 4 MiB page
#define PTE_G    BIT(8)
#define PTE_ADDR 0xfffff000U
#define PDE_LARGE_ADDR 0xffc00000U
// Bits 21:13 of a 4 MiB PDE: physical address bits 39:32 with PSE-36, which the guest's
// CPUID does not offer, so all of them are reserved (SDM vol. 3 §4.3).
#define PDE_LARGE_RSVD 0x003fe000U

#define PFEC_P    BIT(0)     // the page was present (a protection violation)
#define PFEC_W    BIT(1)     // a write
#define PFEC_U    BIT(2)     // at CPL 3
#define PFEC_RSVD BIT(3)
#define PFEC_I    BIT(4)     // an instruction fetch

#define PT_ENTRIES 1024
#define PDI(va) ((u32)(va) >> 22)
#define PTI(va) (((u32)(va) >> 12) & 0x3ff)

// Access kinds for the walker: PFEC_W, PFEC_U and PFEC_I bits.
// How the walker reads guest-physical memory and, to set A/D bits, writes it.
struct walk_mem {
    void *ctx;
    // Read the 32-bit entry at gpa; false if gpa is not RAM.
    bool (*read32)(void *ctx, u32 gpa, u32 *val);
    // Replace the entry at gpa (A/D update): old and new whole values, level 1 or 2.
    void (*update32)(void *ctx, u32 gpa, u32 old, u32 new, int level);
};

struct walk {
    u32 gpa;                 // translation of the address
    u32 pde_gpa, pte_gpa;    // where the entries live (pte_gpa unused for 4 MiB pages)
    u32 pde, pte;            // entries, after any A/D update
    bool large;              // mapped by a 4 MiB page
    bool user, writable;     // combined U/S and R/W of both levels
    bool global;
};

#define WALK_OK       0
#define WALK_FAULT    1      // a #PF for the guest; *pfec holds its error code
#define WALK_BAD_GPA  2      // a paging structure lies outside guest RAM

// Translate `va` for an access of kind `access` (PFEC_* bits) with the guest's CR0/CR4/CR3
// as the CPU would; with set_ad, set accessed (and on writes dirty) bits like hardware.
int walk_guest(const struct walk_mem *m, u32 cr0, u32 cr4, u32 cr3, u32 va, u32 access,
               bool set_ad, struct walk *w, u32 *pfec);
