// host_shim.c — host stand-ins for the VMM's console log, captured for assertions.
#include "unit.h"
#include "kernel/log.h"
#include <stdarg.h>
#include <stdlib.h>

int log_level = LOG_DEBUG;
static char logbuf[1 << 20];
static size_t loglen;

static void append(const char *s)
{
    size_t n = strlen(s);
    if (loglen + n >= sizeof logbuf) loglen = 0;   // keep the newest output
    memcpy(logbuf + loglen, s, n + 1);
    loglen += n;
    if (getenv("UNIT_VERBOSE")) fputs(s, stdout);
}

void klog(int level, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    if (level > log_level) return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    strcat(line, "\n");
    append(line);
}

void kputs(const char *s) { append(s); }
const char *unit_log(void) { return logbuf; }
void unit_log_reset(void) { loglen = 0; logbuf[0] = 0; }
int unit_log_contains(const char *needle) { return strstr(logbuf, needle) != NULL; }
int unit_log_count(const char *needle)
{
    int n = 0;
    for (const char *p = logbuf; (p = strstr(p, needle)); p++) n++;
    return n;
}

#include "kernel/heap.h"
void *kzalloc(size_t n) { return calloc(1, n ? n : 1); }
void kfree(void *p) { free(p); }
