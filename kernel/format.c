// format.c — vsnprintf for the VMM: %d %i %u %x %X %o %p %s %c %% with flags, width,
// precision and the h/hh/l/ll/z length modifiers. No floating point.
#include "kernel/lib.h"

struct out { char *buf; size_t size, len; };

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size) o->buf[o->len] = c;
    o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left && pad == '0' && n && (*s == '-')) { put(o, *s++); n--; }
    if (!left) while (fill-- > 0) put(o, pad);
    while (n--) put(o, *s++);
    if (left) while (fill-- > 0) put(o, ' ');
}

// Render an unsigned value in `base` into tmp (right-aligned), return its start.
static char *utoa(u64 v, unsigned base, bool upper, char *end, int precision)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    int n = 0;
    do { *--p = digits[v % base]; v /= base; n++; } while (v);
    while (n < precision) { *--p = '0'; n++; }
    return p;
}

// Format into buf (always NUL-terminated when size > 0); return the full length.
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') { put(&o, *fmt); continue; }
        bool left = false, alt = false;
        char pad = ' ';
        int width = 0, precision = -1, lng = 0;
        for (;; fmt++) {
            if (fmt[1] == '-') left = true;
            else if (fmt[1] == '0') pad = '0';
            else if (fmt[1] == '#') alt = true;
            else break;
        }
        fmt++;
        if (*fmt == '*') { width = va_arg(ap, int); fmt++; }
        else while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            fmt++;
            precision = 0;
            if (*fmt == '*') { precision = va_arg(ap, int); fmt++; }
            else while (*fmt >= '0' && *fmt <= '9') precision = precision * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
            if (*fmt == 'l' || *fmt == 'z') lng = 2;
            else if (lng <= 0) lng--;
            fmt++;
        }
        char tmp[72], *end = tmp + sizeof tmp, *s;
        u64 v;
        switch (*fmt) {
        case 'd': case 'i': {
            s64 sv = lng == 2 ? va_arg(ap, s64) : va_arg(ap, int);
            if (lng == -1) sv = (short)sv;
            if (lng <= -2) sv = (signed char)sv;
            s = utoa(sv < 0 ? -(u64)sv : (u64)sv, 10, false, end, precision);
            if (sv < 0) *--s = '-';
            put_padded(&o, s, end - s, width, left, pad);
            break;
        }
        case 'u': case 'x': case 'X': case 'o':
            v = lng == 2 ? va_arg(ap, u64) : va_arg(ap, unsigned);
            if (lng == -1) v = (u16)v;
            if (lng <= -2) v = (u8)v;
            s = utoa(v, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16, *fmt == 'X', end, precision);
            if (alt && *fmt != 'u' && v) { *--s = *fmt == 'o' ? '0' : 'x'; if (*fmt != 'o') *--s = '0'; }
            put_padded(&o, s, end - s, width, left, pad);
            break;
        case 'p':
            v = (u64)va_arg(ap, void *);
            s = utoa(v, 16, false, end, 0);
            *--s = 'x';
            *--s = '0';
            put_padded(&o, s, end - s, width, left, ' ');
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str) str = "(null)";
            size_t n = strlen(str);
            if (precision >= 0 && (size_t)precision < n) n = precision;
            put_padded(&o, str, n, width, left, ' ');
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_padded(&o, &c, 1, width, left, ' ');
            break;
        }
        case '%': put(&o, '%'); break;
        default: put(&o, '%'); if (*fmt) put(&o, *fmt); else fmt--; break;
        }
    }
    if (size) buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

// snprintf on top of vsnprintf.
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
