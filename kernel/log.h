// log.h — leveled, timestamped console log: one event per line, key=value where it is data.
#pragma once
#include "kernel/types.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };

extern int log_level;   // lines above this level are dropped

// Print one timestamped line at `level` ("[   1.234567] I " prefix), newline added.
void klog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Print raw text with no prefix (for guest console passthrough and dumps).
void kputs(const char *s);

#define log_err(...)   klog(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define log_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define log_debug(...) klog(LOG_DEBUG, __VA_ARGS__)
