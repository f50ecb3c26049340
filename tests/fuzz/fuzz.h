// fuzz.h — the interface between the fuzz driver (driver.c) and one harness (fuzz_NAME.c).
//
// A harness defines fuzz_one(), which runs one input and checks its invariants with
// FUZZ_CHECK; it may define fuzz_init() to give the driver seed inputs and dictionary
// tokens. Sanitizer reports and failed checks abort; the driver then leaves the input
// behind and prints how to replay it.
#pragma once
#include <stddef.h>
#include <stdint.h>

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

// An input read as a stream of little-endian fields: bytes past its end read as 0.
struct fuzz_reader { const unsigned char *p; unsigned long len, pos; };

// The next n (1..4) bytes of the input, little-endian; 0 past its end.
static inline uint32_t fuzz_take(struct fuzz_reader *r, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++, r->pos++)
        if (r->pos < r->len) v |= (uint32_t)r->p[r->pos] << (8 * i);
    return v;
}
