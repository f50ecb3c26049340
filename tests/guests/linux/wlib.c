/* wlib.c — the few library routines the guest programs need (no libc). */
#include "sys.h"
#include "wlib.h"

void *memset(void *d, int c, unsigned n)
{
    unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}

u32 slen(const char *s) { u32 n = 0; while (s[n]) n++; return n; }

int seq(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

static char obuf[8192];
static u32 olen;

void flush(void)
{
    u32 off = 0;
    while (off < olen) {
        long r = sys_write(1, obuf + off, olen - off);
        if (r == -EINTR) continue;
        if (sys_failed(r) || r == 0) break;
        off += (u32)r;
    }
    olen = 0;
}

void puts_(const char *s)
{
    while (*s) {
        if (olen == sizeof obuf) flush();
        obuf[olen++] = *s++;
    }
}

void putu(u64 v)
{
    char t[24];
    int i = 0;
    do { t[i++] = (char)('0' + v % 10); v /= 10; } while (v);
    char s[24];
    int j = 0;
    while (i) s[j++] = t[--i];
    s[j] = 0;
    puts_(s);
}

void puti(s64 v)
{
    if (v < 0) { puts_("-"); v = -v; }
    putu((u64)v);
}

/* "sec.usec" with six digits. */
void putt(u32 sec, u32 usec)
{
    char s[8];
    putu(sec);
    puts_(".");
    for (int i = 5; i >= 0; i--) { s[i] = (char)('0' + usec % 10); usec /= 10; }
    s[6] = 0;
    puts_(s);
}

void kv(const char *k, u64 v) { puts_(" "); puts_(k); puts_("="); putu(v); }
void kvs(const char *k, const char *v) { puts_(" "); puts_(k); puts_("="); puts_(v); }

/* Decimal with an optional K/M/G suffix (powers of 1024); -1 when malformed. */
s64 parse_num(const char *s)
{
    s64 v = 0;
    if (!s || !*s) return -1;
    for (; *s >= '0' && *s <= '9'; s++) v = v * 10 + (*s - '0');
    switch (*s) {
    case 0: return v;
    case 'k': case 'K': v <<= 10; break;
    case 'm': case 'M': v <<= 20; break;
    case 'g': case 'G': v <<= 30; break;
    default: return -1;
    }
    return s[1] ? -1 : v;
}

void putn(const char *s, u32 n)
{
    while (n--) {
        if (olen == sizeof obuf) flush();
        obuf[olen++] = *s++;
    }
}
