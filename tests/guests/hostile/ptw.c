// ptw.c — hostile.elf attacks: page-table writes by instruction forms ptwrite.elf does not use
// Each form turns a live PTE (mapping frame A, already used) into one mapping frame B; the next
// access must see B without INVLPG under myrmex (natively the guest flushes).
#include "hostile.h"
#include "io.h"
#include "paging.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define PTE_RW   (PTE_P | PTE_W)
#define CPUID1_FXSR (1u << 24)
#define PUSHAL_SLOTS 8

static uint32_t *pt, frame_a, frame_b, frame_c;
uint32_t ptw_saved_esp;

// Paging on with a page table at TEST_VA and three consecutive marked frames A, B, C.
static void setup(void) {
    uint32_t *pd = hostile_paging_on();
    pt = pte_ptr(pd, TEST_VA, 0) - PT_INDEX(TEST_VA);
    frame_a = page_alloc_low();
    frame_b = page_alloc_low();
    frame_c = page_alloc_low();
    *(volatile uint32_t *)frame_a = MARKER_A;
    *(volatile uint32_t *)frame_b = MARKER_B;
    *(volatile uint32_t *)frame_c = MARKER_C;
}

// Entry idx maps `initial`, touch it so the shadow holds it, return the PTE.
static uint32_t *prime(unsigned idx, uint32_t initial) {
    pt[idx] = frame_a | PTE_RW;
    (void)*(volatile uint32_t *)(TEST_VA + idx * PAGE_SIZE);
    pt[idx] = initial;
    native_invlpg(TEST_VA + idx * PAGE_SIZE);
    if (initial & PTE_P) (void)*(volatile uint32_t *)(TEST_VA + idx * PAGE_SIZE);
    return &pt[idx];
}

// After the write: entry idx must now map frame B.
static void judge(const char *name, unsigned idx) {
    uint32_t va = TEST_VA + idx * PAGE_SIZE, v = 0;
    native_invlpg(va);
    int r = probe_read(va, &v);
    test_check(r == TRAP_NONE && v == MARKER_B, name, "pte %x, read vector %d value %x", pt[idx], r, v);
}

// The forms (each as one asm statement on the PTE).
static void f_add(void) { __asm__ volatile("addl $0x1000, %0" : "+m"(*prime(1, frame_a | PTE_RW))); judge("ptw_add", 1); }
static void f_sub(void) { __asm__ volatile("subl $0x1000, %0" : "+m"(*prime(2, frame_c | PTE_RW))); judge("ptw_sub", 2); }
static void f_addb(void) {
    uint32_t *p = prime(3, frame_a | PTE_RW);
    __asm__ volatile("addb $0x10, 1(%0)" : : "r"(p) : "memory");
    judge("ptw_addb_byte1", 3);
}
static void f_xadd(void) {
    uint32_t d = 0x1000, *p = prime(4, frame_a | PTE_RW);
    __asm__ volatile("lock xaddl %0, %1" : "+r"(d), "+m"(*p));
    judge("ptw_lock_xadd", 4);
}
static void f_adc(void) {
    uint32_t *p = prime(5, frame_a | PTE_RW);
    __asm__ volatile("stc; adcl $0x0fff, %0" : "+m"(*p) : : "cc");
    judge("ptw_adc", 5);
}
static void f_not(void) { __asm__ volatile("notl %0" : "+m"(*prime(6, ~(frame_b | PTE_RW)))); judge("ptw_not", 6); }
static void f_setcc(void) {
    uint32_t *p = prime(7, frame_b);
    __asm__ volatile("stc; setc (%0)" : : "r"(p) : "memory", "cc");
    judge("ptw_setc_present", 7);
}
static void f_push(void) {
    uint32_t *p = prime(8, frame_a | PTE_RW);
    __asm__ volatile("mov %%esp, ptw_saved_esp\n\tlea 4(%0), %%esp\n\tpushl %1\n\tmov ptw_saved_esp, %%esp"
                     : : "r"(p), "r"(frame_b | PTE_RW) : "memory");
    judge("ptw_push", 8);
}
static void f_popmem(void) {
    uint32_t *p = prime(9, frame_a | PTE_RW);
    __asm__ volatile("pushl %1\n\tpopl (%0)" : : "r"(p), "r"(frame_b | PTE_RW) : "memory");
    judge("ptw_pop_mem", 9);
}
static void f_pushal(void) {
    uint32_t *p = prime(16, frame_a | PTE_RW);
    __asm__ volatile("mov %%esp, ptw_saved_esp\n\tmov %0, %%esp\n\tpushal\n\tmov ptw_saved_esp, %%esp"
                     : : "a"(p + PUSHAL_SLOTS), "D"(frame_b | PTE_RW) : "memory");
    judge("ptw_pushal", 16);
}
static void f_fistp(void) {
    uint32_t v = frame_b | PTE_RW, *p = prime(10, frame_a | PTE_RW);
    __asm__ volatile("fninit\n\tfildl %1\n\tfistpl (%0)" : : "r"(p), "m"(v) : "memory");
    judge("ptw_fistp", 10);
}
static void f_movs_pt_to_pt(void) {
    uint32_t *p = prime(11, frame_a | PTE_RW);
    pt[12] = frame_b | PTE_RW;
    __asm__ volatile("movsl" : : "S"(&pt[12]), "D"(p) : "memory");
    judge("ptw_movs_pt_to_pt", 11);
}
static void f_stos_backward(void) {
    uint32_t *p = prime(20, frame_a | PTE_RW);
    for (int i = 21; i < 24; i++) prime((unsigned)i, frame_a | PTE_RW);
    __asm__ volatile("std\n\trep stosl\n\tcld" : : "D"(p + 3), "c"(4), "a"(frame_b | PTE_RW) : "memory");
    judge("ptw_rep_stos_df1", 20);
    judge("ptw_rep_stos_df1_last", 23);
}
// rep movsb of a whole page of PTEs: each entry is rewritten a byte at a time.
static void f_movsb_page(void) {
    uint32_t *src = (uint32_t *)page_alloc_low();
    for (unsigned i = 0; i < PT_ENTRIES; i++) src[i] = pt[i];
    prime(30, frame_a | PTE_RW);
    src[30] = frame_b | PTE_RW;
    src[31] = frame_b | PTE_RW;
    __asm__ volatile("rep movsb" : : "S"(src), "D"(pt), "c"(PAGE_SIZE) : "memory");
    judge("ptw_rep_movsb_page", 30);
    judge("ptw_rep_movsb_page_next", 31);
}
// fxsave over a page table: entry 0 becomes FCW|FSW<<16 = 0x037f after fninit (frame 0, present).
static void f_fxsave(void) {
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[3] & CPUID1_FXSR)) { test_skip("ptw_fxsave", "no FXSR"); return; }
    prime(0, frame_a | PTE_RW);
    __asm__ volatile("fninit\n\tfxsave (%0)" : : "r"(pt) : "memory");
    native_invlpg(TEST_VA);
    uint32_t v = 0;
    int rv = probe_read(TEST_VA + 0x40, &v);
    uint32_t want = raw_read32(0x40);
    test_check((pt[0] & PTE_FRAME) == 0 && (pt[0] & PTE_P) && rv == TRAP_NONE && v == want, "ptw_fxsave",
               "pte %x, read vector %d value %x want %x", pt[0], rv, v, want);
    for (unsigned i = 0; i < 128; i++) pt[i] = 0;
    write_cr3(read_cr3());
}
// A dword at offset 0xffe of a page table: the high half of entry 1023 and two data bytes.
#define STRADDLE_A 0x01800000u   // two frames outside both pools that differ in bits 31:16 only
#define STRADDLE_B 0x01810000u
static void f_straddle(void) {
    uint32_t *pd = (uint32_t *)(read_cr3() & PTE_FRAME);
    uint32_t *spt = (uint32_t *)page_alloc_low(), next = page_alloc_low();
    if (next != (uint32_t)spt + PAGE_SIZE) { test_fail("ptw_straddle_data", "no adjacent page"); return; }
    pd[PD_INDEX(TEST_VA2)] = (uint32_t)spt | PTE_RW;
    *(volatile uint32_t *)STRADDLE_A = MARKER_A;
    *(volatile uint32_t *)STRADDLE_B = MARKER_B;
    spt[1023] = STRADDLE_A | PTE_RW;
    uint32_t va = TEST_VA2 + 1023 * PAGE_SIZE;
    (void)*(volatile uint32_t *)va;
    uint32_t val = (STRADDLE_B >> 16) | (0xbeefu << 16);
    __asm__ volatile("movl %1, 0xffe(%0)" : : "r"(spt), "r"(val) : "memory");
    native_invlpg(va);
    uint32_t v = 0;
    int r = probe_read(va, &v);
    test_check(r == TRAP_NONE && v == MARKER_B && *(volatile uint16_t *)next == 0xbeef, "ptw_straddle_data",
               "pte %x, read vector %d value %x, next page %x", spt[1023], r, v, *(volatile uint16_t *)next);
}
// rep insd over a whole unused page table from an unknown port (all ones): entry 0 then maps
// frame 0xfffff000 beyond RAM, which under myrmex must #PF.
static void f_insd_pt(void) {
    uint32_t *pd = (uint32_t *)(read_cr3() & PTE_FRAME);
    uint32_t *pt2 = pte_ptr(pd, TEST_VA2, 0) - PT_INDEX(TEST_VA2);
    pt2[0] = frame_a | PTE_RW;
    (void)*(volatile uint32_t *)TEST_VA2;
    __asm__ volatile("rep insl" : : "D"(pt2), "c"(PT_ENTRIES), "d"(0x2c0) : "memory");
    native_invlpg(TEST_VA2);
    uint32_t v = 0;
    int r = probe_read(TEST_VA2, &v);
    if (myrmex()) test_check(pt2[0] == 0xffffffffu && r == VEC_PF, "ptw_rep_insd_pt", "pte %x vector %d value %x", pt2[0], r, v);
    else test_check(!(r == TRAP_NONE && v == MARKER_A), "ptw_rep_insd_pt", "pte %x vector %d", pt2[0], r);
}

// Each form is one attack: set up, then the form (a VM stopped on one form hides no other).
#define FORM(f) static void a_##f(void) { setup(); f_##f(); }
FORM(add)
FORM(sub)
FORM(addb)
FORM(xadd)
FORM(adc)
FORM(not)
FORM(setcc)
FORM(push)
FORM(popmem)
FORM(pushal)
FORM(fistp)
FORM(movs_pt_to_pt)
FORM(stos_backward)
FORM(movsb_page)
FORM(fxsave)
FORM(straddle)
FORM(insd_pt)

const struct attack ptw_attacks[] = {
    { "ptw_add", a_add },
    { "ptw_sub", a_sub },
    { "ptw_addb_byte1", a_addb },
    { "ptw_lock_xadd", a_xadd },
    { "ptw_adc", a_adc },
    { "ptw_not", a_not },
    { "ptw_setc", a_setcc },
    { "ptw_push", a_push },
    { "ptw_pop_mem", a_popmem },
    { "ptw_pushal", a_pushal },
    { "ptw_fistp", a_fistp },
    { "ptw_movs_pt_to_pt", a_movs_pt_to_pt },
    { "ptw_rep_stos_df1", a_stos_backward },
    { "ptw_rep_movsb_page", a_movsb_page },
    { "ptw_fxsave", a_fxsave },
    { "ptw_straddle_data", a_straddle },
    { "ptw_rep_insd_pt", a_insd_pt },
    { 0, 0 },
};
