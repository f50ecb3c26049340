// print.c — printf-lite on COM1
#include <stdint.h>
#include "print.h"
#include "serial.h"

#define NUM_BUF 12   // digits of a 32-bit number plus sign

// Print an unsigned number in base 10 or 16, padded to width with pad.
static void put_num(uint32_t v, unsigned base, int width, char pad, int negative) {
    char buf[NUM_BUF];
    int n = 0;
    do { buf[n++] = "0123456789abcdef"[v % base]; v /= base; } while (v);
    if (negative) buf[n++] = '-';
    for (int i = n; i < width; i++) serial_putc(pad);
    while (n) serial_putc(buf[--n]);
}

// gprintf with a va_list.
void gvprintf(const char *fmt, va_list ap) {
    for (; *fmt; fmt++) {
        if (*fmt != '%') { serial_putc(*fmt); continue; }
        char pad = ' ';
        int width = 0;
        fmt++;
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        switch (*fmt) {
        case 's': { const char *s = va_arg(ap, const char *); while (s && *s) serial_putc(*s++); break; }
        case 'c': serial_putc((char)va_arg(ap, int)); break;
        case 'd': { int v = va_arg(ap, int); put_num(v < 0 ? -(uint32_t)v : (uint32_t)v, 10, width, pad, v < 0); break; }
        case 'u': put_num(va_arg(ap, uint32_t), 10, width, pad, 0); break;
        case 'x': put_num(va_arg(ap, uint32_t), 16, width, pad, 0); break;
        case 'p': serial_putc('0'); serial_putc('x'); put_num((uint32_t)va_arg(ap, void *), 16, 8, '0', 0); break;
        case '%': serial_putc('%'); break;
        case 0: return;
        default: serial_putc('%'); serial_putc(*fmt); break;
        }
    }
}

// Print to COM1.
void gprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gvprintf(fmt, ap);
    va_end(ap);
}
