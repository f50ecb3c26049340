// strio.c — mmu.elf: REP INS/OUTS through paging: virtually contiguous buffers on scattered
// frames, read-only pages, and the progress kept when a #PF stops the copy half way
#include "mmu.h"
#include "io.h"
#include "print.h"
#include "trap.h"

#define SIO_VA       (REGION_4K + 0x01c00000u)   // 3 pages on scattered frames
#define SIO_FAULT_VA (SIO_VA + 4 * PAGE_SIZE)    // 1 present page, then a hole
#define SIO_RO_VA    (SIO_VA + 6 * PAGE_SIZE)    // a supervisor read-only page
#define SIO_PAGES    3
#define UNKNOWN_PORT 0x2c0
#define COM1_SCRATCH 0x3ff
#define INS_OFFSET   0x800
#define INS_COUNT    (2 * PAGE_SIZE)             // from mid-page 0 to mid-page 2
#define HALF         16
#define FILL_BEFORE  0x11

struct sio { uint32_t ecx, esi, edi; };

// REP INSB of count bytes from port to edi (registers updated in s).
static void do_insb(void *arg) {
    struct sio *s = arg;
    __asm__ volatile("rep insb" : "+c"(s->ecx), "+D"(s->edi) : "d"(UNKNOWN_PORT) : "memory");
}

// REP OUTSB of count bytes at esi to the scratch register.
static void do_outsb(void *arg) {
    struct sio *s = arg;
    __asm__ volatile("rep outsb" : "+c"(s->ecx), "+S"(s->esi) : "d"(COM1_SCRATCH) : "memory");
}

// Virtually contiguous, physically scattered: each byte lands in the right frame.
static void check_scattered(uint32_t frame[SIO_PAGES]) {
    for (int i = 0; i < SIO_PAGES; i++) {
        uint8_t *f = (uint8_t *)frame[i];
        for (uint32_t j = 0; j < PAGE_SIZE; j++) f[j] = FILL_BEFORE;
    }
    struct sio s = { INS_COUNT, 0, SIO_VA + INS_OFFSET };
    int r = trap_call(do_insb, &s);
    int bad = 0;
    for (uint32_t off = 0; off < SIO_PAGES * PAGE_SIZE; off++) {
        uint8_t want = (off >= INS_OFFSET && off < INS_OFFSET + INS_COUNT) ? 0xff : FILL_BEFORE;
        if (((uint8_t *)frame[off / PAGE_SIZE])[off % PAGE_SIZE] != want) bad++;
    }
    test_check(r == TRAP_NONE && !bad && s.ecx == 0 && s.edi == SIO_VA + INS_OFFSET + INS_COUNT, "paged_rep_insb_scattered",
               "vector=%d, %d wrong bytes, ecx=%x edi=%x", r, bad, s.ecx, s.edi);

    uint8_t *f1 = (uint8_t *)frame[1];
    f1[HALF - 1] = 0xc7;
    s = (struct sio){ 2 * HALF, SIO_VA + 2 * PAGE_SIZE - HALF, 0 };   // crosses from frame 1 into frame 2
    ((uint8_t *)frame[2])[HALF - 1] = 0xe9;
    r = trap_call(do_outsb, &s);
    uint8_t got = inb(COM1_SCRATCH);
    test_check(r == TRAP_NONE && got == 0xe9 && s.ecx == 0, "paged_rep_outsb_scattered", "vector=%d scratch=%x ecx=%x", r,
               got, s.ecx);
}

// A #PF at the page boundary leaves ECX/EDI (ESI) at the boundary, the first half done.
static void check_partial(void) {
    uint32_t present = page_alloc_low();
    map_page(kpd, SIO_FAULT_VA, present, PTE_P | PTE_W);
    map_page(kpd, SIO_FAULT_VA + PAGE_SIZE, 0, 0);
    invlpg(SIO_FAULT_VA + PAGE_SIZE);
    uint32_t start = SIO_FAULT_VA + PAGE_SIZE - HALF, boundary = SIO_FAULT_VA + PAGE_SIZE;
    for (uint32_t j = 0; j < PAGE_SIZE; j++) ((uint8_t *)present)[j] = FILL_BEFORE;

    struct sio s = { 2 * HALF, 0, start };
    int r = trap_call(do_insb, &s);
    int filled = 1;
    for (uint32_t j = PAGE_SIZE - HALF; j < PAGE_SIZE; j++) filled &= ((uint8_t *)present)[j] == 0xff;
    test_check(r == VEC_PF && trap_last.err == PF_W && trap_last.cr2 == boundary && trap_last.ecx == HALF &&
                   trap_last.edi == boundary && filled,
               "paged_rep_insb_fault_progress", "vector=%d err=%x cr2=%x ecx=%x edi=%x first half %s", r, trap_last.err,
               trap_last.cr2, trap_last.ecx, trap_last.edi, filled ? "filled" : "NOT filled");

    ((uint8_t *)present)[PAGE_SIZE - 1] = 0x3c;
    outb(COM1_SCRATCH, 0);
    s = (struct sio){ 2 * HALF, start, 0 };
    r = trap_call(do_outsb, &s);
    uint8_t got = inb(COM1_SCRATCH);
    test_check(r == VEC_PF && trap_last.err == 0 && trap_last.cr2 == boundary && trap_last.ecx == HALF &&
                   trap_last.esi == boundary && got == 0x3c,
               "paged_rep_outsb_fault_progress", "vector=%d err=%x cr2=%x ecx=%x esi=%x scratch=%x", r, trap_last.err,
               trap_last.cr2, trap_last.ecx, trap_last.esi, got);

    // Map the hole and finish the copy from where it stopped.
    uint32_t second = page_alloc_low();
    map_page(kpd, boundary, second, PTE_P | PTE_W);
    invlpg(boundary);
    s = (struct sio){ HALF, 0, boundary };
    r = trap_call(do_insb, &s);
    test_check(r == TRAP_NONE && ((uint8_t *)second)[HALF - 1] == 0xff && ((uint8_t *)second)[HALF] == 0, "paged_rep_insb_resume",
               "vector=%d last=%x next=%x", r, ((uint8_t *)second)[HALF - 1], ((uint8_t *)second)[HALF]);
}

// REP INSB into a supervisor read-only page faults before writing anything (WP=1).
static void check_readonly(void) {
    uint32_t pa = page_alloc_low();
    map_page(kpd, SIO_RO_VA, pa, PTE_P);
    invlpg(SIO_RO_VA);
    struct sio s = { HALF, 0, SIO_RO_VA + HALF };
    int r = trap_call(do_insb, &s);
    test_check(r == VEC_PF && trap_last.err == (PF_P | PF_W) && trap_last.cr2 == SIO_RO_VA + HALF && trap_last.ecx == HALF &&
                   ((uint8_t *)pa)[HALF] == 0,
               "paged_rep_insb_readonly", "vector=%d err=%x cr2=%x ecx=%x byte=%x", r, trap_last.err, trap_last.cr2,
               trap_last.ecx, ((uint8_t *)pa)[HALF]);
}

// String I/O through paging: discontiguous frames, partial progress on #PF.
void check_paged_string_io(void) {
    uint32_t frame[SIO_PAGES];
    frame[2] = page_alloc_low();          // allocated out of order: no two are adjacent in order
    (void)page_alloc_low();
    frame[0] = page_alloc_low();
    (void)page_alloc_low();
    frame[1] = page_alloc_low();
    for (int i = 0; i < SIO_PAGES; i++) map_page(kpd, SIO_VA + (uint32_t)i * PAGE_SIZE, frame[i], PTE_P | PTE_W);
    write_cr3((uint32_t)kpd);
    check_scattered(frame);
    check_partial();
    check_readonly();
}
