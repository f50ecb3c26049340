// emit.c — antfarm's event lines: `antfarm vm=N ev=E key=value ...` or one JSON object.
#include "antfarm/internal.h"
#include "kernel/lib.h"
#include "kernel/log.h"

#define AF_LINE_MAX   384            // longest event line (ev=exit in JSON is ~260)
#define NS_PER_SEC    1000000000ull
#define NS_PER_USEC   1000ull

// Append to buf at *len, never past size (snprintf reports the length it wanted).
static void put(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    if (*len >= size - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n > 0) *len = MIN(*len + (size_t)n, size - 1);
}

// One value. Times are integer seconds.micros (no floating point in the VMM); an ASID is
// hex, a string in JSON because JSON has no hex numbers.
static void put_value(char *buf, size_t size, size_t *len, const struct af_field *f, bool json)
{
    switch (f->kind) {
    case AF_DEC:
        put(buf, size, len, "%llu", (unsigned long long)f->v);
        break;
    case AF_HEX:
        put(buf, size, len, json ? "\"0x%08llx\"" : "0x%08llx", (unsigned long long)f->v);
        break;
    case AF_TIME:
        put(buf, size, len, "%llu.%06llu", (unsigned long long)(f->v / NS_PER_SEC),
            (unsigned long long)(f->v % NS_PER_SEC / NS_PER_USEC));
        break;
    }
}

// Print event `ev` of this VM with its fields, as one console line at LOG_INFO.
void af_emit(struct antfarm *af, const char *ev, const struct af_field *f, unsigned n)
{
    char line[AF_LINE_MAX];
    size_t len = 0;
    bool json = af->cfg.json;
    if (json) put(line, sizeof line, &len, "{\"src\":\"antfarm\",\"vm\":%d,\"ev\":\"%s\"", af->vm, ev);
    else put(line, sizeof line, &len, "antfarm vm=%d ev=%s", af->vm, ev);
    for (unsigned i = 0; i < n; i++) {
        put(line, sizeof line, &len, json ? ",\"%s\":" : " %s=", f[i].key);
        put_value(line, sizeof line, &len, &f[i], json);
    }
    if (json) put(line, sizeof line, &len, "}");
    klog(LOG_INFO, "%s", line);
}
