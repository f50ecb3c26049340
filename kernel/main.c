// main.c — kernel_main: bring up the host, report the CPU, run what the command line asks.
#include "kernel/bootinfo.h"
#include "kernel/config.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/panic.h"
#include "kernel/pic.h"
#include "kernel/selftest.h"
#include "kernel/time.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "kernel/x86.h"

#define MYRMEX_VERSION "0.1"

int vmm_run_guests(void);

// Raise the exception `crash=` asked for, to test the VMM's own fault path.
static void crash_on_purpose(int kind)
{
    switch (kind) {
    case CRASH_UD: __asm__ volatile("ud2"); break;
    case CRASH_PF: *(volatile u64 *)0x7ffffffff000ULL = 1; break;
    case CRASH_GP: *(volatile u64 *)0x8000000000000000ULL = 1; break;
    }
}

void kernel_main(u32 magic, u64 mbi)
{
    console_init();
    trap_init();
    pic_init();
    time_init();
    log_info("myrmex %s: a shadow-paging VMM that watches its guests' processes", MYRMEX_VERSION);
    if (!bootinfo_parse(magic, mbi)) machine_exit(EXIT_BAD_MODULE);
    log_info("boot loader=\"%s\" cmdline=\"%s\"", bootinfo.loader ? bootinfo.loader : "?",
             bootinfo.cmdline);
    char err[160];
    if (!config_parse(bootinfo.cmdline, err, sizeof err)) {
        log_err("cmdline: %s (see docs/cmdline.md)", err);
        machine_exit(EXIT_BAD_CMDLINE);
    }
    log_info("tsc hz=%llu", tsc_hz);
    bootinfo_print();
    mem_init();
    timer_init();
    cpu_probe();
    crash_on_purpose(config.crash);
    if (config.selftest) machine_exit(selftest_run() ? EXIT_FAIL : EXIT_OK);
    if (cpu.usable == VIRT_NONE) machine_exit(EXIT_NO_VIRT);
    machine_exit(vmm_run_guests());
}
