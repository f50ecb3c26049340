// main.c — cpu.elf: checks that need no paging (multiboot, CPUID, MSRs, ports, string I/O)
#include "cpu.h"
#include "multiboot.h"
#include "print.h"
#include "test.h"

#define NO_EXIT_ARG 0xffffffffu

// Run every group of checks; test_finish follows in guest_start. With exit=N the guest
// ends at once with code N (a test of how the VMM reports a guest's own code).
void guest_main(void) {
    uint32_t code = cmdline_num("exit", NO_EXIT_ARG);
    if (code != NO_EXIT_ARG) {
        gprintf("INFO exit=%u requested: no checks\n", code);
        guest_exit(code);
    }
    check_multiboot();
    check_cpuid();
    check_msrs();
    check_ports();
    check_string_io();
    check_port_sweep();
}
