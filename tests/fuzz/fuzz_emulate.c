// fuzz_emulate.c — fuzz the write emulator (vmm/emulate.c) on a fake guest memory.
//
// Input: a state header (mode, flags, eight registers, six segment bases, a faulting
// window), then instruction bytes, decoded with decode_insn and run with emulate_insn
// against a 64 KiB fake memory whose callbacks fault outside it and in the window.
// Register and base values are mostly small, so that accesses land in the memory.
// Checks: every callback gets a size of 1, 2, 4 or 8 (the instruction's width, or 8 for
// CMPXCHG8B) and a buffer it may fill (ASan); the result is one of the three EMU_*
// values; EMU_UNSUPPORTED touches nothing; a non-REP instruction writes at most once,
// and on EMU_FAULT commits no register; every store of a REP string instruction starts
// in the page of the first one; EIP advances by the length exactly when the instruction
// completed; EFLAGS changes only in the arithmetic bits; segment bases never change.
#include "tests/fuzz/fuzz.h"
#include "vmm/emulate.h"
#include <stdlib.h>
#include <string.h>

#define MEM_SIZE   0x10000
#define PAGE_SHIFT 12
#define QWORD      8
#define NSEG       6

struct fake {
    u8 *mem;                  // MEM_SIZE bytes, heap-allocated so ASan bounds them
    u32 fault_lo, fault_hi;   // accesses touching [lo, hi) fault
    int reads, writes, faults;
    int sizes_ok;             // the size every access must have (0: not checked)
    u32 first_page;           // page of the first successful or attempted write
    bool rep_string;
};

// Does [lin, lin+len) leave the memory or touch the faulting window?
static bool bad(const struct fake *f, u32 lin, int len)
{
    if ((u64)lin + (u64)len > MEM_SIZE) return true;
    return lin < f->fault_hi && lin + (u32)len > f->fault_lo;
}

// Every access has a real size, the one the instruction uses.
static void check_access(struct fake *f, u32 lin, int len)
{
    FUZZ_CHECK(len == 1 || len == 2 || len == 4 || len == QWORD);
    if (f->sizes_ok) FUZZ_CHECK(len == f->sizes_ok);
}

// Read callback: copy out of the fake memory, or fault.
static int f_read(void *ctx, u32 lin, void *buf, int len)
{
    struct fake *f = ctx;
    check_access(f, lin, len);
    f->reads++;
    if (bad(f, lin, len)) { f->faults++; return -1; }
    memcpy(buf, f->mem + lin, (size_t)len);
    return 0;
}

// Write callback: check the page rule for REP strings, copy in, or fault.
static int f_write(void *ctx, u32 lin, const void *buf, int len)
{
    struct fake *f = ctx;
    check_access(f, lin, len);
    if (f->writes == 0 && f->faults == 0) f->first_page = lin >> PAGE_SHIFT;
    if (f->rep_string) FUZZ_CHECK(lin >> PAGE_SHIFT == f->first_page);
    if (bad(f, lin, len)) { f->faults++; return -1; }
    memcpy(f->mem + lin, buf, (size_t)len);
    f->writes++;
    return 0;
}

// A register or base: the selector byte's low bits say small, near the top, a small
// count, or raw 32 bits.
static u32 value(struct fuzz_reader *r)
{
    u8 sel = (u8)fuzz_take(r, 1);
    u32 raw = fuzz_take(r, 4);
    switch (sel & 3) {
    case 0: return raw % MEM_SIZE;
    case 1: return (u32)-(s32)(raw % 64);
    case 2: return raw % 64;
    default: return raw;
    }
}

// See fuzz.h: build the state, decode, emulate, check the outcome against the state before.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    struct fuzz_reader r = { data, len, 0 };
    struct emu_regs regs, before;
    memset(&regs, 0, sizeof regs);
    u8 mode = (u8)fuzz_take(&r, 1);
    regs.default32 = mode & 1;
    regs.stack32 = (mode & 0x40) != 0;
    regs.eflags = 0x2 | ((mode & 2) ? EMU_FLAG_DF : 0) | ((mode & 4) ? EMU_FLAG_CF : 0) |
                  ((mode & 8) ? EMU_FLAG_ZF : 0);
    regs.eip = value(&r);
    for (int i = 0; i < INSN_GPR_COUNT; i++) regs.gpr[i] = value(&r);
    for (int i = 0; i < NSEG; i++) regs.seg_base[i] = (mode & 0x10) ? value(&r) : 0;
    struct fake f = { .fault_lo = 0xFFFFFFFF, .fault_hi = 0xFFFFFFFF };
    if (mode & 0x20) {
        f.fault_lo = fuzz_take(&r, 2);
        f.fault_hi = f.fault_lo + fuzz_take(&r, 2) % 0x2000;
    }
    f.mem = calloc(1, MEM_SIZE);
    for (u32 i = 0; i < MEM_SIZE; i += 4) memcpy(f.mem + i, &i, 4);   // no all-zero memory
    const u8 *code = r.pos < len ? data + r.pos : data + len;
    int avail = (int)(len - (r.pos < len ? r.pos : len));

    struct insn in;
    if (decode_insn(code, avail, regs.default32, &in) != 0) { free(f.mem); return; }
    bool string = in.cls == INSN_MOVS || in.cls == INSN_STOS;
    f.rep_string = string && in.rep;
    if (in.cls == INSN_CMPXCHG8B) f.sizes_ok = QWORD;
    else if (in.cls == INSN_BITOP) f.sizes_ok = in.opsize;
    else if (in.cls >= INSN_MOV_STORE) f.sizes_ok = in.width;
    before = regs;
    struct emu_mem mem = { &f, f_read, f_write };
    int rc = emulate_insn(&in, &regs, &mem);

    FUZZ_CHECK(rc == EMU_OK || rc == EMU_FAULT || rc == EMU_UNSUPPORTED);
    FUZZ_CHECK(memcmp(regs.seg_base, before.seg_base, sizeof regs.seg_base) == 0);
    FUZZ_CHECK(regs.default32 == before.default32 && regs.stack32 == before.stack32);
    FUZZ_CHECK(((regs.eflags ^ before.eflags) & ~(u32)EMU_FLAGS_ARITH) == 0);
    if (rc == EMU_UNSUPPORTED) {
        FUZZ_CHECK(in.cls < INSN_MOV_STORE);
        FUZZ_CHECK(f.reads == 0 && f.writes == 0 && f.faults == 0);
        FUZZ_CHECK(memcmp(&regs, &before, sizeof regs) == 0);
    } else {
        FUZZ_CHECK(in.cls >= INSN_MOV_STORE);
    }
    if (rc != EMU_UNSUPPORTED && !f.rep_string) {
        FUZZ_CHECK(f.writes <= 1);
        if (rc == EMU_FAULT) {
            FUZZ_CHECK(f.faults == 1 && f.writes == 0);
            FUZZ_CHECK(memcmp(&regs, &before, sizeof regs) == 0);
        }
    }
    u32 next = before.eip + in.len;
    if (!regs.default32) next &= 0xFFFF;
    if (rc == EMU_FAULT) FUZZ_CHECK(regs.eip == before.eip);
    if (rc == EMU_OK && !f.rep_string) FUZZ_CHECK(regs.eip == next);
    if (rc == EMU_OK && f.rep_string) {
        u32 amask = in.addrsize == 2 ? 0xFFFF : 0xFFFFFFFF;
        bool done = (regs.gpr[INSN_ECX] & amask) == 0;
        FUZZ_CHECK(regs.eip == (done ? next : before.eip));
        FUZZ_CHECK(f.writes == (int)((before.gpr[INSN_ECX] - regs.gpr[INSN_ECX]) & amask));
    }
    free(f.mem);
}

// Seeds: the state header of a flat 32-bit guest with small registers, then each
// emulated instruction form.
#define S(lit) { lit, sizeof(lit) - 1 }
static const struct { const char *b; size_t n; } seeds[] = {
    S("\x89\x03"), S("\x88\x63\x05"), S("\x66\x89\x43\x10"), S("\xc6\x43\x20\xab"),
    S("\xc7\x43\x24\x78\x56\x34\x12"), S("\xa3\x00\x30\x00\x00"), S("\xa2\x10\x30\x00\x00"),
    S("\x87\x0b"), S("\x86\x2b"), S("\xf0\x0f\xb1\x0b"), S("\x0f\xb0\x0b"), S("\x0f\xc7\x0b"),
    S("\x0f\xc1\x0b"), S("\x01\x0b"), S("\x83\x2b\x01"), S("\x80\x33\xff"), S("\x81\x23\x00\xff\x00\x00"),
    S("\x0f\xab\x0b"), S("\x0f\xb3\x0b"), S("\x0f\xbb\x0b"), S("\x0f\xba\x2b\x1f"), S("\xfe\x03"),
    S("\xff\x0b"), S("\xa4"), S("\xf3\xa5"), S("\xf3\xab"), S("\xf2\x66\xab"), S("\x67\xf3\xaa"),
    S("\x26\x89\x07"), S("\x67\x89\x07"), S("\x89\x04\x8b"),
    S("\xf7\x13"), S("\x66\xf6\x1b"), S("\x0f\x92\x03"), S("\x0f\x9f\x03"), S("\x8f\x03"),
    S("\x8f\x44\x24\x04"), S("\x66\x8f\x03"),
};

// Seeds: a flat 32-bit state with small registers before each form; prefix tokens.
void fuzz_init(void)
{
    // mode: 32-bit code and stack; EIP, EAX..EDI small (selector 0 or, for ECX, a small count).
    u8 hdr[1 + 9 * 5], buf[sizeof hdr + 16];
    memset(hdr, 0, sizeof hdr);
    hdr[0] = 1 | 0x40;
    for (int i = 0; i < 9; i++) {
        u32 v = 0x1000 + 0x300 * (u32)i;
        memcpy(hdr + 1 + 5 * i + 1, &v, 4);
    }
    hdr[1 + 5 * 2] = 2;                       // ECX: a small count
    for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) {
        memcpy(buf, hdr, sizeof hdr);
        memcpy(buf + sizeof hdr, seeds[i].b, seeds[i].n);
        fuzz_add_seed(buf, sizeof hdr + seeds[i].n);
    }
    static const char *const tokens[] = { "\x66", "\x67", "\xf3", "\xf2", "\xf0", "\x26", "\x64",
                                          "\x0f", "\x0f\xc7", "\x0f\xba" };
    for (size_t i = 0; i < ARRAY_SIZE(tokens); i++) fuzz_add_token(tokens[i], strlen(tokens[i]));
}
