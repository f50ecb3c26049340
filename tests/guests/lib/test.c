// test.c — PASS/FAIL/SKIP reporting, the myrmex test device, ending the run, guest_start
#include <stdarg.h>
#include "test.h"
#include "desc.h"
#include "io.h"
#include "multiboot.h"
#include "print.h"
#include "serial.h"
#include "trap.h"

static uint32_t passed, failed;
static int myrmex_state = -1;   // unknown until first asked

// Print "PASS name".
void test_pass(const char *name) { passed++; gprintf("PASS %s\n", name); }

// Print "FAIL name: detail".
void test_fail(const char *name, const char *fmt, ...) {
    va_list ap;
    failed++;
    gprintf("FAIL %s: ", name);
    va_start(ap, fmt);
    gvprintf(fmt, ap);
    va_end(ap);
    gprintf("\n");
}

// PASS when ok, otherwise FAIL with the detail; returns ok.
int test_check(int ok, const char *name, const char *fmt, ...) {
    if (ok) { test_pass(name); return 1; }
    va_list ap;
    failed++;
    gprintf("FAIL %s: ", name);
    va_start(ap, fmt);
    gvprintf(fmt, ap);
    va_end(ap);
    gprintf("\n");
    return 0;
}

// Print "SKIP name (why)".
void test_skip(const char *name, const char *why) { gprintf("SKIP %s (%s)\n", name, why); }

// Drain COM1 and write code to the exit port; halts if nobody ends the VM.
void guest_exit(uint32_t code) {
    serial_drain();
    outl(EXIT_PORT, code);
    for (;;) __asm__ volatile("cli; hlt");
}

// Print "RESULT pass=N fail=M" and exit with 0 (all passed) or 1 through port 0xf4.
void test_finish(void) {
    gprintf("RESULT pass=%u fail=%u\n", passed, failed);
    guest_exit(failed ? 1 : 0);
}

// Read a myrmex counter (enum testdev_counter); 0xffffffff natively.
uint32_t testdev_read(uint32_t id) {
    outl(TESTDEV_PORT, id);
    return inl(TESTDEV_PORT);
}

// 1 when running under myrmex (the test device answers the magic).
int myrmex(void) {
    if (myrmex_state < 0) myrmex_state = testdev_read(TESTDEV_MAGIC) == TESTDEV_MAGIC_VALUE;
    return myrmex_state;
}

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
