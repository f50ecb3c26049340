// cpu.h — the checks of cpu.elf (paging off): multiboot info, CPUID, MSRs, ports, string I/O, ACPI
#pragma once

#define UNKNOWN_PORT 0x2c0        // claimed by no device, natively or under myrmex
#define COM1_SCRATCH 0x3ff        // the 16550 scratch register

// Multiboot magic, memory sizes, memory map and command line.
void check_multiboot(void);
// CPUID identity and hidden features.
void check_cpuid(void);
// EFER, SYSENTER, TSC and unknown MSRs.
void check_msrs(void);
// Unknown ports and the UART scratch register.
void check_ports(void);
// REP INS/OUTS across page boundaries, with DF, segment overrides and 0x67.
void check_string_io(void);
// ACPI tables found by the RSDP scan, PM timer rate against the PIT.
void check_acpi(void);
// ACPI S5 soft-off through PM1a_CNT; returns (after a FAIL line) only if the VM runs on.
void acpi_poweroff(void);
// A read of every port and a BAR clash loop (last: they disturb device state).
void check_port_sweep(void);
