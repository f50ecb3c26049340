// testdev.h — the myrmex test device: lets a test guest read the VMM's own counters.
//
// A guest writes a counter id (OUT dword) to TESTDEV_PORT, then reads the counter's low
// 32 bits (IN dword) from the same port. Without myrmex the port reads as 0xffffffff,
// so a guest can tell it runs natively. TESTDEV_MAGIC reads as TESTDEV_MAGIC_VALUE.
#pragma once

#define TESTDEV_PORT 0xf0

enum testdev_counter {
    TESTDEV_MAGIC = 0,           // reads TESTDEV_MAGIC_VALUE under myrmex
    TESTDEV_EXITS = 1,           // exits of this vCPU so far
    TESTDEV_INVLPG_DROPS = 2,    // shadow entries dropped by INVLPG
    TESTDEV_ROOTS_BUILT = 3,     // shadow roots (directories) built from scratch
    TESTDEV_ROOT_HITS = 4,       // CR3 loads that found a cached shadow root
    TESTDEV_PT_WRITES = 5,       // guest page-table writes emulated
    TESTDEV_GLOBAL_KEPT = 6,     // global shadow entries kept across CR3 loads
    TESTDEV_SHADOW_FLUSHES = 7,  // whole-shadow flushes (CR4.PGE toggles, etc.)
    TESTDEV_INJECTED_IRQS = 8,   // external interrupts injected
    TESTDEV_REINJECTED = 9,      // events re-injected from EXITINTINFO
};

#define TESTDEV_MAGIC_VALUE 0x6d79726dU   // "myrm"
