// vm.h — a virtual machine: its RAM, vCPU, shadow MMU, devices, observer, and how it ends.
#pragma once
#include "kernel/types.h"
#include "kernel/timer.h"
#include "mmu/observer.h"
#include "vmm/dev/dev.h"
#include "vmm/vcpu.h"

#define VM_LINE_MAX 256
#define VM_MAX_LOGGED_MSRS 16

struct module;

struct vm {
    int id;
    struct vcpu vcpu;
    struct mmu *mmu;
    u8 *ram;                 // host-virtual view of guest-physical 0..ram_size
    u64 ram_hpa, ram_size;
    u64 start_ns;            // VMM time when the VM started: its clock's zero
    struct devenv env;
    struct iobus *bus;
    struct i8259 *pic;
    struct i8254 *pit;
    struct ns16550 *uart;
    struct mc146818 *rtc;
    struct i8042 *kbc;
    struct pci *pci;
    struct sysports *sys;
    struct ide_empty *ide;
    struct acpi_pm *acpi_pm;
    struct antfarm *af;
    struct mmu_observer obs;
    struct timer wake;       // host timer for the next device event
    u32 testdev_sel;
    char line[VM_LINE_MAX];  // guest console output collected up to a newline
    int linelen;
    u32 logged_msrs[VM_MAX_LOGGED_MSRS];
    int nlogged_msrs;        // <= VM_MAX_LOGGED_MSRS
    bool msr_log_full;       // the table is full and its last line was printed
    bool stopped;
    const char *stop_reason; // exit-port, reset, poweroff, halt, triple-fault, or an error
    int stop_code;
};

// Build VM `id` with the kernel module and its own modules; false (logged) on failure.
struct vm *vm_create(int id, const struct module *kernel, const struct module *mods, int nmods);
// Run the VM until it stops; returns its exit code (0 for clean stops).
int vm_run(struct vm *vm);
void vm_destroy(struct vm *vm);
// Stop the VM with a reason and code (the first stop wins).
void vm_stop(struct vm *vm, const char *reason, int code);
// The guest asked for a reset (i8042, 0xcf9, port 0x92, triple fault).
void vm_reset_request(struct vm *vm, const char *why);
// The VM's clock (ns since it started).
u64 vm_now(struct vm *vm);
