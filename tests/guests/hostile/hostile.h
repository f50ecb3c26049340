// hostile.h — the attack table of hostile.elf and the helpers the attack files share
#pragma once
#include <stdint.h>

#define TEST_VA     0x60000000u   // PD slot 384: where attacks build their own mappings
#define TEST_VA2    0x60400000u   // PD slot 385
#define MARKER_A    0xa11a0000u
#define MARKER_B    0xb22b0000u
#define MARKER_C    0xc33c0000u

typedef void (*attack_fn)(void);
struct attack { const char *name; attack_fn fn; };

// Each attack file's table, ended by a NULL name.
extern const struct attack paging_attacks[], ptw_attacks[], cpu_attacks[], io_attacks[], desc_attacks[];

// Identity paging on (4 KiB below 4 MiB, 4 MiB pages up to 32 MiB, CR4.PSE); returns the PD.
uint32_t *hostile_paging_on(void);
// Run fn in ring 0 and check it raised vector want (TRAP_NONE: no fault).
int expect_vector(const char *name, void (*fn)(void *), void *arg, int want);
// The first 4 MiB-aligned guest-physical address at or above the end of RAM.
uint32_t beyond_ram(void);
// Flush va natively (a real TLB may hold the old entry); under myrmex the shadow must follow.
void native_invlpg(uint32_t va);
// Print INFO, then never return from a VM-ending attack: FAIL if it comes back.
void must_not_return(const char *name) __attribute__((noreturn));
