// run.c — make VMs from the boot modules and run them one after another.
//
// A module that is a kernel (multiboot ELF, or Linux bzImage) starts a VM; the modules
// after it, up to the next kernel, are its own. The run's status is a VMM status
// (kernel/panic.h), never a guest's own code: EXIT_OK only if every VM ended with code 0,
// else the first failure (EXIT_FAIL for a VM that ended with a non-zero code). The guest's
// code is shown only in its `vm=N stop reason=... code=C` line.
#include "vmm/loader.h"
#include "vmm/vm.h"
#include "vmm/vcpu.h"
#include "vmm/dev/loglimit.h"
#include "kernel/bootinfo.h"
#include "kernel/config.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/lib.h"

// Run one VM; with vmN.onreset=restart, a reset (or triple fault) starts it afresh from
// its modules, up to vmN.maxrestarts times (0: no limit). Each start gets fresh log
// bounds; lines suppressed by them are counted after the VM's stop line. Returns a VMM
// status.
static int run_vm(int id, const struct module *kernel, const struct module *mods, int nmods)
{
    for (u64 restarts = 0;; restarts++) {
        loglimit_reset(id);
        struct vm *vm = vm_create(id, kernel, mods, nmods);
        if (!vm) return EXIT_BAD_MODULE;
        int status = vm_run(vm) ? EXIT_FAIL : EXIT_OK;
        loglimit_report(id);
        bool reset = !strcmp(vm->stop_reason, "reset") || !strcmp(vm->stop_reason, "triple-fault");
        vm_destroy(vm);
        const struct vm_config *c = &config.vm[id];
        if (!reset || c->onreset != ONRESET_RESTART) return status;
        if (c->maxrestarts && restarts >= c->maxrestarts) {
            log_info("vm=%d not restarted: vm%d.maxrestarts=%llu reached", id, id, c->maxrestarts);
            return status;
        }
        log_info("vm=%d restart count=%llu", id, restarts + 1);
    }
}

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
        int vm_status = run_vm(nvms, &bootinfo.modules[i], &bootinfo.modules[i + 1], j - i - 1);
        if (status == EXIT_OK) status = vm_status;
        nvms++;
        i = j;
    }
    return status;
}
