// load_linux.c — Linux bzImage guests (boot protocol); arrives with the Linux issue.
#include "vmm/loader.h"
#include "vmm/vm.h"
#include "kernel/log.h"

#define SETUP_HDR_MAGIC_OFF 0x202
#define SETUP_HDR_MAGIC     0x53726448   // "HdrS"

bool linux_detect(const u8 *img, u64 size)
{
    return size > SETUP_HDR_MAGIC_OFF + 4 && *(const u32 *)(img + SETUP_HDR_MAGIC_OFF) == SETUP_HDR_MAGIC;
}

bool linux_load(struct vm *vm, const struct module *kernel, const struct module *mods, int nmods)
{
    log_err("vm=%d Linux bzImage guests are not supported yet", vm->id);
    return false;
}
