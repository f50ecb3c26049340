// fpu.c — lazy switch of the guest x87/SSE state and DR0-3 between vCPUs (see fpu.h).
#include "vmm/fpu.h"
#include "kernel/heap.h"
#include "kernel/lib.h"
#include "kernel/x86.h"

#define FXSAVE_FCW    0        // offsets in the FXSAVE image
#define FXSAVE_MXCSR  24

// The state the hardware holds now, or NULL when it holds nobody's (boot, freed vCPU).
static struct fpu_state *owner;

// FXSAVE/FXRSTOR need a 16-byte aligned area: the heap hands out 16-byte aligned blocks
// and fxsave[] comes first (fpu_create checks it all the same).
_Static_assert(__builtin_offsetof(struct fpu_state, fxsave) == 0, "fxsave[] first");

void fpu_host_init(void)
{
    // EM would make FXSAVE #UD and TS #NM; MP and NE are what every OS sets. Without
    // OSFXSR, FXSAVE/FXRSTOR may skip MXCSR and XMM0-7 (QEMU does).
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    write_cr4(read_cr4() | CR4_OSFXSR);
}

static void set_u16(u8 *p, u16 v) { memcpy(p, &v, sizeof v); }
static void set_u32(u8 *p, u32 v) { memcpy(p, &v, sizeof v); }

void fpu_reset(struct fpu_state *f)
{
    memset(f, 0, sizeof *f);
    set_u16(f->fxsave + FXSAVE_FCW, FCW_INIT);   // FSW 0, abridged tags 0 = all empty
    set_u32(f->fxsave + FXSAVE_MXCSR, MXCSR_INIT);
    if (owner == f) owner = NULL;
}

struct fpu_state *fpu_create(void)
{
    struct fpu_state *f = kzalloc(sizeof *f);
    if (!f) return NULL;
    if ((u64)f->fxsave & 15) {                   // FXSAVE/FXRSTOR would #GP
        kfree(f);
        return NULL;
    }
    fpu_reset(f);
    return f;
}

void fpu_destroy(struct fpu_state *f)
{
    if (!f) return;
    if (owner == f) owner = NULL;
    kfree(f);
}

static void save_hw(struct fpu_state *f)
{
    // The 32-bit form (no REX.W) keeps the x87 CS/DS selectors a 32-bit guest has.
    __asm__ volatile("fxsave %0" : "=m"(f->fxsave));
    __asm__ volatile("mov %%dr0, %0" : "=r"(f->dr[0]));
    __asm__ volatile("mov %%dr1, %0" : "=r"(f->dr[1]));
    __asm__ volatile("mov %%dr2, %0" : "=r"(f->dr[2]));
    __asm__ volatile("mov %%dr3, %0" : "=r"(f->dr[3]));
}

static void load_hw(const struct fpu_state *f)
{
    // AMD's FXRSTOR leaves FIP/FDP/FOP alone unless FSW.ES is set, so the previous
    // owner's last x87 instruction pointer would show through. Overwrite them first
    // with a harmless load (FNCLEX, EMMS: no exception pending, no register in use).
    static const u32 zero;
    __asm__ volatile("fnclex; emms; fildl %0" :: "m"(zero));
    __asm__ volatile("fxrstor %0" :: "m"(f->fxsave));
    __asm__ volatile("mov %0, %%dr0" :: "r"(f->dr[0]));
    __asm__ volatile("mov %0, %%dr1" :: "r"(f->dr[1]));
    __asm__ volatile("mov %0, %%dr2" :: "r"(f->dr[2]));
    __asm__ volatile("mov %0, %%dr3" :: "r"(f->dr[3]));
}

void fpu_switch_to(struct fpu_state *f)
{
    if (owner == f) return;
    if (owner) save_hw(owner);
    load_hw(f);
    owner = f;
}
