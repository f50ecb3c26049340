// heap.c — kzalloc/kfree: power-of-two size classes carved from frames, big blocks whole.
// Small-block frames are never returned, so every heap frame comes from the top of memory
// (page_alloc_top): guest RAM, allocated contiguous from the bottom, is never split by them.
#include "kernel/heap.h"
#include "kernel/mem.h"
#include "kernel/lib.h"
#include "kernel/panic.h"

#define MIN_SHIFT 5                     // 32-byte blocks (16 of them hold the header)
#define MAX_SHIFT 11                    // 2 KiB: larger requests take whole frames
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define HDR 16
#define BIG_MAGIC 0xb16b16ULL

struct block { struct block *next; };
struct header { u64 cls; u64 npages; };  // cls = class index, or BIG_MAGIC

static struct block *free_list[NCLASSES];

// Split a fresh frame into blocks of class c.
static bool refill(int c)
{
    u64 p = page_alloc_top(1);
    if (!p) return false;
    u64 size = 1ULL << (c + MIN_SHIFT);
    u8 *base = phys_to_virt(p);
    for (u64 off = 0; off + size <= PAGE_SIZE; off += size) {
        struct block *b = (struct block *)(base + off);
        b->next = free_list[c];
        free_list[c] = b;
    }
    return true;
}

void *kzalloc(size_t n)
{
    struct header *h;
    if (n > LOW_4G) return NULL;        // no caller needs more; keeps n + HDR from wrapping
    if (n + HDR > (1U << MAX_SHIFT)) {
        u64 npages = ALIGN_UP(n + HDR, PAGE_SIZE) / PAGE_SIZE;
        u64 p = page_alloc_top(npages);
        if (!p) return NULL;
        h = phys_to_virt(p);
        memset(h, 0, npages * PAGE_SIZE);
        *h = (struct header){ BIG_MAGIC, npages };
        return (u8 *)h + HDR;
    }
    int c = 0;
    while ((1U << (c + MIN_SHIFT)) < n + HDR) c++;
    if (!free_list[c] && !refill(c)) return NULL;
    struct block *b = free_list[c];
    free_list[c] = b->next;
    memset(b, 0, 1U << (c + MIN_SHIFT));
    h = (struct header *)b;
    h->cls = c;
    return (u8 *)h + HDR;
}

void kfree(void *p)
{
    if (!p) return;
    struct header *h = (struct header *)((u8 *)p - HDR);
    if (h->cls == BIG_MAGIC) {
        page_free_contig(virt_to_phys(h), h->npages);
        return;
    }
    if (h->cls >= NCLASSES) panic("kfree of a bad pointer %p", p);
    struct block *b = (struct block *)h;
    int c = (int)h->cls;
    b->next = free_list[c];
    free_list[c] = b;
}
