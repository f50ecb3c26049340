// selftest.h — in-kernel self tests, run by the `selftest` option.
#pragma once
#include "kernel/types.h"

struct selftest {
    const char *name;
    // Return NULL on success or a message saying what failed.
    const char *(*fn)(void);
};

#define SELFTEST(n)                                                                    \
    static const char *selftest_##n(void);                                             \
    static const struct selftest selftest_entry_##n                                    \
        __attribute__((used, section(".selftests"), aligned(8))) = { #n, selftest_##n }; \
    static const char *selftest_##n(void)

// Run every self test; returns the number that failed.
int selftest_run(void);
