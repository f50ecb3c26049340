// acpi.h — the ACPI tables a PC's firmware leaves in memory: RSDP, RSDT, FADT, FACS, DSDT.
//
// All of them live in one block at ACPI_BASE, inside the BIOS area (0xf0000-0xfffff)
// that both loaders already mark reserved (the Linux e820 map, the multiboot memory map)
// and that the OS scans for the RSDP. What they describe: the PM1a event/control blocks
// and PM timer of vmm/dev/acpi_pm.h, SCI on IRQ 9, reset through the PIIX3's 0xcf9,
// the RTC's century register, an i8042, and a DSDT with \_S5 (soft off) and one PCI
// host bridge (\_SB.PCI0, without which an ACPI OS would not scan PCI at all).
// No MADT yet: the VM has no APIC. Adding a table is one build function and one
// rsdt_add() call in acpi_build (vmm/acpi.c).
// Pure logic (it writes a buffer), so the host unit tests check the bytes.
#pragma once
#include "kernel/types.h"

#define ACPI_BASE   0xf0000          // the RSDP comes first (16-byte aligned, as the scan needs)
#define ACPI_SIZE   0x1000
#define ACPI_OEM_ID "MYRMEX"

// Write the tables into guest RAM `ram` (guest-physical 0..ram_size, which must reach
// past ACPI_BASE + ACPI_SIZE); false (logged for VM `vm_id`) if they do not fit.
bool acpi_build(u8 *ram, u64 ram_size, int vm_id);
