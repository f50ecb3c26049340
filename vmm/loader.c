// loader.c — recognize guest kernels among the boot modules and dispatch to their loader.
#include "vmm/loader.h"
#include "kernel/bootinfo.h"
#include "kernel/mem.h"
#include "kernel/lib.h"

const char *loader_args(const struct module *m)
{
    const char *s = m->cmdline;
    while (*s && *s != ' ') s++;
    while (*s == ' ') s++;
    return s;
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
    switch (loader_kind(kernel)) {
    case GUEST_MULTIBOOT: return multiboot_load(vm, kernel, mods, nmods);
    case GUEST_LINUX: return linux_load(vm, kernel, mods, nmods);
    default: return false;
    }
}
