/* wlib.h — library routines shared by the guest programs (wlib.c). */
#ifndef WL_WLIB_H
#define WL_WLIB_H
#include "sys.h"

void *memset(void *d, int c, unsigned n);
void *memcpy(void *d, const void *s, unsigned n);
u32 slen(const char *s);
int seq(const char *a, const char *b);          /* strings equal */
void flush(void);                               /* buffered stdout */
void puts_(const char *s);
void putn(const char *s, u32 n);
void putu(u64 v);
void puti(s64 v);
void putt(u32 sec, u32 usec);                   /* "sec.usec", six digits */
void kv(const char *k, u64 v);                  /* " k=v" */
void kvs(const char *k, const char *v);
s64 parse_num(const char *s);                   /* decimal, K/M/G suffix; -1 if bad */

#endif
