// heap.h — the kernel heap: small zeroed allocations (on the host: calloc/free).
#pragma once
#include "kernel/types.h"

// Allocate `n` zeroed bytes, 16-byte aligned; NULL when out of memory.
void *kzalloc(size_t n);
// Free memory from kzalloc (NULL is ignored).
void kfree(void *p);
