// main.c — cpu.elf: checks that need no paging (multiboot, CPUID, MSRs, ports, string I/O, ACPI)
#include "cpu.h"
#include "multiboot.h"
#include "print.h"
#include "test.h"

#define NO_EXIT_ARG 0xffffffffu

// Run every group of checks; test_finish follows in guest_start. With exit=N the guest
// ends at once with code N (a test of how the VMM reports a guest's own code);
// with poweroff=1 it powers itself off through ACPI at once.
void guest_main(void) {
    uint32_t code = cmdline_num("exit", NO_EXIT_ARG);
    if (code != NO_EXIT_ARG) {
        gprintf("INFO exit=%u requested: no checks\n", code);
        guest_exit(code);
    }
    if (cmdline_num("poweroff", 0)) {
        gprintf("INFO poweroff=1 requested: no checks\n");
        acpi_poweroff();
        return;
    }
    check_multiboot();
    check_cpuid();
    check_msrs();
    check_ports();
    check_string_io();
    check_acpi();
    check_port_sweep();
}
