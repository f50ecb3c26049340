// hash.c — a chained hash of intrusive nodes keyed by u32, growing with its contents.
#include "antfarm/internal.h"
#include "kernel/heap.h"

#define AF_HASH_INITIAL 64   // buckets to start with (a power of two)
#define AF_HASH_LOAD    2    // grow when nodes exceed buckets times this

// Fibonacci hashing: page addresses differ only in their high bits, so mix them all down.
static u32 slot_of(u32 key, u32 nbuckets)
{
    return (u32)(((u64)key * 0x9e3779b97f4a7c15ull) >> 32) & (nbuckets - 1);
}

// Allocate the initial buckets; false when out of memory.
bool af_hash_init(struct af_hash *h)
{
    h->bucket = kzalloc(AF_HASH_INITIAL * sizeof *h->bucket);
    h->nbuckets = h->bucket ? AF_HASH_INITIAL : 0;
    h->n = 0;
    return h->bucket != NULL;
}

// The node with `key`, or NULL.
struct af_hnode *af_hash_find(const struct af_hash *h, u32 key)
{
    if (!h->nbuckets) return NULL;
    for (struct af_hnode *n = h->bucket[slot_of(key, h->nbuckets)]; n; n = n->next)
        if (n->key == key) return n;
    return NULL;
}

// Double the buckets; when that fails the chains just get longer.
static void grow(struct af_hash *h)
{
    u32 nb = h->nbuckets * 2;
    struct af_hnode **b = kzalloc(nb * sizeof *b);
    if (!b) return;
    for (u32 i = 0; i < h->nbuckets; i++) {
        while (h->bucket[i]) {
            struct af_hnode *n = h->bucket[i];
            h->bucket[i] = n->next;
            u32 s = slot_of(n->key, nb);
            n->next = b[s];
            b[s] = n;
        }
    }
    kfree(h->bucket);
    h->bucket = b;
    h->nbuckets = nb;
}

// Insert `n` (its key set, not yet in any hash).
void af_hash_insert(struct af_hash *h, struct af_hnode *n)
{
    if (h->n >= h->nbuckets * AF_HASH_LOAD) grow(h);
    u32 s = slot_of(n->key, h->nbuckets);
    n->next = h->bucket[s];
    h->bucket[s] = n;
    h->n++;
}

// Remove `n`, which is in `h`.
void af_hash_remove(struct af_hash *h, struct af_hnode *n)
{
    struct af_hnode **pp = &h->bucket[slot_of(n->key, h->nbuckets)];
    while (*pp && *pp != n) pp = &(*pp)->next;
    if (*pp) { *pp = n->next; h->n--; }
}

// Empty the hash into fn, then free its buckets.
void af_hash_drain(struct af_hash *h, void (*fn)(struct af_hnode *n))
{
    for (u32 i = 0; i < h->nbuckets; i++) {
        while (h->bucket[i]) {
            struct af_hnode *n = h->bucket[i];
            h->bucket[i] = n->next;
            fn(n);
        }
    }
    kfree(h->bucket);
    h->bucket = NULL;
    h->nbuckets = h->n = 0;
}
