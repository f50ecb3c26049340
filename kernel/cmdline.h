// cmdline.h — a table-driven key=value command-line parser (pure; host-tested).
#pragma once
#include "kernel/types.h"

enum opt_type {
    OPT_FLAG,    // "key" alone (or key=on|off): bool
    OPT_BOOL,    // key=on|off|1|0|yes|no: bool
    OPT_UINT,    // key=decimal or 0xhex: u64
    OPT_SIZE,    // key=N[K|M|G]: bytes, u64
    OPT_ENUM,    // key=one of `choices` (NULL-terminated): int, the index
    OPT_FUNC,    // key=anything: parse(value, dest) returns false on a bad value
};

// One option. A '#' in `key` stands for a VM number 0..max_index-1 ("vm#.mem"); the value
// then goes to dest + index * stride.
struct cmdline_opt {
    const char *key;
    enum opt_type type;
    void *dest;
    const char *const *choices;                 // OPT_ENUM
    bool (*parse)(const char *value, void *dest); // OPT_FUNC
    size_t stride;
    int max_index;
    u64 min, max;                               // OPT_UINT/OPT_SIZE bounds, when max != 0
    const char *help;
};

// Parse `line` against `opts` (terminated by an entry with key NULL). A first word that
// is a file name (no '=', containing '/' or '.') is skipped: QEMU passes the image name.
// Returns true on success; otherwise writes a message naming the bad word to err.
bool cmdline_parse(const char *line, const struct cmdline_opt *opts, char *err, size_t errlen);

// Parse a number with an optional K/M/G suffix; false on junk.
bool cmdline_parse_size(const char *s, u64 *out);
// Parse decimal or 0x-prefixed hex; false on junk or overflow.
bool cmdline_parse_uint(const char *s, u64 *out);
// Copy the value of the first "key=value" word into `value`; false when absent.
// Used to learn where to report before the whole line is known to be valid.
bool cmdline_find(const char *line, const char *key, char *value, size_t len);
