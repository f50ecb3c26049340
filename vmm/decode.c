// decode.c — table-driven x86 instruction decoder (lengths, operands, classes).
#include "vmm/decode.h"
#include "kernel/lib.h"

// Per-opcode attributes: what follows the opcode byte.
#define A_M     BIT(0)   // ModRM (with SIB and displacement as it says)
#define A_IB    BIT(1)   // 8-bit immediate
#define A_IW    BIT(2)   // 16-bit immediate (first); with A_IB, ENTER's iw,ib
#define A_IZ    BIT(3)   // 16/32-bit immediate by operand size
#define A_MOFFS BIT(4)   // memory offset of the address size (A0-A3)
#define A_FAR   BIT(5)   // far pointer: offset by operand size, then a 16-bit selector
#define A_INV   BIT(6)   // undefined opcode
#define A_B     BIT(7)   // byte-sized main operand
#define A_G3    BIT(8)   // group 3 (F6/F7): /0 and /1 (TEST) carry an immediate
#define A_CRDR  BIT(9)   // MOV CR/DR: ModRM always names registers, whatever mod says

#define PREFIX_OPSIZE   0x66
#define PREFIX_ADDRSIZE 0x67
#define PREFIX_LOCK     0xF0
#define PREFIX_REPNE    0xF2
#define PREFIX_REP      0xF3
#define ESCAPE_0F       0x0F
#define ESCAPE_0F38     0x38
#define ESCAPE_0F3A     0x3A
#define VEX3            0xC4
#define VEX2            0xC5
#define VEX_MAP_MASK    0x1F
#define FAR_SEL_SIZE    2
#define ENTER_LEVEL_SIZE 1

// ModRM fields.
#define MODRM_MOD(b)   ((b) >> 6)
#define MODRM_REG(b)   (((b) >> 3) & 7)
#define MODRM_RM(b)    ((b) & 7)
#define MOD_REG        3       // mod 11: register operand
#define MOD_DISP8      1
#define MOD_DISP_FULL  2
#define RM_SIB         4       // 32-bit addressing: a SIB byte follows
#define RM_DISP32      5       // 32-bit addressing, mod 00: disp32 with no base
#define RM16_DISP16    6       // 16-bit addressing, mod 00: disp16 with no base
#define SIB_NO_INDEX   4
#define SIB_NO_BASE    5       // with mod 00: disp32 with no base

// One-byte map (32-bit/16-bit modes). Prefixes, 0F and VEX are handled before the table.
#define ALU_ROW(b) [(b) + 0] = A_M | A_B, [(b) + 1] = A_M, [(b) + 2] = A_M | A_B, \
                   [(b) + 3] = A_M, [(b) + 4] = A_IB | A_B, [(b) + 5] = A_IZ
static const u16 map1[256] = {
    ALU_ROW(0x00), ALU_ROW(0x08), ALU_ROW(0x10), ALU_ROW(0x18),
    ALU_ROW(0x20), ALU_ROW(0x28), ALU_ROW(0x30), ALU_ROW(0x38),
    [0x62] = A_M, [0x63] = A_M, [0x68] = A_IZ, [0x69] = A_M | A_IZ,
    [0x6A] = A_IB, [0x6B] = A_M | A_IB, [0x6C] = A_B, [0x6E] = A_B,
    [0x70 ... 0x7F] = A_IB,
    [0x80] = A_M | A_IB | A_B, [0x81] = A_M | A_IZ, [0x82] = A_M | A_IB | A_B,
    [0x83] = A_M | A_IB, [0x84] = A_M | A_B, [0x85] = A_M, [0x86] = A_M | A_B,
    [0x87] = A_M, [0x88] = A_M | A_B, [0x89] = A_M, [0x8A] = A_M | A_B,
    [0x8B ... 0x8F] = A_M,
    [0x9A] = A_FAR,
    [0xA0] = A_MOFFS | A_B, [0xA1] = A_MOFFS, [0xA2] = A_MOFFS | A_B, [0xA3] = A_MOFFS,
    [0xA4] = A_B, [0xA6] = A_B, [0xA8] = A_IB | A_B, [0xA9] = A_IZ,
    [0xAA] = A_B, [0xAC] = A_B, [0xAE] = A_B,
    [0xB0 ... 0xB7] = A_IB | A_B, [0xB8 ... 0xBF] = A_IZ,
    [0xC0] = A_M | A_IB | A_B, [0xC1] = A_M | A_IB, [0xC2] = A_IW,
    [0xC4] = A_M, [0xC5] = A_M, [0xC6] = A_M | A_IB | A_B, [0xC7] = A_M | A_IZ,
    [0xC8] = A_IW | A_IB, [0xCA] = A_IW, [0xCD] = A_IB,
    [0xD0] = A_M | A_B, [0xD1] = A_M, [0xD2] = A_M | A_B, [0xD3] = A_M,
    [0xD4] = A_IB, [0xD5] = A_IB, [0xD8 ... 0xDF] = A_M,
    [0xE0 ... 0xE3] = A_IB, [0xE4] = A_IB | A_B, [0xE5] = A_IB, [0xE6] = A_IB | A_B,
    [0xE7] = A_IB, [0xE8] = A_IZ, [0xE9] = A_IZ, [0xEA] = A_FAR, [0xEB] = A_IB,
    [0xEC] = A_B, [0xEE] = A_B,
    [0xF6] = A_M | A_B | A_G3, [0xF7] = A_M | A_G3, [0xFE] = A_M | A_B, [0xFF] = A_M,
};

// Two-byte map (0F xx). 0F 38 and 0F 3A escape to the three-byte maps.
static const u16 map0f[256] = {
    [0x00 ... 0x03] = A_M, [0x04] = A_INV, [0x0A] = A_INV, [0x0C] = A_INV,
    [0x0D] = A_M, [0x0F] = A_M | A_IB,              // 0F 0F: 3DNow!, suffix byte
    [0x10 ... 0x1F] = A_M,
    [0x20 ... 0x23] = A_M | A_CRDR, [0x24 ... 0x27] = A_INV, [0x28 ... 0x2F] = A_M,
    [0x36] = A_INV, [0x39] = A_INV, [0x3B ... 0x3F] = A_INV,
    [0x40 ... 0x6F] = A_M, [0x70 ... 0x73] = A_M | A_IB, [0x74 ... 0x76] = A_M,
    [0x78] = A_M, [0x79] = A_M, [0x7A] = A_INV, [0x7B] = A_INV, [0x7C ... 0x7F] = A_M,
    [0x80 ... 0x8F] = A_IZ, [0x90 ... 0x9F] = A_M | A_B,
    [0xA3] = A_M, [0xA4] = A_M | A_IB, [0xA5] = A_M,
    [0xA6] = A_M, [0xA7] = A_M,                     // VIA PadLock (xstore, xcrypt, ...)
    [0xAB] = A_M, [0xAC] = A_M | A_IB, [0xAD ... 0xAF] = A_M,
    [0xB0] = A_M | A_B, [0xB1 ... 0xB9] = A_M, [0xBA] = A_M | A_IB, [0xBB ... 0xBF] = A_M,
    [0xC0] = A_M | A_B, [0xC1] = A_M, [0xC2] = A_M | A_IB, [0xC3] = A_M,
    [0xC4 ... 0xC6] = A_M | A_IB, [0xC7] = A_M,
    [0xD0 ... 0xFF] = A_M,
};

// SSE4a EXTRQ/INSERTQ (66 or F2 with 0F 78) carry two immediate bytes.
#define OP_SSE4A_IMM   0x78
#define SSE4A_IMM_SIZE 2

// A read cursor over the instruction bytes.
struct cursor {
    const u8 *bytes;
    int avail;
    int pos;
    int err;
};

// Take `n` (1, 2 or 4) little-endian bytes; on a length problem record it and return 0.
static u32 take(struct cursor *c, int n)
{
    if (c->err)
        return 0;
    if (c->pos + n > INSN_MAX_LEN) {
        c->err = DECODE_ETOOLONG;
        return 0;
    }
    if (c->pos + n > c->avail) {
        c->err = DECODE_ETRUNC;
        return 0;
    }
    u32 v = 0;
    for (int i = 0; i < n; i++)
        v |= (u32)c->bytes[c->pos + i] << (8 * i);
    c->pos += n;
    return v;
}

// Sign-extend the low `size` bytes of v.
static s32 sext(u32 v, int size)
{
    if (size == 1)
        return (s8)v;
    if (size == 2)
        return (s16)v;
    return (s32)v;
}

// Segment-override prefix byte -> segment, or INSN_SEG_NONE if it is not one.
static int seg_prefix(u8 b)
{
    switch (b) {
    case 0x26: return INSN_SEG_ES;
    case 0x2E: return INSN_SEG_CS;
    case 0x36: return INSN_SEG_SS;
    case 0x3E: return INSN_SEG_DS;
    case 0x64: return INSN_SEG_FS;
    case 0x65: return INSN_SEG_GS;
    default:   return INSN_SEG_NONE;
    }
}

// Consume legacy prefixes into *out. Returns the first non-prefix byte (already taken).
static u8 take_prefixes(struct cursor *c, struct insn *out)
{
    for (;;) {
        u8 b = (u8)take(c, 1);
        if (c->err)
            return 0;
        int seg = seg_prefix(b);
        if (seg != INSN_SEG_NONE) {
            out->seg_override = (s8)seg;
            out->prefixes |= INSN_PFX_SEG;
        } else if (b == PREFIX_OPSIZE) {
            out->prefixes |= INSN_PFX_OPSIZE;
        } else if (b == PREFIX_ADDRSIZE) {
            out->prefixes |= INSN_PFX_ADDRSIZE;
        } else if (b == PREFIX_LOCK) {
            out->prefixes |= INSN_PFX_LOCK;
            out->lock = true;
        } else if (b == PREFIX_REP || b == PREFIX_REPNE) {
            out->prefixes |= b == PREFIX_REP ? INSN_PFX_REP : INSN_PFX_REPNE;
            out->rep = b;
        } else {
            return b;
        }
    }
}

// 16-bit addressing: rm -> base/index registers (BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP, BX).
static const s8 rm16_base[8] = { INSN_EBX, INSN_EBX, INSN_EBP, INSN_EBP,
                                 INSN_REG_NONE, INSN_REG_NONE, INSN_EBP, INSN_EBX };
static const s8 rm16_index[8] = { INSN_ESI, INSN_EDI, INSN_ESI, INSN_EDI,
                                  INSN_ESI, INSN_EDI, INSN_REG_NONE, INSN_REG_NONE };

// Decode the memory form of a ModRM with 16-bit addressing.
static void modrm_mem16(struct insn *out)
{
    struct insn_mem *m = &out->mem;
    m->base = rm16_base[out->rm];
    m->index = rm16_index[out->rm];
    if (out->mod == 0 && out->rm == RM16_DISP16) {
        m->base = INSN_REG_NONE;
        out->disp_size = 2;
    } else if (out->mod == MOD_DISP8) {
        out->disp_size = 1;
    } else if (out->mod == MOD_DISP_FULL) {
        out->disp_size = 2;
    }
}

// Decode the memory form of a ModRM with 32-bit addressing (SIB included).
static void modrm_mem32(struct cursor *c, struct insn *out)
{
    struct insn_mem *m = &out->mem;
    m->base = (s8)out->rm;
    if (out->rm == RM_SIB) {
        out->has_sib = true;
        out->sib = (u8)take(c, 1);
        u8 idx = (out->sib >> 3) & 7, base = out->sib & 7;
        m->scale = (u8)(1u << (out->sib >> 6));
        m->index = idx == SIB_NO_INDEX ? INSN_REG_NONE : (s8)idx;
        m->base = (s8)base;
        if (base == SIB_NO_BASE && out->mod == 0) {
            m->base = INSN_REG_NONE;
            out->disp_size = 4;
        }
    } else if (out->rm == RM_DISP32 && out->mod == 0) {
        m->base = INSN_REG_NONE;
        out->disp_size = 4;
    }
    if (out->mod == MOD_DISP8)
        out->disp_size = 1;
    else if (out->mod == MOD_DISP_FULL)
        out->disp_size = 4;
}

// Decode ModRM (and SIB/displacement for memory forms). `regs_only`: MOV CR/DR.
static void take_modrm(struct cursor *c, struct insn *out, bool regs_only)
{
    out->has_modrm = true;
    out->modrm = (u8)take(c, 1);
    out->mod = MODRM_MOD(out->modrm);
    out->reg = MODRM_REG(out->modrm);
    out->rm = MODRM_RM(out->modrm);
    if (regs_only || out->mod == MOD_REG)
        return;
    struct insn_mem *m = &out->mem;
    out->has_mem = true;
    m->index = INSN_REG_NONE;
    m->scale = 1;
    if (out->addrsize == 2)
        modrm_mem16(out);
    else
        modrm_mem32(c, out);
    if (out->disp_size) {
        out->disp = sext(take(c, out->disp_size), out->disp_size);
        m->disp = (u32)out->disp;
    }
    bool stack = m->base == INSN_EBP || m->base == INSN_ESP;
    m->seg = stack ? INSN_SEG_SS : INSN_SEG_DS;
}

// Decode a VEX prefix (C4/C5 already taken) and the opcode after it. Returns the
// attributes of the opcode within its map.
static u16 take_vex(struct cursor *c, struct insn *out, u8 vex)
{
    if (out->prefixes & (INSN_PFX_OPSIZE | INSN_PFX_LOCK | INSN_PFX_REP | INSN_PFX_REPNE)) {
        c->err = DECODE_EINVAL;          // VEX after 66/F0/F2/F3 is #UD
        return A_INV;
    }
    out->prefixes |= INSN_PFX_VEX;
    u8 map = INSN_MAP_0F;
    if (vex == VEX3) {
        // VEX.mmmmm numbers the maps 1 (0F), 2 (0F 38), 3 (0F 3A), as enum insn_map does.
        u8 mmmmm = (u8)take(c, 1) & VEX_MAP_MASK;
        take(c, 1);                      // W vvvv L pp
        if (mmmmm < INSN_MAP_0F || mmmmm > INSN_MAP_0F3A) {
            c->err = DECODE_EINVAL;
            return A_INV;
        }
        map = mmmmm;
    } else {
        take(c, 1);                      // R vvvv L pp
    }
    out->map = map;
    out->opcode = (u8)take(c, 1);
    if (map == INSN_MAP_0F3A)
        return A_M | A_IB;
    if (map == INSN_MAP_0F38)
        return A_M;
    // VEX.0F: every opcode has ModRM except VZEROUPPER/VZEROALL (77).
    if (out->opcode == 0x77)
        return 0;
    return A_M | (map0f[out->opcode] & A_IB);
}

// Take the opcode (through the 0F / 0F 38 / 0F 3A escapes) and return its attributes.
static u16 take_opcode(struct cursor *c, struct insn *out, u8 first)
{
    if (first == VEX3 || first == VEX2) {
        // In 32/16-bit modes C4/C5 are LES/LDS unless the next byte has mod 11.
        if (c->pos < c->avail && MODRM_MOD(c->bytes[c->pos]) == MOD_REG)
            return take_vex(c, out, first);
    }
    if (first != ESCAPE_0F) {
        out->map = INSN_MAP_1;
        out->opcode = first;
        return map1[first];
    }
    u8 op = (u8)take(c, 1);
    if (op == ESCAPE_0F38 || op == ESCAPE_0F3A) {
        out->map = op == ESCAPE_0F38 ? INSN_MAP_0F38 : INSN_MAP_0F3A;
        out->opcode = (u8)take(c, 1);
        return op == ESCAPE_0F38 ? A_M : A_M | A_IB;
    }
    out->map = INSN_MAP_0F;
    out->opcode = op;
    return map0f[op];
}

// Immediate sizes implied by the attributes (and by the ModRM for group 3 / SSE4a).
static void take_imms(struct cursor *c, struct insn *out, u16 attr)
{
    int first = 0, second = 0;
    if (attr & A_IZ)
        first = out->opsize;
    else if (attr & A_IW)
        first = 2;
    else if (attr & A_IB)
        first = 1;
    if ((attr & A_IW) && (attr & A_IB))
        second = ENTER_LEVEL_SIZE;
    if (attr & A_FAR) {
        first = out->opsize;
        second = FAR_SEL_SIZE;
    }
    if ((attr & A_G3) && out->reg <= 1)                 // TEST r/m, imm
        first = out->width;
    if (out->map == INSN_MAP_0F && out->opcode == OP_SSE4A_IMM &&
        !(out->prefixes & INSN_PFX_VEX) &&
        (out->prefixes & (INSN_PFX_OPSIZE | INSN_PFX_REPNE)))
        first = SSE4A_IMM_SIZE;
    if (first) {
        out->imm_size = (u8)first;
        out->imm = take(c, first);
    }
    if (second) {
        out->imm2_size = (u8)second;
        out->imm2 = take(c, second);
    }
}

// Classify group 7 (0F 01): system instructions, several of them intercepted.
static u8 classify_0f01(const struct insn *in)
{
    static const u8 svm[8] = { INSN_VMRUN, INSN_VMMCALL, INSN_VMLOAD, INSN_VMSAVE,
                               INSN_STGI, INSN_CLGI, INSN_SKINIT, INSN_INVLPGA };
    if (in->reg == 4)
        return INSN_SMSW;
    if (in->reg == 6)
        return INSN_LMSW;
    if (in->mod != MOD_REG)
        return in->reg == 7 ? INSN_INVLPG : INSN_OTHER;
    switch (in->reg) {
    case 0: return in->rm == 1 ? INSN_VMCALL : INSN_OTHER;
    case 1: return in->rm == 0 ? INSN_MONITOR : in->rm == 1 ? INSN_MWAIT : INSN_OTHER;
    case 2: return in->rm == 1 ? INSN_XSETBV : INSN_OTHER;
    case 3: return svm[in->rm];
    case 7: return in->rm == 1 ? INSN_RDTSCP : INSN_OTHER;
    default: return INSN_OTHER;
    }
}

// Classify the 0F map.
static u8 classify_0f(struct insn *in)
{
    bool mem = in->has_mem;
    switch (in->opcode) {
    case 0x20: case 0x22:
        in->cr = (u8)(in->reg + (in->lock ? 8 : 0));
        return in->opcode == 0x20 ? INSN_MOV_FROM_CR : INSN_MOV_TO_CR;
    case 0x21: case 0x23:
        in->cr = in->reg;
        return in->opcode == 0x21 ? INSN_MOV_FROM_DR : INSN_MOV_TO_DR;
    case 0x01: return classify_0f01(in);
    case 0x06: return INSN_CLTS;
    case 0x08: return INSN_INVD;
    case 0x09: return INSN_WBINVD;
    case 0x30: return INSN_WRMSR;
    case 0x31: return INSN_RDTSC;
    case 0x32: return INSN_RDMSR;
    case 0x33: return INSN_RDPMC;
    case 0xA2: return INSN_CPUID;
    case 0xB0: case 0xB1: return mem ? INSN_CMPXCHG : INSN_OTHER;
    case 0xC0: case 0xC1: return mem ? INSN_XADD : INSN_OTHER;
    case 0xC7: return mem && in->reg == 1 ? INSN_CMPXCHG8B : INSN_OTHER;
    case 0xAB: case 0xB3: case 0xBB: return mem ? INSN_BITOP : INSN_OTHER;
    case 0xBA: return mem && in->reg >= 5 ? INSN_BITOP : INSN_OTHER;   // BTS/BTR/BTC
    case 0x90 ... 0x9F: return mem ? INSN_SETCC : INSN_OTHER;
    default: return INSN_OTHER;
    }
}

#define ALU_LAST_OPCODE 0x3F
#define ALU_OP_CMP      7

// Classify the one-byte map.
static u8 classify_1(const struct insn *in)
{
    u8 op = in->opcode;
    bool mem = in->has_mem;
    if (op <= ALU_LAST_OPCODE && (op & 7) <= 1)     // ALU r/m, r (CMP writes nothing)
        return mem && (op >> 3) != ALU_OP_CMP ? INSN_ALU : INSN_OTHER;
    switch (op) {
    case 0x80: case 0x81: case 0x82: case 0x83:
        return mem && in->reg != ALU_OP_CMP ? INSN_ALU : INSN_OTHER;
    case 0x88: case 0x89: return mem ? INSN_MOV_STORE : INSN_OTHER;
    case 0xC6: case 0xC7: return mem && in->reg == 0 ? INSN_MOV_STORE : INSN_OTHER;
    case 0xA2: case 0xA3: return INSN_MOV_STORE;
    case 0x86: case 0x87: return mem ? INSN_XCHG : INSN_OTHER;
    case 0xFE: case 0xFF: return mem && in->reg <= 1 ? INSN_INCDEC : INSN_OTHER;
    case 0xF6: case 0xF7: return mem && (in->reg == 2 || in->reg == 3) ? INSN_NOTNEG : INSN_OTHER;
    case 0x8F: return mem ? INSN_POP_MEM : INSN_OTHER;      // only /0 decodes
    case 0xA4: case 0xA5: return INSN_MOVS;
    case 0xAA: case 0xAB: return INSN_STOS;
    case 0xF4: return INSN_HLT;
    case 0xE4: case 0xE5: case 0xEC: case 0xED: return INSN_IN;
    case 0xE6: case 0xE7: case 0xEE: case 0xEF: return INSN_OUT;
    case 0x6C: case 0x6D: return INSN_INS;
    case 0x6E: case 0x6F: return INSN_OUTS;
    case 0x90: return in->rep == PREFIX_REP ? INSN_PAUSE : INSN_OTHER;
    case 0xCC: return INSN_INT3;
    case 0xCD: return INSN_INT;
    case 0xCF: return INSN_IRET;
    default: return INSN_OTHER;
    }
}

#define OP_POP_RM 0x8F   // group 1a: only /0 (POP r/m) is defined

// Is this (opcode, ModRM) combination undefined even though the opcode byte is?
static bool group_invalid(const struct insn *in)
{
    if (in->map != INSN_MAP_1 || (in->prefixes & INSN_PFX_VEX))
        return false;
    switch (in->opcode) {
    case OP_POP_RM: return in->reg != 0;   // 8F /1-/7 is AMD XOP, not decoded
    case 0xFE:      return in->reg > 1;
    case 0xFF:      return in->reg == 7;
    default:        return false;
    }
}

// See decode.h.
int decode_insn(const u8 *bytes, int avail, int default32, struct insn *out)
{
    struct cursor c = { .bytes = bytes, .avail = avail };
    memset(out, 0, sizeof(*out));
    out->seg_override = INSN_SEG_NONE;
    out->mem.base = out->mem.index = INSN_REG_NONE;

    u8 first = take_prefixes(&c, out);
    bool opsize16 = !default32 != !!(out->prefixes & INSN_PFX_OPSIZE);
    bool addrsize16 = !default32 != !!(out->prefixes & INSN_PFX_ADDRSIZE);
    out->opsize = opsize16 ? 2 : 4;
    out->addrsize = addrsize16 ? 2 : 4;
    u16 attr = c.err ? 0 : take_opcode(&c, out, first);
    if (c.err)
        return c.err;
    if (attr & A_INV)
        return DECODE_EINVAL;
    out->width = (attr & A_B) ? 1 : out->opsize;

    if (attr & A_M)
        take_modrm(&c, out, attr & A_CRDR);
    if (attr & A_MOFFS) {
        out->has_mem = true;
        out->mem.scale = 1;
        out->mem.seg = INSN_SEG_DS;
        out->mem.disp = take(&c, out->addrsize);
    }
    take_imms(&c, out, attr);
    if (c.err)
        return c.err;
    if (group_invalid(out))
        return DECODE_EINVAL;
    if (out->has_mem && out->seg_override != INSN_SEG_NONE)
        out->mem.seg = out->seg_override;

    if (out->prefixes & INSN_PFX_VEX)
        out->cls = INSN_OTHER;
    else if (out->map == INSN_MAP_1)
        out->cls = classify_1(out);
    else if (out->map == INSN_MAP_0F)
        out->cls = classify_0f(out);
    out->len = (u8)c.pos;
    return 0;
}

// See decode.h.
u32 decode_ea(const struct insn *insn, const u32 gpr[8])
{
    if (!insn->has_mem)
        return 0;
    const struct insn_mem *m = &insn->mem;
    u32 ea = m->disp;
    if (m->base != INSN_REG_NONE)
        ea += gpr[m->base];
    if (m->index != INSN_REG_NONE)
        ea += gpr[m->index] * m->scale;
    return insn->addrsize == 2 ? ea & 0xFFFF : ea;
}
