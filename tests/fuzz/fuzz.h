// fuzz.h — the interface between the fuzz driver (driver.c) and one harness (fuzz_NAME.c).
//
// A harness defines fuzz_one(), which runs one input and checks its invariants with
// FUZZ_CHECK; it may define fuzz_init() to give the driver seed inputs and dictionary
// tokens. Sanitizer reports and failed checks abort; the driver then leaves the input
// behind and prints how to replay it.
#pragma once
#include <stddef.h>

// Run one input (the harness must not keep `data` after returning).
void fuzz_one(const unsigned char *data, unsigned long len);
// Optional: called once before the first input (a weak symbol in the driver).
void fuzz_init(void);

// Add a seed input to the corpus the mutator starts from.
void fuzz_add_seed(const void *data, size_t len);
// Add a dictionary token the mutator splices into inputs (opcodes, ports, words).
void fuzz_add_token(const void *data, size_t len);
// Report a broken invariant and abort (the driver's abort handler prints the replay line).
void fuzz_fail(const char *file, int line, const char *what);

#define FUZZ_CHECK(cond) \
    do { if (!(cond)) fuzz_fail(__FILE__, __LINE__, #cond); } while (0)
#define FUZZ_SEED(lit) fuzz_add_seed(lit, sizeof(lit) - 1)
#define FUZZ_TOKEN(lit) fuzz_add_token(lit, sizeof(lit) - 1)
