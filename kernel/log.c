// log.c — timestamped, leveled log lines on the console: "[    1.234567] I text".
#include "kernel/log.h"
#include "kernel/lib.h"
#include "kernel/console.h"
#include "kernel/time.h"

int log_level = LOG_INFO;
static const char level_letter[] = "EWIDT";

// Format one line and write it with its timestamp and level letter.
void klog(int level, const char *fmt, ...)
{
    char line[512];
    if (level > log_level) return;
    u64 ns = time_ns();
    int n = snprintf(line, sizeof line, "[%5u.%06u] %c ", (unsigned)(ns / 1000000000),
                     (unsigned)(ns / 1000 % 1000000), level_letter[level]);
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    console_write(line, n);
}

// Write text as is.
void kputs(const char *s)
{
    console_write(s, strlen(s));
}
