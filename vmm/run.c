// run.c — make VMs from the boot modules and run them one after another.
//
// A module that is a kernel (multiboot ELF, or Linux bzImage) starts a VM; the modules
// after it, up to the next kernel, are its own. With one VM its exit code is the run's;
// with several, 0 only if every VM ended cleanly, else the first non-zero code.
#include "vmm/loader.h"
#include "vmm/vm.h"
#include "vmm/vcpu.h"
#include "kernel/bootinfo.h"
#include "kernel/config.h"
#include "kernel/log.h"
#include "kernel/panic.h"

int vmm_run_guests(void)
{
    int nmods = bootinfo.nmodules;
    if (nmods == 0) {
        log_info("vmm: no guest modules given; nothing to run");
        return EXIT_OK;
    }
    if (loader_kind(&bootinfo.modules[0]) == GUEST_NONE) {
        log_err("vmm: module 0 \"%s\" is not a guest kernel (multiboot ELF or Linux bzImage)",
                bootinfo.modules[0].cmdline);
        return EXIT_BAD_MODULE;
    }
    if (!backend_init()) return EXIT_NO_VIRT;
    int status = EXIT_OK, nvms = 0;
    for (int i = 0; i < nmods;) {
        int j = i + 1;
        while (j < nmods && loader_kind(&bootinfo.modules[j]) == GUEST_NONE) j++;
        if (nvms == MAX_VMS) {
            log_err("vmm: more than %d guest kernels; the rest are ignored", MAX_VMS);
            break;
        }
        struct vm *vm = vm_create(nvms, &bootinfo.modules[i], &bootinfo.modules[i + 1], j - i - 1);
        int code = vm ? vm_run(vm) : EXIT_BAD_MODULE;
        vm_destroy(vm);
        if (status == EXIT_OK) status = code;
        nvms++;
        i = j;
    }
    return status;
}
