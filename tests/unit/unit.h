// unit.h — a tiny host unit-test framework: TEST(name) registers, CHECK fails the test.
#pragma once
#include <stdio.h>
#include <string.h>
#include <stdint.h>

typedef void (*unit_fn)(void);
void unit_register(const char *name, unit_fn fn, const char *file);
void unit_fail(const char *file, int line, const char *msg);
extern int unit_current_failed;

#define TEST(name)                                                            \
    static void name(void);                                                   \
    __attribute__((constructor)) static void reg_##name(void)                 \
    { unit_register(#name, name, __FILE__); }                                 \
    static void name(void)

#define CHECK(cond)                                                           \
    do { if (!(cond)) { unit_fail(__FILE__, __LINE__, #cond); return; } } while (0)

#define CHECK_EQ(a, b)                                                        \
    do {                                                                      \
        unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
        if (_a != _b) {                                                       \
            char _m[256];                                                     \
            snprintf(_m, sizeof _m, "%s == %s (0x%llx != 0x%llx)", #a, #b, _a, _b); \
            unit_fail(__FILE__, __LINE__, _m);                                \
            return;                                                           \
        }                                                                     \
    } while (0)

#define CHECK_STR(a, b)                                                       \
    do {                                                                      \
        const char *_a = (a), *_b = (b);                                      \
        if (strcmp(_a, _b) != 0) {                                            \
            char _m[512];                                                     \
            snprintf(_m, sizeof _m, "%s == %s (\"%s\" != \"%s\")", #a, #b, _a, _b); \
            unit_fail(__FILE__, __LINE__, _m);                                \
            return;                                                           \
        }                                                                     \
    } while (0)

// Captured output of klog()/kputs() on the host (see host_shim.c).
const char *unit_log(void);        // everything logged since the last reset
void unit_log_reset(void);
int unit_log_contains(const char *needle);
int unit_log_count(const char *needle);   // how many times needle occurs
