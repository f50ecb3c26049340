// mmu.h — mmu.elf: shared state and the check groups of the paging test kernel
#pragma once
#include <stdint.h>
#include "paging.h"

#define MARK_OFFSET_LAST (PAGE_SIZE - 4)   // markers sit in a page's first and last dword
#define REGION_4K   0x40000000u            // 4 KiB test mappings (PT from the low pool)
#define REGION_LARGE 0x20000000u           // 4 MiB test mappings
#define REGION_SPACE 0x50000000u           // per-address-space mappings

extern uint32_t *kpd;                      // the identity directory the kernel runs on

// A low-pool page whose first and last dwords hold marker.
uint32_t marker_page(uint32_t marker);
// The marker at va (first dword), or ~0 when reading faults.
uint32_t read_marker(uint32_t va);
// Counter delta helper: current value of a myrmex counter.
static inline uint32_t ctr(uint32_t id);
#include "test.h"
static inline uint32_t ctr(uint32_t id) { return testdev_read(id); }

// Paging on/off, CR3 switching between address spaces, 4 MiB pages.
void check_basic(void);
// Accessed and dirty bits in the guest's own entries.
void check_ad_bits(void);
// Permission faults, error codes, CR2, CR0.WP.
void check_permissions(void);
// INVLPG, CR3 reloads, global pages (CR4.PGE).
void check_tlb(void);
// String I/O through paging: discontiguous frames, partial progress on #PF.
void check_paged_string_io(void);
