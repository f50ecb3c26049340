// entry.c — runs a myrmex fuzz harness under libFuzzer (clang) instead of driver.c.
//
// libFuzzer brings its own corpus and mutator: the harness's seeds and tokens are not
// used here (give it a corpus directory instead), and a failed FUZZ_CHECK aborts, which
// libFuzzer reports as a crash with its own reproducer file.
#include "tests/fuzz/fuzz.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void fuzz_add_seed(const void *data, size_t len) {}
void fuzz_add_token(const void *data, size_t len) {}

// See fuzz.h.
void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "fuzz check failed at %s:%d: %s\n", file, line, what);
    abort();
}

__attribute__((weak)) void fuzz_init(void) {}

// libFuzzer start-up: the harness's own set-up.
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

// libFuzzer's per-input entry: the harness.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    fuzz_one(data, len);
    return 0;
}
