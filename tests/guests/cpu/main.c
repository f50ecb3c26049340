// main.c — cpu.elf: checks that need no paging (multiboot, CPUID, MSRs, ports, string I/O)
#include "cpu.h"
#include "test.h"

// Run every group of checks; test_finish follows in guest_start.
void guest_main(void) {
    check_multiboot();
    check_cpuid();
    check_msrs();
    check_ports();
    check_string_io();
}
