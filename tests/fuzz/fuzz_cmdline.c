// fuzz_cmdline.c — fuzz the command-line parser (kernel/cmdline.c) as the host builds it.
//
// Input: one byte choosing the error-buffer size, then the command line. It is parsed
// against a table shaped like kernel/config.c's (flags, booleans, numbers, sizes, enums,
// a function, "vm#." keys), and every word also goes through cmdline_parse_uint,
// cmdline_parse_size and cmdline_find with exact-size heap buffers (ASan bounds them).
// Checks: an indexed value lands inside its array; a failed parse leaves a non-empty,
// terminated message within the buffer; whatever the number parsers accept has the
// value an independent 128-bit reference computes; cmdline_find's value is terminated
// inside the buffer it was given.
#include "tests/fuzz/fuzz.h"
#include "kernel/cmdline.h"
#include <stdlib.h>
#include <string.h>

#define NVM      4
#define MAX_LINE 2048

struct vmopt { u64 mem; int onreset; u64 maxrestarts; };

static bool o_flag, o_bool;
static u64 o_uint, o_func;
static int o_enum;
static struct vmopt o_vm[NVM];
static const char *const levels[] = { "error", "warn", "info", "debug", NULL };
static const char *const onreset[] = { "stop", "restart", NULL };

// OPT_FUNC: a port number below 0x10000, as exitport's parser takes.
static bool parse_port(const char *v, void *dest)
{
    u64 p;
    if (!cmdline_parse_uint(v, &p) || p > 0xffff) return false;
    *(u64 *)dest = p;
    return true;
}

static const struct cmdline_opt opts[] = {
    { .key = "log", .type = OPT_ENUM, .dest = &o_enum, .choices = levels },
    { .key = "selftest", .type = OPT_FLAG, .dest = &o_flag },
    { .key = "exitport", .type = OPT_FUNC, .dest = &o_func, .parse = parse_port },
    { .key = "antfarm", .type = OPT_BOOL, .dest = &o_bool },
    { .key = "antfarm.summary", .type = OPT_UINT, .dest = &o_uint },
    { .key = "vm#.mem", .type = OPT_SIZE, .dest = &o_vm[0].mem, .stride = sizeof(struct vmopt),
      .max_index = NVM },
    { .key = "vm#.onreset", .type = OPT_ENUM, .dest = &o_vm[0].onreset, .choices = onreset,
      .stride = sizeof(struct vmopt), .max_index = NVM },
    { .key = "vm#.maxrestarts", .type = OPT_UINT, .dest = &o_vm[0].maxrestarts,
      .stride = sizeof(struct vmopt), .max_index = NVM },
    { .key = NULL },
};

// The reference: decimal or 0x-hex digits, then optionally (sizes) one K/M/G; false on
// anything else or a value past 64 bits.
static bool ref_parse(const char *s, bool size, u64 *out)
{
    size_t n = strlen(s);
    unsigned shift = 0;
    if (size && n) {
        char c = s[n - 1];
        shift = c == 'k' || c == 'K' ? 10 : c == 'm' || c == 'M' ? 20 : c == 'g' || c == 'G' ? 30 : 0;
        if (shift) n--;
    }
    unsigned base = 10;
    size_t i = 0;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; i = 2; }
    if (i == n) return false;
    unsigned __int128 v = 0;
    for (; i < n; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                   : base == 16 && c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                   : base == 16 && c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 99;
        if (d >= base) return false;
        v = v * base + d;
        if (v >> 64) return false;
    }
    v <<= shift;
    if (v >> 64) return false;
    *out = (u64)v;
    return true;
}

// A heap copy of s[0..n) with its terminator: reading past it is an ASan report.
static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

// The number parsers and cmdline_find on one word.
static void check_word(const char *line, const char *w, size_t n, size_t vlen)
{
    char *word = dup_n(w, n);
    const char *eq = strchr(word, '=');
    const char *val = eq ? eq + 1 : word;
    u64 got, want;
    if (cmdline_parse_uint(val, &got)) FUZZ_CHECK(ref_parse(val, false, &want) && got == want);
    if (cmdline_parse_size(val, &got)) FUZZ_CHECK(ref_parse(val, true, &want) && got == want);
    if (eq && eq > word) {
        char *key = dup_n(word, (size_t)(eq - word));
        char *value = malloc(vlen);
        if (cmdline_find(line, key, value, vlen))
            FUZZ_CHECK(strnlen(value, vlen) < vlen);
        free(value);
        free(key);
    }
    free(word);
}

// See fuzz.h: parse one command line and check each of its words.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    if (len < 1) return;
    size_t errlen = 1 + data[0] % 200, vlen = 1 + data[0] % 40;
    if (len - 1 > MAX_LINE) len = MAX_LINE + 1;
    char *line = dup_n((const char *)data + 1, len - 1);
    char *err = malloc(errlen);
    memset(err, 'X', errlen);
    memset(o_vm, 0, sizeof o_vm);
    if (!cmdline_parse(line, opts, err, errlen)) {
        FUZZ_CHECK(memchr(err, 0, errlen) != NULL);
        FUZZ_CHECK(errlen == 1 || err[0] != 0);
    }
    for (const char *p = line; *p;) {
        while (*p == ' ' || *p == '\t') p++;
        size_t n = strcspn(p, " \t");
        if (n) check_word(line, p, n, vlen);
        p += n;
    }
    free(err);
    free(line);
}

// Seeds: lines like the real ones; tokens: option names, separators, suffixes.
void fuzz_init(void)
{
    static const char *const seeds[] = {
        "\x50" "build/myrmex.elf log=debug exitport=0xf4 vm0.mem=64M vm1.mem=0x1000k",
        "\x50" "selftest antfarm=on antfarm.summary=10 vm3.onreset=restart vm2.maxrestarts=3",
        "\x10" "vm0.mem=18446744073709551615 vm1.mem=16G vm4.mem=1M",
        "\x05" "\tlog=info  exitport=65536 vm9999999.mem=1",
        "\x30" "antfarm=maybe",
    };
    static const char *const tokens[] = {
        "vm0.", "vm1.", "vm3.", "vm4.", ".mem=", ".onreset=", ".maxrestarts=", "log=", "exitport=",
        "antfarm", "antfarm.summary=", "selftest", "=", " ", "\t", "0x", "K", "M", "G", "ffff",
        "18446744073709551615", "4294967296", "on", "off", "restart",
    };
    for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) fuzz_add_seed(seeds[i], strlen(seeds[i]));
    for (size_t i = 0; i < ARRAY_SIZE(tokens); i++) fuzz_add_token(tokens[i], strlen(tokens[i]));
}
