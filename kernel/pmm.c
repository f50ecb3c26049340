// pmm.c — the physical frame allocator: one bit per 4 KiB frame, searched from a hint.
#include "kernel/mem.h"
#include "kernel/bootinfo.h"
#include "kernel/panic.h"
#include "kernel/log.h"
#include "kernel/lib.h"

#define LOW_RESERVED (1ULL << 20)       // BIOS data, EBDA, VGA: never handed out
#define BOOT_MAPPED  (1ULL << 30)       // what the boot page tables cover

extern char _kernel_start[], _kernel_end[];

static u64 *bitmap;          // 1 = used
static u64 nframes, nfree, ntotal;

static bool used(u64 f) { return bitmap[f / 64] >> (f % 64) & 1; }
static void set_used(u64 f) { bitmap[f / 64] |= 1ULL << (f % 64); }
static void set_free(u64 f) { bitmap[f / 64] &= ~(1ULL << (f % 64)); }

// Mark the whole frames in [base, end) free or used, keeping the counters.
static void mark_range(u64 base, u64 end, bool is_free)
{
    for (u64 f = ALIGN_UP(base, PAGE_SIZE) / PAGE_SIZE; f < end / PAGE_SIZE && f < nframes; f++) {
        if (is_free && used(f)) { set_free(f); nfree++; ntotal++; }
        else if (!is_free && !used(f)) { set_used(f); nfree--; ntotal--; }
    }
}

// Find room for the bitmap: available RAM above the kernel and the modules, below 1 GiB.
static u64 place_bitmap(u64 bytes)
{
    u64 avoid_end = virt_to_phys(_kernel_end);
    for (int i = 0; i < bootinfo.nmodules; i++)
        avoid_end = MAX(avoid_end, bootinfo.modules[i].end);
    avoid_end = ALIGN_UP(avoid_end, PAGE_SIZE);
    for (int i = 0; i < bootinfo.nmmap; i++) {
        const struct mem_range *r = &bootinfo.mmap[i];
        if (r->type != 1) continue;
        u64 start = MAX(ALIGN_UP(r->base, PAGE_SIZE), avoid_end);
        if (start + bytes <= r->base + r->len && start + bytes <= BOOT_MAPPED) return start;
    }
    panic("no room for the frame bitmap (%llu bytes)", bytes);
}

// Build the bitmap from the boot memory map.
void pmm_init(void)
{
    u64 top = 0;
    for (int i = 0; i < bootinfo.nmmap; i++)
        if (bootinfo.mmap[i].type == 1)
            top = MAX(top, bootinfo.mmap[i].base + bootinfo.mmap[i].len);
    nframes = top / PAGE_SIZE;
    u64 bytes = ALIGN_UP((nframes + 63) / 64 * 8, PAGE_SIZE);
    u64 bm = place_bitmap(bytes);
    bitmap = phys_to_virt(bm);
    memset(bitmap, 0xff, bytes);
    for (int i = 0; i < bootinfo.nmmap; i++)
        if (bootinfo.mmap[i].type == 1)
            mark_range(bootinfo.mmap[i].base, bootinfo.mmap[i].base + bootinfo.mmap[i].len, true);
    // Overlapping map entries (reserved inside available) win as reserved.
    for (int i = 0; i < bootinfo.nmmap; i++)
        if (bootinfo.mmap[i].type != 1)
            mark_range(ALIGN_DOWN(bootinfo.mmap[i].base, PAGE_SIZE),
                       ALIGN_UP(bootinfo.mmap[i].base + bootinfo.mmap[i].len, PAGE_SIZE), false);
    mark_range(0, LOW_RESERVED, false);
    mark_range(ALIGN_DOWN(virt_to_phys(_kernel_start), PAGE_SIZE), virt_to_phys(_kernel_end), false);
    for (int i = 0; i < bootinfo.nmodules; i++)
        mark_range(ALIGN_DOWN(bootinfo.modules[i].start, PAGE_SIZE),
                   ALIGN_UP(bootinfo.modules[i].end, PAGE_SIZE), false);
    mark_range(bm, bm + bytes, false);
    log_info("pmm frames=%llu free=%llu (%lluK) bitmap=0x%llx", nframes, nfree, nfree * 4, bm);
}

// First run of n free frames in [lo, hi) frames with the start aligned to `align` frames.
static u64 find_run(u64 n, u64 lo, u64 hi, u64 align)
{
    for (u64 f = ALIGN_UP(lo, align); f + n <= hi; f += align) {
        u64 k = 0;
        while (k < n && !used(f + k)) k++;
        if (k == n) return f;
        f = ALIGN_UP(f + k + 1, align) - align;   // skip past the used frame
    }
    return 0;
}

u64 page_alloc_contig(u64 n, u64 limit, u64 align)
{
    if (n == 0) {                           // a size that wrapped to nothing: a caller's bug
        log_err("pmm: request for 0 contiguous frames refused");
        return 0;
    }
    u64 hi = MIN(nframes, limit / PAGE_SIZE);
    u64 af = MAX(align / PAGE_SIZE, 1);
    u64 f = find_run(n, LOW_RESERVED / PAGE_SIZE, hi, af);
    if (!f) return 0;
    for (u64 k = 0; k < n; k++) set_used(f + k);
    nfree -= n;
    return f * PAGE_SIZE;
}

u64 page_alloc_top(u64 n)
{
    u64 lo = LOW_RESERVED / PAGE_SIZE;
    if (n == 0 || n > nframes - lo) return 0;
    // Candidate run [f, f + n): on a used frame at f + k, the next candidate ends below it.
    for (u64 f = nframes - n;;) {
        u64 k = 0;
        while (k < n && !used(f + k)) k++;
        if (k == n) {
            for (k = 0; k < n; k++) set_used(f + k);
            nfree -= n;
            return f * PAGE_SIZE;
        }
        if (f + k < lo + n) return 0;
        f = f + k - n;
    }
}

static u64 hint_any, hint_low;

// One frame below `limit`, searched from *hint so that repeated calls stay cheap.
static u64 alloc_one(u64 limit, u64 *hint)
{
    u64 hi = MIN(nframes, limit / PAGE_SIZE);
    for (int pass = 0; pass < 2; pass++) {
        for (u64 f = MAX(*hint, LOW_RESERVED / PAGE_SIZE); f < hi; f++) {
            if (bitmap[f / 64] == ~0ULL) { f |= 63; continue; }
            if (used(f)) continue;
            set_used(f);
            nfree--;
            *hint = f + 1;
            memset(phys_to_virt(f * PAGE_SIZE), 0, PAGE_SIZE);
            return f * PAGE_SIZE;
        }
        *hint = 0;
    }
    return 0;
}

u64 page_alloc(void) { return alloc_one(UINT64_MAX, &hint_any); }
u64 page_alloc_low(void) { return alloc_one(LOW_4G, &hint_low); }

void page_free(u64 phys)
{
    u64 f = phys / PAGE_SIZE;
    if (f >= nframes || !used(f)) panic("page_free of a free or unknown frame 0x%llx", phys);
    set_free(f);
    nfree++;
}

void page_free_contig(u64 phys, u64 n)
{
    for (u64 k = 0; k < n; k++) page_free(phys + k * PAGE_SIZE);
}

u64 mem_free_pages(void) { return nfree; }
u64 mem_total_pages(void) { return ntotal; }
