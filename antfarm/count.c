// count.c — user-mapping counts of address spaces, kept incrementally from page-table events.
//
// Keeps the invariant of internal.h: a directory's count is its own counting entries plus
// the user entries of the non-kernel tables it links with U/S=1. Every change of a count
// marks the directory dirty; the registry looks at dirty directories once the hook is done,
// so a change made of two steps (a table replaced by another in one slot) never shows its
// transient zero.
#include "antfarm/internal.h"
#include "kernel/heap.h"
#include "kernel/log.h"

// An entry counts as a user mapping when it is present and user-accessible, or when it is
// not present but not zero either: the OS keeps a swap or file reference there, so the page
// still belongs to the address space (a process whose pages are all out is not dead).
static u32 pte_user(u32 e)
{
    return (e & AF_PTE_P) ? (e & AF_PTE_US) != 0 : e != 0;
}

// A directory entry that links a page table (rather than mapping a 4 MiB page).
static bool pde_links(u32 e)
{
    return (e & AF_PTE_P) && !(e & AF_PDE_PS);
}

// What a directory entry counts by itself: a 4 MiB page counts once, like any other page.
static u32 pde_own(u32 e)
{
    return pde_links(e) ? 0 : pte_user(e);
}

// Whether the link adds its table's user entries to its directory's count.
static bool link_counts(const struct af_link *l)
{
    return (l->pde & AF_PTE_US) && l->table->klinks == 0;
}

// Warn once that an allocation failed: from then on counts may be off.
void af_nomem(struct antfarm *af)
{
    if (!af->warned_nomem)
        klog(LOG_WARN, "antfarm vm=%d: out of memory, process inference degraded", af->vm);
    af->warned_nomem = true;
}

// Queue `d` for the registry to re-examine (once, in order of first change).
void af_dir_mark(struct antfarm *af, struct af_dir *d)
{
    if (d->dirty) return;
    d->dirty = true;
    d->dirty_next = NULL;
    if (af->dirty_tail) af->dirty_tail->dirty_next = d;
    else af->dirty = d;
    af->dirty_tail = d;
}

// Change d's count by delta (never below zero, even if memory ran out earlier).
static void dir_add(struct antfarm *af, struct af_dir *d, s64 delta)
{
    if (!delta) return;
    if (delta < 0 && (u64)-delta > d->count) d->count = 0;
    else d->count = (u32)(d->count + delta);
    af_dir_mark(af, d);
}

// The record of table `gpa`, or NULL.
static struct af_table *table_find(struct antfarm *af, u32 gpa)
{
    return (struct af_table *)af_hash_find(&af->tables, gpa);
}

// The record of table `gpa`, created untracked when a directory links it first.
static struct af_table *table_get(struct antfarm *af, u32 gpa)
{
    struct af_table *t = table_find(af, gpa);
    if (t) return t;
    t = kzalloc(sizeof *t);
    if (!t) { af_nomem(af); return NULL; }
    t->h.key = gpa;
    af_hash_insert(&af->tables, &t->h);
    return t;
}

// Free t once nothing tracks or links it.
static void table_put(struct antfarm *af, struct af_table *t)
{
    if (t->tracked || t->links) return;
    af_hash_remove(&af->tables, &t->h);
    kfree(t);
}

// Links from kernel directories change by delta; crossing zero turns the table into a
// kernel table or back, which takes its entries out of (or into) every linking count.
static void table_klinks(struct antfarm *af, struct af_table *t, int delta)
{
    bool was = t->klinks > 0;
    t->klinks += delta;
    if (was == (t->klinks > 0)) return;
    for (struct af_link *l = t->links; l; l = l->tnext)
        if (l->pde & AF_PTE_US) dir_add(af, l->dir, was ? (s64)t->user : -(s64)t->user);
}

// The table now has `user` user entries: pass the difference on to the linking counts.
static void table_set_user(struct antfarm *af, struct af_table *t, u32 user)
{
    s64 delta = (s64)user - (s64)t->user;
    t->user = user;
    if (!delta || t->klinks) return;
    for (struct af_link *l = t->links; l; l = l->tnext)
        if (l->pde & AF_PTE_US) dir_add(af, l->dir, delta);
}

// Slot `index` of d now links the table named by `pde`.
static void link_add(struct antfarm *af, struct af_dir *d, unsigned index, u32 pde)
{
    struct af_table *t = table_get(af, pde & AF_PAGE_MASK);
    if (!t) return;
    struct af_link *l = kzalloc(sizeof *l);
    if (!l) { af_nomem(af); table_put(af, t); return; }
    if (d->kernel) table_klinks(af, t, +1);   // before l is listed: d's count is added below
    *l = (struct af_link){ .dir = d, .table = t, .pde = pde, .index = (u16)index };
    l->tnext = t->links;
    if (t->links) t->links->tprev = l;
    t->links = l;
    l->dnext = d->links;
    if (d->links) d->links->dprev = l;
    d->links = l;
    if (link_counts(l)) dir_add(af, d, t->user);
}

// Undo link_add.
static void link_del(struct antfarm *af, struct af_link *l)
{
    struct af_dir *d = l->dir;
    struct af_table *t = l->table;
    if (link_counts(l)) dir_add(af, d, -(s64)t->user);
    if (l->tprev) l->tprev->tnext = l->tnext; else t->links = l->tnext;
    if (l->tnext) l->tnext->tprev = l->tprev;
    if (l->dprev) l->dprev->dnext = l->dnext; else d->links = l->dnext;
    if (l->dnext) l->dnext->dprev = l->dprev;
    if (d->kernel) table_klinks(af, t, -1);   // after l is unlisted: d already subtracted it
    kfree(l);
    table_put(af, t);
}

// The link of d's slot `index` to the table named by `pde`, or NULL. Searched from the
// table's side: a user table has one or two links, and kernel tables rarely change.
static struct af_link *link_find(struct antfarm *af, struct af_dir *d, unsigned index, u32 pde)
{
    struct af_table *t = table_find(af, pde & AF_PAGE_MASK);
    for (struct af_link *l = t ? t->links : NULL; l; l = l->tnext)
        if (l->dir == d && l->index == index) return l;
    return NULL;
}

// Directory d gets entry e in slot `index`.
static void entry_add(struct antfarm *af, struct af_dir *d, unsigned index, u32 e)
{
    if (pde_links(e)) { link_add(af, d, index, e); return; }
    u32 own = pde_own(e);
    d->own += own;
    dir_add(af, d, own);
}

// Directory d loses entry e (its value until now) of slot `index`.
static void entry_del(struct antfarm *af, struct af_dir *d, unsigned index, u32 e)
{
    if (pde_links(e)) {
        struct af_link *l = link_find(af, d, index, e);
        if (l) link_del(af, l);
        return;
    }
    u32 own = MIN(pde_own(e), d->own);
    d->own -= own;
    dir_add(af, d, -(s64)own);
}

// Page `gpa` starts or stops being tracked as a page table, with these entries.
void af_table_track(struct antfarm *af, u32 gpa, const u32 *entries, bool on)
{
    if (on) {
        struct af_table *t = table_get(af, gpa);
        if (!t) return;
        u32 user = 0;
        for (unsigned i = 0; i < AF_ENTRIES; i++) user += pte_user(entries[i]);
        t->tracked = true;
        table_set_user(af, t, user);
        return;
    }
    struct af_table *t = table_find(af, gpa);
    if (!t) return;
    table_set_user(af, t, 0);   // what is no longer tracked can no longer be counted
    t->tracked = false;
    table_put(af, t);
}

// An entry of tracked table `gpa` changed from old to new.
void af_table_write(struct antfarm *af, u32 gpa, u32 old, u32 new)
{
    struct af_table *t = table_find(af, gpa);
    if (!t || !t->tracked) return;
    s64 delta = (s64)pte_user(new) - (s64)pte_user(old);
    if (delta) table_set_user(af, t, (u32)(t->user + delta));
    if (t->klinks) return;   // kernel tables belong to no process
    for (struct af_link *l = t->links; l; l = l->tnext)
        if (l->dir->proc) l->dir->proc->ptwrites++;
}

// The record of directory `gpa`, or NULL.
static struct af_dir *dir_find(struct antfarm *af, u32 gpa)
{
    return (struct af_dir *)af_hash_find(&af->dirs, gpa);
}

// The record of directory `gpa`, created (untracked, empty) if needed; NULL when out of
// memory.
struct af_dir *af_dir_get(struct antfarm *af, u32 gpa)
{
    struct af_dir *d = dir_find(af, gpa);
    if (d) return d;
    d = kzalloc(sizeof *d);
    if (!d) { af_nomem(af); return NULL; }
    d->h.key = gpa;
    af_hash_insert(&af->dirs, &d->h);
    return d;
}

// Forget all of d's entries.
static void dir_clear(struct antfarm *af, struct af_dir *d)
{
    while (d->links) link_del(af, d->links);
    dir_add(af, d, -(s64)d->own);
    d->own = 0;
}

// Page `gpa` starts or stops being tracked as a page directory, with these entries.
void af_dir_track(struct antfarm *af, u32 gpa, const u32 *entries, bool on)
{
    struct af_dir *d = on ? af_dir_get(af, gpa) : dir_find(af, gpa);
    if (!d) return;
    if (!on) af_dir_set_kernel(af, d, false);   // freed: its kernel role is over
    dir_clear(af, d);
    d->tracked = on;
    af_dir_mark(af, d);                // an untracked directory may exit or be released
    if (!on) return;
    for (unsigned i = 0; i < AF_ENTRIES; i++)
        if (entries[i]) entry_add(af, d, i, entries[i]);
}

// Entry `index` of tracked directory `gpa` changed from old to new.
void af_dir_write(struct antfarm *af, u32 gpa, unsigned index, u32 old, u32 new)
{
    struct af_dir *d = dir_find(af, gpa);
    if (!d || !d->tracked || index >= AF_ENTRIES) return;
    if (d->proc) d->proc->ptwrites++;
    if (old == new) return;
    entry_del(af, d, index, old);
    entry_add(af, d, index, new);
}

// d becomes a kernel directory (its tables are then kernel tables) or stops being one.
void af_dir_set_kernel(struct antfarm *af, struct af_dir *d, bool kernel)
{
    if (d->kernel == kernel) return;
    d->kernel = kernel;
    for (struct af_link *l = d->links; l; l = l->dnext)
        table_klinks(af, l->table, kernel ? +1 : -1);
    af_dir_mark(af, d);
}

// Free d once it is neither tracked nor in the registry (nothing else points at it).
void af_dir_release(struct antfarm *af, struct af_dir *d)
{
    if (d->tracked || d->proc || d->dirty) return;
    af_hash_remove(&af->dirs, &d->h);
    kfree(d);
}

// hash-drain callbacks for antfarm_destroy: no accounting, just memory.
static void free_dir(struct af_hnode *n)
{
    struct af_dir *d = (struct af_dir *)n;
    while (d->links) {
        struct af_link *l = d->links;
        d->links = l->dnext;
        kfree(l);
    }
    kfree(d->proc);
    kfree(d);
}

static void free_table(struct af_hnode *n)
{
    kfree(n);
}

// Free every directory (with its links and registry entry) and every table.
void af_count_free_all(struct antfarm *af)
{
    af_hash_drain(&af->dirs, free_dir);
    af_hash_drain(&af->tables, free_table);
}
