// loader.h — turn boot modules into guests: multiboot (v1) kernels, later Linux bzImages.
#pragma once
#include "kernel/types.h"

struct vm;
struct module;

enum guest_kind { GUEST_NONE, GUEST_MULTIBOOT, GUEST_LINUX };

// What kind of kernel a module is (GUEST_NONE: a module of the previous kernel).
enum guest_kind loader_kind(const struct module *m);
// Load `kernel` and its modules into the VM and set the vCPU's entry state.
bool loader_load(struct vm *vm, const struct module *kernel, const struct module *mods, int nmods);
// The module's command line without its first word (the file name).
const char *loader_args(const struct module *m);

bool multiboot_load(struct vm *vm, const struct module *kernel, const struct module *mods, int nmods);
bool linux_load(struct vm *vm, const struct module *kernel, const struct module *mods, int nmods);
bool multiboot_detect(const u8 *img, u64 size);
bool linux_detect(const u8 *img, u64 size);
