// loader.c — recognize guest kernels among the boot modules, load one into a VM through
// the pure image loaders, and give the vCPU the entry state they chose.
#include "vmm/loader.h"
#include "vmm/vm.h"
#include "kernel/bootinfo.h"
#include "kernel/mem.h"
#include "kernel/lib.h"

static struct load_blob blob_of(const struct module *m)
{
    return (struct load_blob){ phys_to_virt(m->start), m->end - m->start, m->cmdline };
}

enum guest_kind loader_kind(const struct module *m)
{
    const u8 *img = phys_to_virt(m->start);
    u64 size = m->end - m->start;
    if (linux_detect(img, size)) return GUEST_LINUX;
    if (multiboot_detect(img, size)) return GUEST_MULTIBOOT;
    return GUEST_NONE;
}

bool loader_load(struct vm *vm, const struct module *kernel, const struct module *mods, int nmods)
{
    struct load_blob k = blob_of(kernel), m[MAX_MODULES];
    for (int i = 0; i < nmods && i < MAX_MODULES; i++) m[i] = blob_of(&mods[i]);
    struct load_target t = { .vm_id = vm->id, .ram = vm->ram, .ram_size = vm->ram_size };
    bool ok;
    switch (loader_kind(kernel)) {
    case GUEST_MULTIBOOT: ok = multiboot_load(&t, &k, m, nmods); break;
    case GUEST_LINUX: ok = linux_load(&t, &k, m, nmods); break;
    default: return false;
    }
    if (!ok) return false;
    struct vcpu *v = &vm->vcpu;
    memset(v->gpr, 0, sizeof v->gpr);
    v->gpr[RAX] = t.eax;
    v->gpr[RBX] = t.ebx;
    v->gpr[RSI] = t.esi;
    v->gpr[RSP] = t.esp;
    v->rip = t.eip;
    if (t.flat_gdt) {
        struct segment g = { .limit = t.gdt_limit, .base = t.gdt_base };
        vcpu_set_seg(v, SEG_GDTR, &g);
    }
    return true;
}
