// vm.c — create a VM (RAM, vCPU, MMU, devices, antfarm), run its vCPU loop, stop it.
#include "vmm/vm.h"
#include "vmm/guest.h"
#include "vmm/loader.h"
#include "vmm/testdev.h"
#include "vmm/acpi.h"
#include "vmm/dev/iobus.h"
#include "vmm/dev/i8259.h"
#include "vmm/dev/i8254.h"
#include "vmm/dev/ns16550.h"
#include "vmm/dev/mc146818.h"
#include "vmm/dev/i8042.h"
#include "vmm/dev/sysports.h"
#include "vmm/dev/pci.h"
#include "vmm/dev/ide_empty.h"
#include "vmm/dev/acpi_pm.h"
#include "mmu/shadow.h"
#include "antfarm/antfarm.h"
#include "kernel/bootinfo.h"
#include "kernel/config.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/lib.h"
#include "kernel/time.h"
#include "kernel/x86.h"

#define RAM_ALIGN   (4ULL << 20)     // 4 MiB: guest large pages map to aligned host frames
#define EXIT_PORT   0xf4
#define RTC_EPOCH   1795000000ULL    // a fixed wall clock: runs are reproducible
// Between two device-timer edges the guest runs MIN_SLICE_NS, or MAX_DEFER_NS of VM time
// pass, whichever comes first: edges come at 10 kHz at most, and rates up to 2 kHz are
// never deferred. A timer faster than the exit round trip (the PIT at count 2) would
// otherwise have an edge due at every VMRUN, and the guest would never leave its handler.
#define MIN_SLICE_NS 100000ULL
#define MAX_DEFER_NS 500000ULL

u64 vm_now(struct vm *vm) { return time_ns() - vm->start_ns; }

static u64 env_now(void *ctx) { return vm_now(ctx); }

static void env_set_irq(void *ctx, int irq, int level)
{
    struct vm *vm = ctx;
    i8259_set_irq(vm->pic, irq, level);
}

// Guest console bytes become whole lines prefixed by the VM: "vm0| text".
static void env_console_out(void *ctx, u8 ch)
{
    struct vm *vm = ctx;
    if (ch == '\r') return;
    if (ch != '\n' && vm->linelen < VM_LINE_MAX - 1) {
        vm->line[vm->linelen++] = (ch >= 0x20 && ch < 0x7f) || ch == '\t' ? ch : '?';
        return;
    }
    vm->line[vm->linelen] = 0;
    char out[VM_LINE_MAX + 16];
    snprintf(out, sizeof out, "vm%d| %s\n", vm->id, vm->line);
    kputs(out);
    vm->linelen = 0;
    if (ch != '\n') env_console_out(ctx, ch);
}

static void env_reset(void *ctx, const char *why) { vm_reset_request(ctx, why); }
static void acpi_stop(void *ctx, const char *reason) { vm_stop(ctx, reason, 0); }

static u32 exitport_in(void *dev, u16 port, int size) { return ~0U; }
static void exitport_out(void *dev, u16 port, int size, u32 val) { vm_stop(dev, "exit-port", (int)val); }

static u32 testdev_in(void *dev, u16 port, int size)
{
    struct vm *vm = dev;
    const struct mmu_stats *ms = mmu_stats(vm->mmu);
    const struct vcpu_stats *vs = &vm->vcpu.stats;
    u64 exits = 0;
    for (int i = 0; i < NEXIT_REASONS; i++) exits += vs->exits[i];
    switch (vm->testdev_sel) {
    case TESTDEV_MAGIC: return TESTDEV_MAGIC_VALUE;
    case TESTDEV_EXITS: return exits;
    case TESTDEV_INVLPG_DROPS: return ms->invlpg_drops;
    case TESTDEV_ROOTS_BUILT: return ms->roots_built;
    case TESTDEV_ROOT_HITS: return ms->root_hits;
    case TESTDEV_PT_WRITES: return ms->pt_writes;
    case TESTDEV_GLOBAL_KEPT: return ms->global_kept;
    case TESTDEV_SHADOW_FLUSHES: return ms->shadow_flushes;
    case TESTDEV_INJECTED_IRQS: return vs->injected_irqs;
    case TESTDEV_REINJECTED: return vs->reinjected;
    }
    return ~0U;
}

static void testdev_out(void *dev, u16 port, int size, u32 val) { ((struct vm *)dev)->testdev_sel = val; }

static u64 af_now(void *ctx) { return vm_now(ctx); }
static u64 af_tsc(void *ctx)
{
    struct vm *vm = ctx;
    return rdtsc() + vcpu_get_tsc_offset(&vm->vcpu);
}

static bool create_devices(struct vm *vm)
{
    vm->env = (struct devenv){ vm, vm->id, env_now, env_set_irq, env_console_out, env_reset };
    vm->bus = iobus_create(vm->id);
    if (!vm->bus) return false;
    vm->acpi_pm = acpi_pm_create(&vm->env, acpi_stop);
    if (!vm->acpi_pm || !acpi_pm_attach(vm->acpi_pm, vm->bus)) return false;
    vm->pic = i8259_create(&vm->env);
    vm->pit = i8254_create(&vm->env);
    vm->uart = ns16550_create(&vm->env, NS16550_COM1_PORT, NS16550_COM1_IRQ);
    vm->rtc = mc146818_create(&vm->env, RTC_EPOCH, vm->ram_size);
    vm->kbc = i8042_create(&vm->env);
    vm->sys = sysports_create(&vm->env);
    vm->ide = ide_empty_create(&vm->env);
    vm->pci = pci_create(&vm->env, vm->bus);
    if (!vm->pic || !vm->pit || !vm->uart || !vm->rtc || !vm->kbc || !vm->sys || !vm->ide || !vm->pci)
        return false;
    pci_set_ide_bm(vm->pci, ide_empty_bm_in, ide_empty_bm_out, vm->ide);
    return i8259_attach(vm->pic, vm->bus) && i8254_attach(vm->pit, vm->bus) &&
           ns16550_attach(vm->uart, vm->bus) && mc146818_attach(vm->rtc, vm->bus) &&
           i8042_attach(vm->kbc, vm->bus) && sysports_attach(vm->sys, vm->bus) &&
           ide_empty_attach(vm->ide, vm->bus) && pci_attach(vm->pci) &&
           iobus_register(vm->bus, EXIT_PORT, 4, IOBUS_SZALL, exitport_in, exitport_out, vm, "exit") &&
           iobus_register(vm->bus, TESTDEV_PORT, 4, IOBUS_SZ32, testdev_in, testdev_out, vm, "testdev");
}

static bool create_observer(struct vm *vm)
{
    if (!config.antfarm) {
        vm->obs = mmu_observer_none;
        return true;
    }
    struct antfarm_config ac = { .switch_events = config.antfarm_switch, .json = config.antfarm_json,
                                 .summary_secs = config.antfarm_summary };
    struct antfarm_env ae = { vm, af_now, af_tsc };
    vm->af = antfarm_create(vm->id, &ac, &ae);
    if (!vm->af) return false;
    antfarm_observer(vm->af, &vm->obs);
    return true;
}

struct vm *vm_create(int id, const struct module *kernel, const struct module *mods, int nmods)
{
    struct vm *vm = kzalloc(sizeof *vm);
    if (!vm) return NULL;
    vm->id = id;
    // config_parse bounds vm#.mem, so the rounding below cannot wrap; refuse anything else.
    u64 mem = config.vm[id].mem;
    if (mem < VM_MEM_MIN || mem > VM_MEM_MAX) {
        log_err("vm=%d guest RAM of %llu bytes is outside %lluM-%lluM", id, mem, VM_MEM_MIN >> 20,
                VM_MEM_MAX >> 20);
        kfree(vm);
        return NULL;
    }
    vm->ram_size = ALIGN_UP(mem, RAM_ALIGN);
    u64 npages = vm->ram_size / PAGE_SIZE;
    // 2-level shadow tables hold 32-bit frame addresses: guest RAM lives below 4 GiB.
    vm->ram_hpa = page_alloc_contig(npages, LOW_4G, RAM_ALIGN);
    if (!vm->ram_hpa) {
        log_err("vm=%d cannot allocate %llu MiB of guest RAM below 4 GiB", id, vm->ram_size >> 20);
        kfree(vm);
        return NULL;
    }
    vm->ram = phys_to_virt(vm->ram_hpa);
    memset(vm->ram, 0, vm->ram_size);
    vm->start_ns = time_ns();
    vm->vcpu.vm = vm;
    if (!create_observer(vm)) goto fail;
    vm->mmu = mmu_create(id, vm->ram, vm->ram_hpa, vm->ram_size, &vm->obs, config.antfarm);
    vm->vcpu.mmu = vm->mmu;
    if (!vm->mmu || !vcpu_backend_create(&vm->vcpu) || !create_devices(vm)) goto fail;
    vcpu_reset_state(&vm->vcpu);
    vcpu_set_tsc_offset(&vm->vcpu, -rdtsc());
    mmu_reset(&vm->vcpu);
    log_info("vm=%d create mem=%lluM ram-hpa=0x%llx kernel=\"%s\" modules=%d", id,
             vm->ram_size >> 20, vm->ram_hpa, kernel->cmdline, nmods);
    if (!acpi_build(vm->ram, vm->ram_size, id) || !loader_load(vm, kernel, mods, nmods)) goto fail;
    return vm;
fail:
    log_err("vm=%d could not be created", id);
    vm_destroy(vm);
    return NULL;
}

void vm_stop(struct vm *vm, const char *reason, int code)
{
    if (vm->stopped) return;
    vm->stopped = true;
    vm->stop_reason = reason;
    vm->stop_code = code;
}

void vm_reset_request(struct vm *vm, const char *why)
{
    log_info("vm=%d reset requested by %s", vm->id, why);
    vm_stop(vm, !strcmp(why, "triple-fault") ? "triple-fault" : "reset", 0);
}

// How long (VM time, at least) the running vCPU must still go before the next device-timer
// edge: 0 once it has had its slice. A halted vCPU waits for that edge: nothing to starve.
static u64 slice_owed(struct vcpu *v, u64 now)
{
    if (v->halted || v->slice_ns >= MIN_SLICE_NS || now - v->slice_start >= MAX_DEFER_NS) return 0;
    // Guest time never runs faster than VM time: the slice cannot end sooner.
    return MIN(MIN_SLICE_NS - v->slice_ns, v->slice_start + MAX_DEFER_NS - now);
}

// Raise device interrupts that are due and arm the host timer for the next one. An edge
// due within a vCPU's slice is raised when the slice ends, late, under the devices'
// catch-up policy (docs/devices.md).
static void devices_tick(struct vm *vm)
{
    struct vcpu *v = &vm->vcpu;
    u64 now = vm_now(vm);
    u64 owed = slice_owed(v, now);
    if (!owed) {
        u64 due = MIN(i8254_next_event_ns(vm->pit), mc146818_next_event_ns(vm->rtc));
        i8254_tick(vm->pit, now);
        mc146818_tick(vm->rtc, now);
        if (due <= now) {
            v->slice_ns = 0;
            v->slice_start = now;
        }
    }
    acpi_pm_tick(vm->acpi_pm, now);   // the PM timer's SCI is rare: not held to the slice
    u64 next = MIN(i8254_next_event_ns(vm->pit), mc146818_next_event_ns(vm->rtc));
    if (next != UINT64_MAX && next < now + owed) next = now + owed;
    next = MIN(next, acpi_pm_next_event_ns(vm->acpi_pm));
    if (next != UINT64_MAX) timer_arm(&vm->wake, vm->start_ns + next);
    else timer_cancel(&vm->wake);
}

static void wake_fn(struct timer *t) { UNUSED(t); }

// The vCPU waits in HLT: sleep the host until an interrupt (the wake timer or another).
// Called with interrupts off; "sti; hlt" is atomic (STI's shadow covers the HLT), so a
// timer that fires after the check cannot be lost.
static void idle(struct vm *vm)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
    timer_run_expired();
}

// A halted vCPU with IF=1 waits for an interrupt; it waits forever when no PIC line is
// unmasked (no device model raises NMI). Any open line counts, whether or not its device
// is programmed to request: conservative, such a VM waits.
static bool can_wake(struct vm *vm)
{
    return i8259_any_unmasked(vm->pic);
}

static void print_stats(struct vm *vm)
{
    static const char *const names[NEXIT_REASONS] = {
        "cr-read", "cr-write", "exception", "pf", "intr", "nmi", "vintr", "cpuid", "hlt",
        "invlpg", "io", "rdmsr", "wrmsr", "task-switch", "shutdown", "ltr", "svm-insn", "invalid", "other",
    };
    char buf[512];
    int n = 0;
    u64 total = 0;
    const struct vcpu_stats *s = &vm->vcpu.stats;
    for (int i = 0; i < NEXIT_REASONS; i++) {
        total += s->exits[i];
        if (s->exits[i]) n += snprintf(buf + n, sizeof buf - n, " %s=%llu", names[i], s->exits[i]);
    }
    log_info("vm=%d exits total=%llu%s", vm->id, total, buf);
    const struct mmu_stats *m = mmu_stats(vm->mmu);
    log_info("vm=%d mmu fills=%llu pt-writes=%llu roots-built=%llu root-hits=%llu evictions=%llu "
             "invlpg-drops=%llu write-protects=%llu floods=%llu dead-dirs=%llu flushes=%llu pf-reflected=%llu "
             "pf-emulated=%llu irqs=%llu reinjected=%llu", vm->id, m->fills, m->pt_writes,
             m->roots_built, m->root_hits, m->root_evictions, m->invlpg_drops, m->write_protects,
             m->floods, m->dead_dirs, m->shadow_flushes, s->pf_reflected, s->pf_emulated, s->injected_irqs,
             s->reinjected);
    log_info("vm=%d shadow budget=%llu used=%llu peak=%llu recycled=%llu passes=%llu links-peak=%llu",
             vm->id, m->shadow_budget, m->shadow_used, m->shadow_peak, m->shadow_recycled,
             m->recycle_passes, m->links_peak);
}

int vm_run(struct vm *vm)
{
    struct vcpu *v = &vm->vcpu;
    struct exit_info e;
    vm->wake.fn = wake_fn;
    while (!vm->stopped) {
        cli();                                // until VMRUN: no wake-up may slip by
        devices_tick(vm);
        if (vm->af) antfarm_tick(vm->af);     // periodic summary (antfarm.summary=SECONDS)
        if (v->halted) {
            if (!i8259_has_intr(vm->pic) && !v->held_intr.valid) {
                if (can_wake(vm)) { idle(vm); continue; }
                log_info("vm=%d halted with every interrupt source masked: nothing can wake it rip=0x%llx",
                         vm->id, v->rip);
                vm_stop(vm, "halt-masked", 0);
                sti();                        // as after a VMRUN: the loop ends with IF=1
                continue;
            }
            v->halted = false;
        }
        guest_deliver_interrupts(v);
        if (v->inject.valid) task_gate_deliver(v);
        if (v->inject.valid) guest_prefault_delivery(v);
        if (mmu_take_flush(vm->mmu)) v->tlb_flush = TLB_FLUSH_ASID;
        u64 entered = time_ns();
        vcpu_run(v, &e);
        v->slice_ns += time_ns() - entered;
        exit_handle(v, &e);
    }
    timer_cancel(&vm->wake);
    if (vm->linelen) env_console_out(vm, '\n');
    print_stats(vm);
    if (vm->af) antfarm_vm_end(vm->af);
    // Resets, power-offs, halts and triple faults are clean stops (code 0); an exit-port write passes
    // the guest's own code; anything else is an error of that VM (code 1).
    const char *r = vm->stop_reason;
    bool exitport = !strcmp(r, "exit-port");
    bool clean = !strcmp(r, "reset") || !strcmp(r, "poweroff") || !strcmp(r, "halt") ||
                 !strcmp(r, "halt-masked") || !strcmp(r, "triple-fault");
    int code = exitport ? vm->stop_code : clean ? 0 : 1;
    log_info("vm=%d stop reason=%s code=%d", vm->id, vm->stop_reason, code);
    return code;
}

void vm_destroy(struct vm *vm)
{
    if (!vm) return;
    timer_cancel(&vm->wake);
    mmu_destroy(vm->mmu);
    vcpu_backend_destroy(&vm->vcpu);
    if (vm->pic) i8259_destroy(vm->pic);
    if (vm->pit) i8254_destroy(vm->pit);
    if (vm->uart) ns16550_destroy(vm->uart);
    if (vm->rtc) mc146818_destroy(vm->rtc);
    if (vm->kbc) i8042_destroy(vm->kbc);
    if (vm->sys) sysports_destroy(vm->sys);
    if (vm->pci) pci_destroy(vm->pci);
    if (vm->ide) ide_empty_destroy(vm->ide);
    if (vm->acpi_pm) acpi_pm_destroy(vm->acpi_pm);
    iobus_destroy(vm->bus);
    if (vm->af) antfarm_destroy(vm->af);
    if (vm->ram_hpa) page_free_contig(vm->ram_hpa, vm->ram_size / PAGE_SIZE);
    kfree(vm);
}
