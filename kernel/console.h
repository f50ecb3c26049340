// console.h — the host console: a 16550 UART on COM1, 115200 8N1, polled.
#pragma once
#include "kernel/types.h"

void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t n);
// Wait until the UART has sent everything (before ending the run).
void console_drain(void);
