// report.c — PASS/FAIL/SKIP reporting, the myrmex test device, ending the run
#include <stdarg.h>
#include "test.h"
#include "io.h"
#include "print.h"
#include "serial.h"

static uint32_t passed, failed;
static int myrmex_state = -1;   // unknown until first asked

// Print "PASS name".
void test_pass(const char *name) { passed++; gprintf("PASS %s\n", name); }

static void vfail(const char *name, const char *fmt, va_list ap) {
    failed++;
    gprintf("FAIL %s: ", name);
    gvprintf(fmt, ap);
    gprintf("\n");
}

// Print "FAIL name: detail".
void test_fail(const char *name, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(name, fmt, ap);
    va_end(ap);
}

// PASS when ok, otherwise FAIL with the detail; returns ok.
int test_check(int ok, const char *name, const char *fmt, ...) {
    if (ok) { test_pass(name); return 1; }
    va_list ap;
    va_start(ap, fmt);
    vfail(name, fmt, ap);
    va_end(ap);
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
