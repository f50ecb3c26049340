// loader.h — turn boot modules into guests: multiboot (v1) ELF/a.out kernels and Linux bzImages.
// The image loaders (load_multiboot.c, load_linux.c) are pure: they parse bytes and fill a
// guest RAM buffer and an entry state, so they are host-tested and fuzzed; loader.c applies
// the result to a VM.
#pragma once
#include "kernel/types.h"

struct vm;
struct module;

enum guest_kind { GUEST_NONE, GUEST_MULTIBOOT, GUEST_LINUX };

// A kernel or module image: its bytes and its "path args" string.
struct load_blob {
    const u8 *data;
    u64 size;
    const char *cmdline;
};

// The guest RAM a loader fills and, on success, the 32-bit entry state it chose.
struct load_target {
    int vm_id;               // for "vm=N" log lines
    u8 *ram;
    u64 ram_size;
    u32 eip, eax, ebx, esi, esp;
    bool flat_gdt;           // load GDTR with gdt_base/gdt_limit (the Linux 32-bit protocol)
    u32 gdt_base;
    u16 gdt_limit;
};

// What kind of kernel a module is (GUEST_NONE: a module of the previous kernel).
enum guest_kind loader_kind(const struct module *m);
// Load `kernel` and its modules into the VM and set the vCPU's entry state.
bool loader_load(struct vm *vm, const struct module *kernel, const struct module *mods, int nmods);

// The command line without its first word (the file name).
static inline const char *loader_args(const char *cmdline)
{
    const char *s = cmdline;
    while (*s && *s != ' ') s++;
    while (*s == ' ') s++;
    return s;
}

// Each loader: false with a "vm=N ..." log line saying why the image cannot be loaded.
bool multiboot_load(struct load_target *t, const struct load_blob *kernel,
                    const struct load_blob *mods, int nmods);
bool linux_load(struct load_target *t, const struct load_blob *kernel,
                const struct load_blob *mods, int nmods);
bool multiboot_detect(const u8 *img, u64 size);
bool linux_detect(const u8 *img, u64 size);
