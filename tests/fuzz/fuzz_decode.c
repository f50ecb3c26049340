// fuzz_decode.c — fuzz the instruction decoder (vmm/decode.c) with guest code bytes.
//
// Input: one mode byte (bit 0: CS.D, 32-bit code), eight 4-byte guest registers for
// decode_ea, then the instruction stream. Checks: the result is 0 or a DECODE_E* error;
// a decoded instruction is 1-15 bytes within what was available, its fields are in range
// and agree with each other; decoding only its own bytes gives the same instruction, and
// every shorter prefix of them is "truncated" (the length never depends on bytes past
// the instruction).
#include "tests/fuzz/fuzz.h"
#include "vmm/decode.h"
#include <stdlib.h>
#include <string.h>

#define MODE_BYTES 1
#define REG_BYTES  (8 * 4)

// Field ranges every decoded instruction must satisfy.
static void check_fields(const struct insn *in, int avail)
{
    FUZZ_CHECK(in->len >= 1 && in->len <= INSN_MAX_LEN && in->len <= avail);
    FUZZ_CHECK(in->map <= INSN_MAP_0F3A);
    FUZZ_CHECK(in->opsize == 2 || in->opsize == 4);
    FUZZ_CHECK(in->addrsize == 2 || in->addrsize == 4);
    FUZZ_CHECK(in->width == 1 || in->width == in->opsize);
    FUZZ_CHECK(in->seg_override >= INSN_SEG_NONE && in->seg_override <= INSN_SEG_GS);
    FUZZ_CHECK(in->rep == 0 || in->rep == 0xF2 || in->rep == 0xF3);
    FUZZ_CHECK(in->disp_size == 0 || in->disp_size == 1 || in->disp_size == 2 || in->disp_size == 4);
    FUZZ_CHECK(in->imm_size <= 4 && in->imm_size != 3);
    FUZZ_CHECK(in->imm2_size <= 2);
    FUZZ_CHECK(in->cls <= INSN_POP_MEM);
    if (in->has_modrm) {
        FUZZ_CHECK(in->mod == in->modrm >> 6 && in->reg == ((in->modrm >> 3) & 7) &&
                   in->rm == (in->modrm & 7));
    }
    FUZZ_CHECK(!in->has_sib || (in->has_mem && in->addrsize == 4));
    if (in->has_mem) {
        const struct insn_mem *m = &in->mem;
        FUZZ_CHECK(m->base >= INSN_REG_NONE && m->base < INSN_GPR_COUNT);
        FUZZ_CHECK(m->index >= INSN_REG_NONE && m->index < INSN_GPR_COUNT && m->index != INSN_ESP);
        FUZZ_CHECK(m->scale == 1 || m->scale == 2 || m->scale == 4 || m->scale == 8);
        FUZZ_CHECK(m->seg >= INSN_SEG_ES && m->seg <= INSN_SEG_GS);
    }
    // A memory-writing class always has a memory destination (strings use ES:EDI).
    if (in->cls >= INSN_MOV_STORE && in->cls <= INSN_INCDEC)
        FUZZ_CHECK(in->has_mem);
    if (in->cls == INSN_MOV_TO_CR || in->cls == INSN_MOV_FROM_CR)
        FUZZ_CHECK(in->cr < 16);
}

// Decode `bytes` in one mode and check everything above.
static void check_mode(const u8 *bytes, int avail, int default32, const u32 gpr[8])
{
    struct insn in, again;
    int rc = decode_insn(bytes, avail, default32, &in);
    FUZZ_CHECK(rc == 0 || rc == DECODE_EINVAL || rc == DECODE_ETRUNC || rc == DECODE_ETOOLONG);
    if (rc == DECODE_ETRUNC)
        FUZZ_CHECK(avail < INSN_MAX_LEN);
    if (rc != 0)
        return;
    check_fields(&in, avail);
    u32 ea = decode_ea(&in, gpr);
    FUZZ_CHECK(in.addrsize == 4 || ea <= 0xFFFF);
    // Exactly its own bytes, in a buffer of that size: the same instruction.
    u8 *own = malloc(in.len);
    memcpy(own, bytes, in.len);
    FUZZ_CHECK(decode_insn(own, in.len, default32, &again) == 0);
    FUZZ_CHECK(memcmp(&in, &again, sizeof in) == 0);
    for (int k = 0; k < in.len; k++)
        FUZZ_CHECK(decode_insn(own, k, default32, &again) == DECODE_ETRUNC);
    free(own);
}

// See fuzz.h: decode the stream in the mode the input asks for, then in the other.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    u32 gpr[8] = { 0 };
    if (len < MODE_BYTES) return;
    unsigned long regs = len - MODE_BYTES < REG_BYTES ? len - MODE_BYTES : REG_BYTES;
    memcpy(gpr, data + MODE_BYTES, regs);
    const u8 *code = data + MODE_BYTES + regs;
    int avail = (int)(len - MODE_BYTES - regs);
    check_mode(code, avail, data[0] & 1, gpr);
    check_mode(code, avail, !(data[0] & 1), gpr);
}

// Seeds: each class the VMM cares about, with the prefixes that change its meaning.
#define S(lit) { lit, sizeof(lit) - 1 }
static const struct { const char *b; size_t n; } seeds[] = {
    S("\x89\x03"), S("\x66\x89\x43\x10"), S("\xc7\x44\x24\x08\x78\x56\x34\x12"), S("\xa3\x00\x30\x00\x00"),
    S("\xf0\x0f\xb1\x0b"), S("\x0f\xc7\x0e"), S("\xf3\xab"), S("\xf3\x66\xa5"), S("\x26\x67\x88\x07"),
    S("\x0f\x22\xd8"), S("\xf0\x0f\x20\xc0"), S("\x0f\x01\xd8"), S("\x0f\x01\xf9"), S("\xc4\xe3\x79\x0f\xc1\x08"),
    S("\xc5\xf8\x77"), S("\x0f\x38\x00\xc1"), S("\x66\x0f\x78\xc0\x01\x02"), S("\x9a\x00\x00\x00\x00\x08\x00"),
    S("\xc8\x10\x00\x01"), S("\xf6\x05\x00\x10\x00\x00\x01"), S("\x0f\xba\x2b\x05"), S("\x8f\x00"),
};

// Each seed instruction after a 32-bit mode byte and zero registers; prefix tokens.
void fuzz_init(void)
{
    static const char *const tokens[] = {
        "\x66", "\x67", "\xf0", "\xf2", "\xf3", "\x26", "\x2e", "\x36", "\x3e", "\x64", "\x65",
        "\x0f", "\x0f\x38", "\x0f\x3a", "\x0f\x01", "\xc4", "\xc5", "\x8f", "\x04\x24", "\x44\x24",
        "\x84\x24", "\x05", "\x06",
    };
    u8 buf[MODE_BYTES + REG_BYTES + 16];
    for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) {
        size_t n = seeds[i].n;
        memset(buf, 0, sizeof buf);
        buf[0] = 1;
        memcpy(buf + MODE_BYTES + REG_BYTES, seeds[i].b, n);
        fuzz_add_seed(buf, MODE_BYTES + REG_BYTES + n);
    }
    for (size_t i = 0; i < ARRAY_SIZE(tokens); i++)
        fuzz_add_token(tokens[i], strlen(tokens[i]));
}
