// test.c — guest_start: the multiboot test guests' C entry (reporting is in report.c)
#include "test.h"
#include "desc.h"
#include "multiboot.h"
#include "print.h"
#include "serial.h"
#include "trap.h"

void guest_start(uint32_t magic, const struct mb_info *mbi);

// C entry from entry.asm: set up COM1, descriptors, traps, then run the guest's tests.
void guest_start(uint32_t magic, const struct mb_info *mbi) {
    serial_init();
    multiboot_parse(magic, mbi);
    gdt_init();
    trap_init();
    gprintf("INFO guest %s: %s\n", boot.cmdline, myrmex() ? "under myrmex" : "native (no myrmex)");
    guest_main();
    test_finish();
}
