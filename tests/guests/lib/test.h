// test.h — PASS/FAIL/SKIP reporting, the myrmex test device, and ending the run
#pragma once
#include <stdint.h>
#include "vmm/testdev.h"

#define EXIT_PORT 0xf4   // isa-debug-exit under QEMU, the VM exit port under myrmex

// Print "PASS name".
void test_pass(const char *name);
// Print "FAIL name: detail".
void test_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// PASS when ok, otherwise FAIL with the detail; returns ok.
int test_check(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
// Print "SKIP name (why)".
void test_skip(const char *name, const char *why);
// Print "RESULT pass=N fail=M" and exit with 0 (all passed) or 1 through port 0xf4.
void test_finish(void) __attribute__((noreturn));
// Drain COM1 and write code to the exit port; halts if nobody ends the VM.
void guest_exit(uint32_t code) __attribute__((noreturn));

// 1 when running under myrmex (the test device answers the magic).
int myrmex(void);
// Read a myrmex counter (enum testdev_counter); 0xffffffff natively.
uint32_t testdev_read(uint32_t id);

// The guest's own tests; called by guest_start with the lib initialised.
void guest_main(void);
