// print.h — printf-lite on COM1
#pragma once
#include <stdarg.h>

// Print to COM1. Supports %s %c %d %u %x %p %% with an optional 0 flag and width.
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// gprintf with a va_list.
void gvprintf(const char *fmt, va_list ap);
