// cmdline.c — parse "key=value key2 ..." against a table of options.
#include "kernel/cmdline.h"
#include "kernel/lib.h"

#define MAX_WORD 256

// Parse decimal or 0x-prefixed hex.
bool cmdline_parse_uint(const char *s, u64 *out)
{
    u64 v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; s += 2; }
    if (!*s) return false;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else return false;
        if (v > (UINT64_MAX - d) / base) return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

// Parse N, NK, NM or NG (binary multiples).
bool cmdline_parse_size(const char *s, u64 *out)
{
    char num[32];
    size_t n = strlen(s);
    unsigned shift = 0;
    if (n == 0 || n >= sizeof num) return false;
    switch (s[n - 1]) {
    case 'k': case 'K': shift = 10; n--; break;
    case 'm': case 'M': shift = 20; n--; break;
    case 'g': case 'G': shift = 30; n--; break;
    }
    memcpy(num, s, n);
    num[n] = 0;
    u64 v;
    if (!cmdline_parse_uint(num, &v) || v > (UINT64_MAX >> shift)) return false;
    *out = v << shift;
    return true;
}

static bool parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "yes")) { *out = true; return true; }
    if (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "no")) { *out = false; return true; }
    return false;
}

// Match `word` against pattern `key` ('#' = a decimal index); set *index.
static bool key_matches(const char *key, const char *word, int *index)
{
    *index = 0;
    while (*key) {
        if (*key == '#') {
            if (*word < '0' || *word > '9') return false;
            int i = 0;
            while (*word >= '0' && *word <= '9') {
                i = i * 10 + (*word++ - '0');
                if (i > 1000000) return false;
            }
            *index = i;
            key++;
        } else if (*key++ != *word++) {
            return false;
        }
    }
    return *word == 0;
}

// Store one value; false when it does not parse.
static bool apply(const struct cmdline_opt *o, void *dest, const char *value)
{
    switch (o->type) {
    case OPT_FLAG:
        if (!value) { *(bool *)dest = true; return true; }
        return parse_bool(value, dest);
    case OPT_BOOL:
        return value && parse_bool(value, dest);
    case OPT_UINT:
        return value && cmdline_parse_uint(value, dest);
    case OPT_SIZE:
        return value && cmdline_parse_size(value, dest);
    case OPT_ENUM:
        for (int i = 0; value && o->choices[i]; i++)
            if (!strcmp(o->choices[i], value)) { *(int *)dest = i; return true; }
        return false;
    case OPT_FUNC:
        return value && o->parse(value, dest);
    }
    return false;
}

// Print a size in the unit the user would write: "3G", "2M", "64K" or bytes.
static void format_size(char *buf, size_t len, u64 v)
{
    static const char units[] = "GMK";
    for (int i = 0; i < 3; i++) {
        unsigned shift = 30 - 10 * i;
        if (v && !(v & ((1ULL << shift) - 1))) {
            snprintf(buf, len, "%llu%c", v >> shift, units[i]);
            return;
        }
    }
    snprintf(buf, len, "%llu", v);
}

// A number outside the option's [min, max] is a command-line error, never clamped.
static bool in_range(const struct cmdline_opt *o, const void *dest, const char *word, char *err,
                     size_t errlen)
{
    if ((o->type != OPT_UINT && o->type != OPT_SIZE) || !o->max) return true;
    u64 v = *(const u64 *)dest;
    if (v >= o->min && v <= o->max) return true;
    char lo[24], hi[24];
    format_size(lo, sizeof lo, o->min);
    format_size(hi, sizeof hi, o->max);
    snprintf(err, errlen, "option '%s': value %llu is out of range (%s to %s)", word, v, lo, hi);
    return false;
}

// Handle one word "key[=value]".
static bool parse_word(char *word, const struct cmdline_opt *opts, char *err, size_t errlen)
{
    char *eq = strchr(word, '=');
    const char *value = NULL;
    if (eq) { *eq = 0; value = eq + 1; }
    for (const struct cmdline_opt *o = opts; o->key; o++) {
        int index;
        if (!key_matches(o->key, word, &index)) continue;
        if (strchr(o->key, '#') && index >= o->max_index) {
            snprintf(err, errlen, "option '%s': index %d out of range (max %d)", word, index,
                     o->max_index - 1);
            return false;
        }
        void *dest = (u8 *)o->dest + index * o->stride;
        if (!apply(o, dest, value)) {
            snprintf(err, errlen, "option '%s': bad value '%s'", word, value ? value : "");
            return false;
        }
        return in_range(o, dest, word, err, errlen);
    }
    snprintf(err, errlen, "unknown option '%s'", word);
    return false;
}

bool cmdline_parse(const char *line, const struct cmdline_opt *opts, char *err, size_t errlen)
{
    char word[MAX_WORD];
    bool first = true;
    while (line && *line) {
        while (*line == ' ' || *line == '\t') line++;
        if (!*line) break;
        size_t n = 0;
        while (line[n] && line[n] != ' ' && line[n] != '\t') n++;
        if (n >= sizeof word) {
            snprintf(err, errlen, "option '%.32s...' is too long", line);
            return false;
        }
        memcpy(word, line, n);
        word[n] = 0;
        line += n;
        bool is_path = !strchr(word, '=') && (strchr(word, '/') || strchr(word, '.'));
        if (first && is_path) { first = false; continue; }
        first = false;
        if (!parse_word(word, opts, err, errlen)) return false;
    }
    return true;
}

bool cmdline_find(const char *line, const char *key, char *value, size_t len)
{
    size_t klen = strlen(key);
    while (line && *line) {
        while (*line == ' ' || *line == '\t') line++;
        size_t n = 0;
        while (line[n] && line[n] != ' ' && line[n] != '\t') n++;
        if (n > klen && !strncmp(line, key, klen) && line[klen] == '=') {
            size_t vlen = MIN(n - klen - 1, len - 1);
            memcpy(value, line + klen + 1, vlen);
            value[vlen] = 0;
            return true;
        }
        line += n;
    }
    return false;
}
