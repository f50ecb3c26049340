// driver.c — a self-contained, seeded, coverage-guided mutational fuzz driver.
//
// Usage: NAME [-n COUNT] [-t SECONDS] [-s SEED] | NAME -r FILE
// Each input is random bytes or a stack of mutations of a corpus entry (the harness's
// seeds, its dictionary tokens, and every earlier input that reached new code). Coverage
// comes from GCC's -fsanitize-coverage=trace-pc on the code under test: this file is
// built without it and supplies __sanitizer_cov_trace_pc. Before each input runs it is
// written to NAME.cur, so a crash (a sanitizer report or a FUZZ_CHECK, both abort)
// leaves it behind; the abort path copies it to NAME.crash and prints the replay command.
#include "tests/fuzz/fuzz.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_INPUT     4096        // bytes; longer inputs are cut
#define MAX_CORPUS    8192        // entries; later finds replace random older ones
#define MAX_TOKENS    512
#define MAX_TOKEN_LEN 64
#define COV_BITS      18
#define COV_SIZE      (1u << COV_BITS)
#define MAX_STACK     8           // mutations applied to one input, at most
#define RANDOM_PCT    5           // inputs that are plain random bytes, in percent
#define TIME_CHECK    64          // inputs between clock reads
#define DEFAULT_SECS  10

struct blob { unsigned char *data; size_t len; };

static const char *name = "?";
static const char *bin_path = "?";
static char cur_path[4096], crash_path[4096];
static int cur_fd = -1;
static unsigned long long seed, inputs;
static struct timespec t_start;

static struct blob corpus[MAX_CORPUS];
static size_t ncorpus;
static struct blob tokens[MAX_TOKENS];
static size_t ntokens;

// Coverage: one byte per hashed (previous block, block) edge, set once ever.
static unsigned char cov_seen[COV_SIZE];
static uintptr_t cov_prev;
static unsigned long cov_new, cov_edges;

// A PC relative to this program's image, so the edge hash survives ASLR.
void __sanitizer_cov_trace_pc(void)
{
    uintptr_t pc = (uintptr_t)__builtin_return_address(0) - (uintptr_t)&fuzz_add_seed;
    uintptr_t h = (pc * 0x9E3779B97F4A7C15ull) >> (64 - COV_BITS);
    uintptr_t e = (h ^ cov_prev) & (COV_SIZE - 1);
    cov_prev = h >> 1;
    if (!cov_seen[e]) {
        cov_seen[e] = 1;
        cov_new++;
        cov_edges++;
    }
}

// xorshift64*: small, fast and good enough to drive mutations.
static unsigned long long rng_state;
// The next pseudo-random 64-bit number.
static unsigned long long rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}
// A uniform number in [0, n) (n > 0).
static size_t below(size_t n) { return (size_t)(rnd() % n); }

// Seconds since the run started.
static double elapsed(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t_start.tv_sec) + (t.tv_nsec - t_start.tv_nsec) / 1e9;
}

// Keep a copy of `data` in `b`.
static void blob_set(struct blob *b, const void *data, size_t len)
{
    free(b->data);
    b->data = malloc(len ? len : 1);
    if (!b->data) abort();
    memcpy(b->data, data, len);
    b->len = len;
}

// See fuzz.h.
void fuzz_add_seed(const void *data, size_t len)
{
    if (len > MAX_INPUT) len = MAX_INPUT;
    struct blob *b = ncorpus < MAX_CORPUS ? &corpus[ncorpus++] : &corpus[below(MAX_CORPUS)];
    blob_set(b, data, len);
}

// See fuzz.h.
void fuzz_add_token(const void *data, size_t len)
{
    if (ntokens == MAX_TOKENS || len == 0) return;
    blob_set(&tokens[ntokens++], data, len > MAX_TOKEN_LEN ? MAX_TOKEN_LEN : len);
}

__attribute__((weak)) void fuzz_init(void) {}

// Every sanitizer report ends in abort(), so one SIGABRT handler keeps the input. ASan's
// default quarantine (256 MiB) makes every large allocation fresh, zeroed memory: page
// faults dominate a harness that builds a machine per input; 16 MiB still catches a use
// after free within the same input.
const char *__asan_default_options(void) { return "abort_on_error=1:quarantine_size_mb=16"; }
// UBSan: stop at the first report, with a stack (see above).
const char *__ubsan_default_options(void)
{
    return "abort_on_error=1:halt_on_error=1:print_stacktrace=1";
}

// Write the whole buffer to fd (best effort: used on the way down too).
static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) return;
        p += n;
        len -= (size_t)n;
    }
}

// The abort path: keep the input that crashed, say how to replay it. Runs from a signal
// handler or a sanitizer's death callback, so it uses plain system calls.
static void report_crash(void)
{
    static int reported;
    if (reported++ || cur_fd < 0) return;
    char buf[8192];
    int in = open(cur_path, O_RDONLY), out = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t n;
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0) write_all(out, buf, (size_t)n);
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    int len = snprintf(buf, sizeof buf,
                       "fuzz name=%s crash input=%s saved=%s\n"
                       "fuzz name=%s replay: %s -r %s\n"
                       "fuzz name=%s inputs=%llu seconds=%.1f crashes=1 seed=%llu\n",
                       name, cur_path, crash_path, name, bin_path, crash_path, name,
                       inputs, elapsed(), seed);
    if (len > 0) write_all(2, buf, (size_t)len < sizeof buf ? (size_t)len : sizeof buf - 1);
}

// A fatal signal (abort included): keep the input, then die of the same signal.
static void on_signal(int sig)
{
    report_crash();
    signal(sig, SIG_DFL);
    raise(sig);
}

void __sanitizer_set_death_callback(void (*cb)(void));

// See fuzz.h.
void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "fuzz name=%s check failed at %s:%d: %s\n", name, file, line, what);
    abort();
}

// Run one input from a private exact-size copy, so reading past its end is an ASan report.
static void run_input(const unsigned char *data, size_t len)
{
    if (pwrite(cur_fd, data, len, 0) != (ssize_t)len || ftruncate(cur_fd, (off_t)len) != 0) {
        fprintf(stderr, "fuzz name=%s cannot write %s\n", name, cur_path);
        exit(2);
    }
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy) abort();
    memcpy(copy, data, len);
    cov_prev = 0;
    fuzz_one(copy, len);
    free(copy);
    inputs++;
}

static const unsigned char interesting8[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x20, 0x40, 0x0f, 0xfe };
static const unsigned interesting32[] = { 0, 1, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
                                          0x7fffffff, 0x80000000u, 0xffffffffu, 0xfff, 0x1000 };

// Make room for `n` bytes at `pos` (cut at MAX_INPUT); returns how many fit.
static size_t open_gap(unsigned char *buf, size_t *len, size_t pos, size_t n)
{
    if (pos + n > MAX_INPUT) n = MAX_INPUT - pos;
    size_t keep = *len - pos;
    if (pos + n + keep > MAX_INPUT) keep = MAX_INPUT - pos - n;
    memmove(buf + pos + n, buf + pos, keep);
    *len = pos + n + keep;
    return n;
}

// Apply one random mutation to buf[0..*len) (capacity MAX_INPUT).
static void mutate(unsigned char *buf, size_t *len)
{
    size_t n = *len, pos = n ? below(n) : 0;
    switch (below(13)) {
    case 0: if (n) buf[pos] ^= (unsigned char)(1u << below(8)); break;
    case 1: if (n) buf[pos] = (unsigned char)rnd(); break;
    case 2: if (n) buf[pos] = interesting8[below(sizeof interesting8)]; break;
    case 3: if (n) buf[pos] = (unsigned char)(buf[pos] + (below(2) ? 1 : -1) * (int)(1 + below(16))); break;
    case 4: case 5: {                                   // a dictionary token, over or in
        if (!ntokens) break;
        const struct blob *t = &tokens[below(ntokens)];
        pos = below(n + 1);
        size_t k = t->len;
        if (below(2)) k = open_gap(buf, len, pos, k);
        else { if (pos + k > MAX_INPUT) k = MAX_INPUT - pos; if (pos + k > *len) *len = pos + k; }
        memcpy(buf + pos, t->data, k);
        break;
    }
    case 6: {                                           // random bytes in
        pos = below(n + 1);
        size_t k = open_gap(buf, len, pos, 1 + below(16));
        for (size_t i = 0; i < k; i++) buf[pos + i] = (unsigned char)rnd();
        break;
    }
    case 7: {                                           // a range out
        if (!n) break;
        size_t k = 1 + below(n - pos < 16 ? n - pos : 16);
        memmove(buf + pos, buf + pos + k, n - pos - k);
        *len = n - k;
        break;
    }
    case 8: {                                           // a range repeated elsewhere
        if (!n) break;
        size_t k = 1 + below(n - pos < 32 ? n - pos : 32), to = below(n + 1);
        unsigned char tmp[32];
        memcpy(tmp, buf + pos, k);
        k = open_gap(buf, len, to, k);
        memcpy(buf + to, tmp, k);
        break;
    }
    case 9: {                                           // a piece of another corpus entry
        const struct blob *o = &corpus[below(ncorpus)];
        if (!o->len) break;
        size_t from = below(o->len), k = 1 + below(o->len - from);
        pos = below(n + 1);
        if (below(2)) k = open_gap(buf, len, pos, k);
        else { if (pos + k > MAX_INPUT) k = MAX_INPUT - pos; if (pos + k > *len) *len = pos + k; }
        memcpy(buf + pos, o->data + from, k);
        break;
    }
    case 10: {                                          // an interesting 16/32-bit value
        unsigned v = interesting32[below(sizeof interesting32 / sizeof interesting32[0])];
        size_t w = below(2) ? 2 : 4;
        if (n < w) break;
        pos = below(n - w + 1);
        for (size_t i = 0; i < w; i++) buf[pos + i] = (unsigned char)(v >> (8 * i));
        break;
    }
    case 11: if (n) *len = below(n); break;
    default: if (n) { size_t o = below(n); unsigned char t = buf[pos]; buf[pos] = buf[o]; buf[o] = t; } break;
    }
}

// The next input: random bytes now and then, else a stack of mutations of a corpus entry.
static size_t next_input(unsigned char *buf)
{
    size_t len;
    if (!ncorpus || below(100) < RANDOM_PCT) {
        len = below((size_t)1 << (1 + below(12)));
        for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)rnd();
        return len;
    }
    const struct blob *b = &corpus[below(ncorpus)];
    memcpy(buf, b->data, b->len);
    len = b->len;
    for (size_t k = 1 + below(MAX_STACK); k; k--) mutate(buf, &len);
    return len;
}

// Read a whole file (at most MAX_INPUT bytes are used).
static size_t read_file(const char *path, unsigned char *buf)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "fuzz name=%s cannot read %s\n", name, path); exit(2); }
    size_t n = fread(buf, 1, MAX_INPUT, f);
    fclose(f);
    return n;
}

// Bad arguments: say how to call, exit 2.
static void usage(void)
{
    fprintf(stderr, "usage: %s [-n COUNT] [-t SECONDS] [-s SEED] | %s -r FILE\n", name, name);
    exit(2);
}

// Parse the options, then replay one file or fuzz until the count or time is reached.
int main(int argc, char **argv)
{
    static unsigned char buf[MAX_INPUT];
    unsigned long long count = 0;
    double secs = 0;
    const char *replay = NULL;
    int opt, have_seed = 0;
    const char *slash = strrchr(argv[0], '/');
    name = slash ? slash + 1 : argv[0];
    bin_path = argv[0];
    while ((opt = getopt(argc, argv, "n:t:s:r:")) != -1) {
        switch (opt) {
        case 'n': count = strtoull(optarg, NULL, 0); break;
        case 't': secs = strtod(optarg, NULL); break;
        case 's': seed = strtoull(optarg, NULL, 0); have_seed = 1; break;
        case 'r': replay = optarg; break;
        default: usage();
        }
    }
    if (optind != argc) usage();
    if (!count && secs <= 0) secs = DEFAULT_SECS;
    if (!have_seed) seed = (unsigned long long)time(NULL);
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    clock_gettime(CLOCK_MONOTONIC, &t_start);

    snprintf(cur_path, sizeof cur_path, "%s.cur", argv[0]);
    snprintf(crash_path, sizeof crash_path, "%s.crash", argv[0]);
    signal(SIGABRT, on_signal);
    signal(SIGSEGV, on_signal);
    signal(SIGFPE, on_signal);
    signal(SIGILL, on_signal);
    signal(SIGBUS, on_signal);
    __sanitizer_set_death_callback(report_crash);

    if (replay) {
        // Replay through the same path, so the crash handler still knows the input.
        size_t n = read_file(replay, buf);
        snprintf(cur_path, sizeof cur_path, "%s.replay", argv[0]);
        cur_fd = open(cur_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
        if (cur_fd < 0) { fprintf(stderr, "fuzz name=%s cannot open %s\n", name, cur_path); return 2; }
        fuzz_init();
        run_input(buf, n);
        printf("fuzz name=%s replay=%s bytes=%zu crashes=0\n", name, replay, n);
        return 0;
    }

    cur_fd = open(cur_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (cur_fd < 0) { fprintf(stderr, "fuzz name=%s cannot open %s\n", name, cur_path); return 2; }
    fuzz_init();
    for (size_t i = 0; i < ncorpus; i++) run_input(corpus[i].data, corpus[i].len);
    for (;;) {
        if (count && inputs >= count) break;
        if (secs > 0 && inputs % TIME_CHECK == 0 && elapsed() >= secs) break;
        size_t len = next_input(buf);
        cov_new = 0;
        run_input(buf, len);
        if (cov_new) fuzz_add_seed(buf, len);
    }
    printf("fuzz name=%s corpus=%zu edges=%lu\n", name, ncorpus, cov_edges);
    printf("fuzz name=%s inputs=%llu seconds=%.1f crashes=0 seed=%llu\n", name, inputs,
           elapsed(), seed);
    return 0;
}
