// unit.c — host test runner: runs every registered test (or those matching argv[1]).
#include "unit.h"
#include <stdlib.h>

#define MAX_TESTS 4096

struct test { const char *name; unit_fn fn; const char *file; int order; };
static struct test tests[MAX_TESTS];
static int ntests;
int unit_current_failed;

void unit_register(const char *name, unit_fn fn, const char *file)
{
    if (ntests == MAX_TESTS) { fprintf(stderr, "too many tests\n"); exit(2); }
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    tests[ntests].file = file;
    tests[ntests].order = ntests;
    ntests++;
}

void unit_fail(const char *file, int line, const char *msg)
{
    if (!unit_current_failed)
        printf("  %s:%d: check failed: %s\n", file, line, msg);
    unit_current_failed = 1;
}

// Order by file, then by registration order within a file.
static int cmp_tests(const void *a, const void *b)
{
    const struct test *ta = a, *tb = b;
    int c = strcmp(ta->file, tb->file);
    return c ? c : ta->order - tb->order;
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    qsort(tests, ntests, sizeof tests[0], cmp_tests);
    for (int i = 0; i < ntests; i++) {
        if (filter && !strstr(tests[i].name, filter) && !strstr(tests[i].file, filter))
            continue;
        unit_current_failed = 0;
        unit_log_reset();
        tests[i].fn();
        const char *base = strrchr(tests[i].file, '/');
        base = base ? base + 1 : tests[i].file;
        printf("%s %s:%s\n", unit_current_failed ? "FAIL" : "ok  ", base, tests[i].name);
        if (unit_current_failed) failed++; else passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
