// track.c — which guest frames are page tables: write protection through a reverse map,
// tracked writes, and what the observer (antfarm) is told about them.
#include "mmu/shadow_int.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/lib.h"

// A frame is write-protected while it is a live directory or a (shadowed or linked) table.
bool gfn_protected(struct mmu *m, u32 gfn)
{
    struct gfn_info *g = &m->gfn[gfn];
    return g->dir || g->links || g->spts;
}

_Static_assert(sizeof(struct rmap_chunk) + 16 <= 4096, "a reverse-map chunk takes one frame");

// A free reverse-map node, from a new chunk (charged) if none is left; NULL (the VM is
// stopped) when there is no room or no host memory.
static struct rmap *rmap_alloc(struct mmu *m)
{
    if (!m->rmap_free) {
        if (!shadow_charge(m, RMAP_FRAMES)) return NULL;
        struct rmap_chunk *chunk = kzalloc(sizeof *chunk);
        if (!chunk) {
            shadow_release(m, RMAP_FRAMES);
            shadow_exhausted(m, "host");
            return NULL;
        }
        chunk->next = m->rmap_chunks;
        m->rmap_chunks = chunk;
        for (int i = 0; i < RMAP_CHUNK; i++) {
            chunk->nodes[i].next = m->rmap_free;
            m->rmap_free = &chunk->nodes[i];
        }
    }
    struct rmap *r = m->rmap_free;
    m->rmap_free = r->next;
    m->rmap_used++;
    return r;
}

static void rmap_put(struct mmu *m, struct rmap *r)
{
    r->next = m->rmap_free;
    m->rmap_free = r;
    m->rmap_used--;
}

// Remember that *sptep maps `gfn` writable; false if no node could be had.
bool rmap_add(struct mmu *m, u32 gfn, u32 *sptep)
{
    struct rmap *r = rmap_alloc(m);
    if (!r) return false;
    r->sptep = sptep;
    r->next = m->gfn[gfn].rmap;
    m->gfn[gfn].rmap = r;
    return true;
}

// Return every reverse-map chunk to the heap (no node may be in use any more).
void rmap_free_chunks(struct mmu *m)
{
    while (m->rmap_chunks) {
        struct rmap_chunk *c = m->rmap_chunks;
        m->rmap_chunks = c->next;
        kfree(c);
        shadow_release(m, RMAP_FRAMES);
    }
    m->rmap_free = NULL;
    m->rmap_used = 0;
}

// Once no writable shadow entry is left, free the chunks: they are otherwise kept for
// reuse, and a past peak would hold the budget.
void rmap_release_idle(struct mmu *m)
{
    if (!m->rmap_used) rmap_free_chunks(m);
}

void rmap_del(struct mmu *m, u32 gfn, u32 *sptep)
{
    for (struct rmap **p = &m->gfn[gfn].rmap; *p; p = &(*p)->next) {
        if ((*p)->sptep == sptep) {
            struct rmap *r = *p;
            *p = r->next;
            rmap_put(m, r);
            return;
        }
    }
    panic("mmu: reverse map lost an entry for gfn 0x%x", gfn);
}

// Revoke every writable shadow mapping of `gfn` (it just became a page table).
static void write_protect(struct mmu *m, u32 gfn)
{
    struct rmap *r = m->gfn[gfn].rmap;
    if (!r) return;
    while (r) {
        *r->sptep &= ~PTE_RW;
        struct rmap *next = r->next;
        rmap_put(m, r);
        r = next;
        m->st.write_protects++;
    }
    m->gfn[gfn].rmap = NULL;
    m->need_flush = true;    // stale writable translations must not survive the next entry
}

void mmu_guard_frame(struct mmu *m, u32 gfn, bool on)
{
    if (gfn >= m->npages) return;
    m->gfn[gfn].guard = on;
    if (on) write_protect(m, gfn);
}

static void announce(struct mmu *m, u32 gfn, int level, bool on)
{
    if (m->obs->pt_track) m->obs->pt_track(m->obs->ctx, gfn << 12, level, gfn_ptr(m, gfn), on);
}

// Apply `update` to a frame's tracking and protect it if it just became a table.
#define TRACK_UPDATE(m, gfn, update)                                                  \
    do {                                                                              \
        bool was_ = gfn_protected(m, gfn);                                            \
        update;                                                                       \
        if (!was_ && gfn_protected(m, gfn)) { write_protect(m, gfn); (m)->st.tracked_pages++; } \
        if (was_ && !gfn_protected(m, gfn)) (m)->st.tracked_pages--;                  \
    } while (0)

// A shadow table of `gfn` as a page table was created (+1) or freed (-1).
void track_spt(struct mmu *m, u32 gfn, int delta)
{
    TRACK_UPDATE(m, gfn, m->gfn[gfn].spts += delta);
}

// Does a directory entry link a page table inside RAM? Sets *gfn.
bool pde_links_table(struct mmu *m, u32 pde, u32 *gfn)
{
    if (!(pde & PTE_P) || ((pde & PTE_PS) && m->pse)) return false;
    *gfn = pde >> 12;
    return *gfn < m->npages;
}

// A live directory links `gfn` as a table. The links are always counted (the table stays
// protected); past their bound (the observer's bookkeeping grows with them) the VM stops.
static void link_table(struct mmu *m, u32 gfn)
{
    TRACK_UPDATE(m, gfn, m->gfn[gfn].links++);
    if (m->gfn[gfn].links == 1) announce(m, gfn, PT_LEVEL_TABLE, true);
    m->nlinks++;
    m->st.links_peak = MAX(m->st.links_peak, m->nlinks);
    if (m->nlinks > m->max_links && !m->exhausted) {
        log_err("vm=%d shadow tracking over its bound: links=%u max=%u", m->vm_id, m->nlinks, m->max_links);
        shadow_exhausted(m, "tracking");
    }
}

static void unlink_table(struct mmu *m, u32 gfn)
{
    if (m->gfn[gfn].links == 1) announce(m, gfn, PT_LEVEL_TABLE, false);
    TRACK_UPDATE(m, gfn, m->gfn[gfn].links--);
    m->nlinks--;
}

static bool user_pde(u32 e) { return (e & (PTE_P | PTE_US)) == (PTE_P | PTE_US); }

// `gfn` was loaded into CR3: track it, and (eager) every table it links, tables first.
void dir_make_live(struct mmu *m, u32 gfn)
{
    struct gfn_info *g = &m->gfn[gfn];
    g->flood = 0;
    if (g->dir) return;
    const u32 *pd = gfn_ptr(m, gfn);
    u32 t;
    g->user_pdes = 0;
    for (int i = 0; i < PT_ENTRIES; i++) {
        g->user_pdes += user_pde(pd[i]);
        if (m->eager && pde_links_table(m, pd[i], &t)) link_table(m, t);
    }
    TRACK_UPDATE(m, gfn, g->dir = 1);
    announce(m, gfn, PT_LEVEL_DIR, true);
}

// `gfn` is no longer a directory (reused as data, or its shadow evicted when not eager).
void dir_kill(struct mmu *m, u32 gfn)
{
    struct gfn_info *g = &m->gfn[gfn];
    if (!g->dir) return;
    struct spage *root = spage_find(m, gfn, ROLE_ROOT);
    if (root && root != m->cur_root) root_free(m, root);
    announce(m, gfn, PT_LEVEL_DIR, false);
    if (m->eager) {
        const u32 *pd = gfn_ptr(m, gfn);
        u32 t;
        for (int i = 0; i < PT_ENTRIES; i++)
            if (pde_links_table(m, pd[i], &t)) unlink_table(m, t);
    }
    TRACK_UPDATE(m, gfn, g->dir = 0);
}

// The 32-bit entry at `gpa` (4-aligned, in a protected frame) changed from old to new:
// keep the shadows coherent and tell the observer, in the order observer.h promises.
void entry_written(struct mmu *m, u32 gpa, u32 old, u32 new)
{
    u32 gfn = gpa >> 12, idx = (gpa & 0xfff) / 4, t;
    struct gfn_info *g = &m->gfn[gfn];
    m->st.pt_writes++;
    if (g->dir) {
        g->user_pdes += user_pde(new) - user_pde(old);
        if (m->eager && pde_links_table(m, new, &t)) link_table(m, t);
        struct spage *root = spage_find(m, gfn, ROLE_ROOT);
        if (root) root_zap_pde(m, root, idx);
        if (m->obs->pte_write) m->obs->pte_write(m->obs->ctx, gfn << 12, idx, old, new, PT_LEVEL_DIR);
        if (m->eager && pde_links_table(m, old, &t)) unlink_table(m, t);
    }
    if (g->spts || g->links) {
        for (struct spage *s = m->hash[gfn % SPAGE_HASH]; s; s = s->hnext)
            if (s->gfn == gfn && (s->role & ROLE_PT)) spage_zap_entry(m, s, idx);
        if (g->links && m->obs->pte_write)
            m->obs->pte_write(m->obs->ctx, gfn << 12, idx, old, new, PT_LEVEL_TABLE);
    }
    if (g->dir && gfn != m->loaded_dir && ++g->flood > FLOOD_LIMIT) {
        m->st.floods++;
        dir_kill(m, gfn);
    }
    if (g->dir) dir_check_dead(m, gfn);
}

// A directory that is not loaded and maps nothing for user mode any more has been torn
// down (Linux clears a dead process's PDEs before freeing its directory): stop tracking
// it now, before its frame is reused and its new contents are read as directory entries.
void dir_check_dead(struct mmu *m, u32 gfn)
{
    struct gfn_info *g = &m->gfn[gfn];
    if (g->dir && gfn != m->loaded_dir && g->user_pdes == 0) {
        m->st.dead_dirs++;
        dir_kill(m, gfn);
    }
}

bool mmu_write_gpa(struct mmu *m, u32 gpa, const void *buf, u32 len)
{
    const u8 *src = buf;
    if ((u64)gpa + len > (u64)m->npages * 4096) return false;
    while (len) {
        u32 gfn = gpa >> 12, chunk = MIN(len, 4096 - (gpa & 0xfff));
        if (!gfn_protected(m, gfn)) {
            memcpy(m->ram + gpa, src, chunk);
        } else {
            // Merge into whole entries so the shadow and the observer see old/new values.
            for (u32 done = 0; done < chunk;) {
                u32 ea = (gpa + done) & ~3U, off = (gpa + done) & 3, n = MIN(4 - off, chunk - done);
                u32 old = *(u32 *)(m->ram + ea), new = old;
                memcpy((u8 *)&new + off, src + done, n);
                *(u32 *)(m->ram + ea) = new;
                if (new != old) entry_written(m, ea, old, new);
                done += n;
            }
        }
        gpa += chunk;
        src += chunk;
        len -= chunk;
    }
    return true;
}

bool mmu_read_gpa(struct mmu *m, u32 gpa, void *buf, u32 len)
{
    if ((u64)gpa + len > (u64)m->npages * 4096) return false;
    memcpy(buf, m->ram + gpa, len);
    return true;
}

bool mmu_unprotect(struct mmu *m, u32 gpa)
{
    u32 gfn = gpa >> 12;
    if (gfn >= m->npages) return false;
    struct gfn_info *g = &m->gfn[gfn];
    log_debug("vm=%d unprotect gfn=0x%x links=%u spts=%u dir=%u loaded=%d", m->vm_id, gfn, g->links,
              g->spts, g->dir, gfn == m->loaded_dir);
    if (g->links || g->spts || g->guard || gfn == m->loaded_dir) return false;
    if (g->dir) { m->st.floods++; dir_kill(m, gfn); }
    return !gfn_protected(m, gfn);
}
