// panic.h — stop the VMM with a message and a register dump.
#pragma once
#include "kernel/types.h"

// Exit statuses of a run (the value written to the exit port); docs/cmdline.md lists them.
// These are the VMM's own: a guest's exit-port code never becomes the run's status.
enum exit_status {
    EXIT_OK = 0,
    EXIT_FAIL = 1,          // a self test failed, or a VM ended with a non-zero code
    EXIT_BAD_CMDLINE = 2,   // unknown option or bad value
    EXIT_NO_VIRT = 3,       // no usable hardware virtualization: guests cannot run
    EXIT_PANIC = 4,         // the VMM itself hit an unrecoverable error
    EXIT_BAD_MODULE = 5,    // a boot module could not be loaded as a guest
};

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
// Walk saved frame pointers from `rbp` and print the return addresses.
void panic_backtrace(u64 rbp);
// End the run: final console line, then the exit port if one is configured.
void machine_exit(int status) __attribute__((noreturn));
