// emulate.c — executes one decoded memory-writing instruction (see emulate.h).
#include "vmm/emulate.h"

#define PAGE_SHIFT   12
#define IP16_MASK    0xFFFFu     // IP and 16-bit addresses wrap at 64 KiB
#define AF_BIT       0x10u       // carry out of bit 3
#define QWORD        8           // CMPXCHG8B operand size
#define DWORD_BITS   32

// Internal result of a REP string instruction that stopped at a page boundary.
#define STRING_MORE  1

// The ALU operations, numbered as the 00-3F opcode rows and the group-1 /reg field.
enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

// Bit operations as 0F BA /reg numbers them (the register forms map onto these too).
enum bit_op { BIT_BTS = 5, BIT_BTR = 6, BIT_BTC = 7 };

// All-ones for an operand of `size` bytes (1, 2 or 4).
static u32 size_mask(int size)
{
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

// The sign bit of an operand of `size` bytes.
static u32 sign_bit(int size)
{
    return 1u << (8 * size - 1);
}

// Read general register `reg` at `size` bytes (byte registers 4-7 are AH, CH, DH, BH).
static u32 reg_get(const struct emu_regs *r, int reg, int size)
{
    if (size == 1)
        return reg < 4 ? r->gpr[reg] & 0xFF : (r->gpr[reg - 4] >> 8) & 0xFF;
    return r->gpr[reg] & size_mask(size);
}

// Write general register `reg` at `size` bytes, keeping the bytes it does not cover.
static void reg_set(struct emu_regs *r, int reg, int size, u32 val)
{
    if (size == 1) {
        int shift = reg < 4 ? 0 : 8;
        u32 *g = &r->gpr[reg & 3];
        *g = (*g & ~(0xFFu << shift)) | ((val & 0xFF) << shift);
        return;
    }
    u32 m = size_mask(size);
    r->gpr[reg] = (r->gpr[reg] & ~m) | (val & m);
}

// Load `size` (1, 2, 4) bytes at `linear`, little-endian.
static int load(const struct emu_mem *mem, u32 linear, int size, u32 *val)
{
    u8 b[4];
    if (mem->read(mem->ctx, linear, b, size) < 0)
        return EMU_FAULT;
    *val = 0;
    for (int i = 0; i < size; i++)
        *val |= (u32)b[i] << (8 * i);
    return EMU_OK;
}

// Store `size` (1, 2, 4) bytes at `linear`, little-endian, as one callback.
static int store(const struct emu_mem *mem, u32 linear, int size, u32 val)
{
    u8 b[4];
    for (int i = 0; i < size; i++)
        b[i] = (u8)(val >> (8 * i));
    return mem->write(mem->ctx, linear, b, size) < 0 ? EMU_FAULT : EMU_OK;
}

// PF: set when the low byte of the result has an even number of ones.
static u32 parity_flag(u32 v)
{
    v &= 0xFF;
    v ^= v >> 4;
    v ^= v >> 2;
    v ^= v >> 1;
    return (v & 1) ? 0 : EMU_FLAG_PF;
}

// ZF, SF and PF of a result.
static u32 flags_szp(u32 res, int size)
{
    u32 f = parity_flag(res);
    if ((res & size_mask(size)) == 0)
        f |= EMU_FLAG_ZF;
    if (res & sign_bit(size))
        f |= EMU_FLAG_SF;
    return f;
}

// a OP b at `size` bytes; sets the six arithmetic flags in *eflags as the CPU does
// (AF is left clear for the logical operations, where it is undefined).
static u32 alu(int op, u32 a, u32 b, int size, u32 *eflags)
{
    u32 mask = size_mask(size), sign = sign_bit(size);
    u32 carry = (*eflags & EMU_FLAG_CF) ? 1 : 0;
    u32 res, f = 0;
    a &= mask;
    b &= mask;
    switch (op) {
    case ALU_ADD:
    case ALU_ADC: {
        u64 wide = (u64)a + b + (op == ALU_ADC ? carry : 0);
        res = (u32)wide & mask;
        if (wide > mask)
            f |= EMU_FLAG_CF;
        if ((a ^ res) & (b ^ res) & sign)
            f |= EMU_FLAG_OF;
        f |= (a ^ b ^ res) & AF_BIT ? EMU_FLAG_AF : 0;
        break;
    }
    case ALU_SUB:
    case ALU_SBB:
    case ALU_CMP: {
        u32 borrow = op == ALU_SBB ? carry : 0;
        res = (a - b - borrow) & mask;
        if ((u64)a < (u64)b + borrow)
            f |= EMU_FLAG_CF;
        if ((a ^ b) & (a ^ res) & sign)
            f |= EMU_FLAG_OF;
        f |= (a ^ b ^ res) & AF_BIT ? EMU_FLAG_AF : 0;
        break;
    }
    case ALU_OR:  res = a | b; break;
    case ALU_AND: res = a & b; break;
    default:      res = a ^ b; break;       // ALU_XOR
    }
    *eflags = (*eflags & ~(u32)EMU_FLAGS_ARITH) | f | flags_szp(res, size);
    return res;
}

// Linear address of the instruction's ModRM/moffs memory operand.
static u32 operand_linear(const struct insn *in, const struct emu_regs *r)
{
    return r->seg_base[in->mem.seg] + decode_ea(in, r->gpr);
}

#define OP_MOV_RM_IMM8   0xC6
#define OP_MOV_RM_IMM    0xC7
#define OP_MOV_MOFFS_AL  0xA2
#define OP_MOV_MOFFS_EAX 0xA3

// MOV r/m,r; MOV r/m,imm; MOV moffs,AL/eAX.
static int emu_mov(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    u32 val;
    if (in->opcode == OP_MOV_RM_IMM8 || in->opcode == OP_MOV_RM_IMM)
        val = in->imm;
    else if (in->opcode == OP_MOV_MOFFS_AL || in->opcode == OP_MOV_MOFFS_EAX)
        val = reg_get(r, INSN_EAX, in->width);
    else
        val = reg_get(r, in->reg, in->width);
    return store(m, operand_linear(in, r), in->width, val);
}

// XCHG r/m,r: the register gets the old memory value once the store succeeded.
static int emu_xchg(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    u32 lin = operand_linear(in, r), old;
    if (load(m, lin, in->width, &old))
        return EMU_FAULT;
    if (store(m, lin, in->width, reg_get(r, in->reg, in->width)))
        return EMU_FAULT;
    reg_set(r, in->reg, in->width, old);
    return EMU_OK;
}

// CMPXCHG r/m,r: compare with AL/AX/EAX; equal stores r, else loads the accumulator.
static int emu_cmpxchg(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    u32 lin = operand_linear(in, r), dest, flags = r->eflags;
    if (load(m, lin, in->width, &dest))
        return EMU_FAULT;
    u32 acc = reg_get(r, INSN_EAX, in->width);
    alu(ALU_CMP, acc, dest, in->width, &flags);
    if (acc == dest) {
        if (store(m, lin, in->width, reg_get(r, in->reg, in->width)))
            return EMU_FAULT;
    } else {
        reg_set(r, INSN_EAX, in->width, dest);
    }
    r->eflags = flags;
    return EMU_OK;
}

// CMPXCHG8B m64: compare with EDX:EAX; equal stores ECX:EBX, else loads EDX:EAX. Only ZF.
static int emu_cmpxchg8b(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    u32 lin = operand_linear(in, r);
    u8 b[QWORD];
    if (m->read(m->ctx, lin, b, QWORD) < 0)
        return EMU_FAULT;
    u64 dest = 0;
    for (int i = 0; i < QWORD; i++)
        dest |= (u64)b[i] << (8 * i);
    u64 cmp = (u64)r->gpr[INSN_EDX] << DWORD_BITS | r->gpr[INSN_EAX];
    if (dest == cmp) {
        u64 val = (u64)r->gpr[INSN_ECX] << DWORD_BITS | r->gpr[INSN_EBX];
        for (int i = 0; i < QWORD; i++)
            b[i] = (u8)(val >> (8 * i));
        if (m->write(m->ctx, lin, b, QWORD) < 0)
            return EMU_FAULT;
        r->eflags |= EMU_FLAG_ZF;
    } else {
        r->gpr[INSN_EAX] = (u32)dest;
        r->gpr[INSN_EDX] = (u32)(dest >> DWORD_BITS);
        r->eflags &= ~(u32)EMU_FLAG_ZF;
    }
    return EMU_OK;
}

// XADD r/m,r: memory gets the sum, the register the old memory value; flags of the ADD.
static int emu_xadd(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    u32 lin = operand_linear(in, r), dest, flags = r->eflags;
    if (load(m, lin, in->width, &dest))
        return EMU_FAULT;
    u32 sum = alu(ALU_ADD, dest, reg_get(r, in->reg, in->width), in->width, &flags);
    if (store(m, lin, in->width, sum))
        return EMU_FAULT;
    reg_set(r, in->reg, in->width, dest);
    r->eflags = flags;
    return EMU_OK;
}

#define OP_GRP1_IMM8SX 0x83      // group 1 with a sign-extended 8-bit immediate
#define OP_GRP1_FIRST  0x80

// ADD/OR/ADC/SBB/AND/SUB/XOR with a memory destination (00-3F r/m,r and 80-83).
static int emu_alu(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    int op;
    u32 src;
    if (in->opcode < OP_GRP1_FIRST) {
        op = in->opcode >> 3;
        src = reg_get(r, in->reg, in->width);
    } else {
        op = in->reg;
        src = in->opcode == OP_GRP1_IMM8SX ? (u32)(s32)(s8)in->imm : in->imm;
    }
    u32 lin = operand_linear(in, r), dest, flags = r->eflags;
    if (load(m, lin, in->width, &dest))
        return EMU_FAULT;
    u32 res = alu(op, dest, src, in->width, &flags);
    if (store(m, lin, in->width, res))
        return EMU_FAULT;
    r->eflags = flags;
    return EMU_OK;
}

// INC/DEC r/m: ADD/SUB 1 that leave CF alone.
static int emu_incdec(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    u32 lin = operand_linear(in, r), dest, flags = r->eflags;
    if (load(m, lin, in->width, &dest))
        return EMU_FAULT;
    u32 res = alu(in->reg == 0 ? ALU_ADD : ALU_SUB, dest, 1, in->width, &flags);
    if (store(m, lin, in->width, res))
        return EMU_FAULT;
    r->eflags = (flags & ~(u32)EMU_FLAG_CF) | (r->eflags & EMU_FLAG_CF);
    return EMU_OK;
}

#define OP_BT_IMM 0xBA
#define OP_BTS_R  0xAB
#define OP_BTR_R  0xB3

// BTS/BTR/BTC: CF gets the old bit. A register bit offset is signed and selects an
// operand-sized word away from the addressed one, as the CPU does; an immediate offset
// is taken modulo the operand width. The other flags are left as they were.
static int emu_bitop(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    int size = in->opsize, bits = size * 8;
    int shift = size == 4 ? 5 : 4;               // log2(bits)
    u32 ea = decode_ea(in, r->gpr);
    int op, pos;
    if (in->opcode == OP_BT_IMM) {
        op = in->reg;
        pos = (int)(in->imm & (u32)(bits - 1));
    } else {
        op = in->opcode == OP_BTS_R ? BIT_BTS : in->opcode == OP_BTR_R ? BIT_BTR : BIT_BTC;
        u32 raw = reg_get(r, in->reg, size);
        s32 off = size == 4 ? (s32)raw : (s16)raw;
        ea += (u32)((off >> shift) * size);      // arithmetic shift: floor division
        pos = off & (bits - 1);
        if (in->addrsize == 2)
            ea &= IP16_MASK;
    }
    u32 lin = r->seg_base[in->mem.seg] + ea, val;
    if (load(m, lin, size, &val))
        return EMU_FAULT;
    u32 bit = 1u << pos;
    u32 nval = op == BIT_BTS ? val | bit : op == BIT_BTR ? val & ~bit : val ^ bit;
    if (store(m, lin, size, nval))
        return EMU_FAULT;
    r->eflags = (r->eflags & ~(u32)EMU_FLAG_CF) | ((val & bit) ? EMU_FLAG_CF : 0);
    return EMU_OK;
}

#define GRP3_NEG 3        // F6/F7 /3; /2 is NOT

// NOT r/m (no flags) and NEG r/m (the flags of 0 - r/m: CF set unless it was 0).
static int emu_notneg(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    u32 lin = operand_linear(in, r), dest, flags = r->eflags;
    if (load(m, lin, in->width, &dest))
        return EMU_FAULT;
    u32 res = in->reg == GRP3_NEG ? alu(ALU_SUB, 0, dest, in->width, &flags) : ~dest;
    if (store(m, lin, in->width, res))
        return EMU_FAULT;
    r->eflags = flags;
    return EMU_OK;
}

// Conditions as the low nibble of Jcc/SETcc numbers them, in even/odd pairs where the odd
// one is the negation: O, B, E, BE, S, P, L, LE.
enum cond { COND_O, COND_B = 2, COND_E = 4, COND_BE = 6, COND_S = 8, COND_P = 10,
            COND_L = 12, COND_LE = 14 };
#define COND_NEGATE 1

// Does condition `cc` (0-15) hold for these flags?
static bool cond_holds(int cc, u32 f)
{
    bool cf = f & EMU_FLAG_CF, zf = f & EMU_FLAG_ZF, sf = f & EMU_FLAG_SF;
    bool of = f & EMU_FLAG_OF, pf = f & EMU_FLAG_PF, v;
    switch (cc & ~COND_NEGATE) {
    case COND_O:  v = of; break;
    case COND_B:  v = cf; break;
    case COND_E:  v = zf; break;
    case COND_BE: v = cf || zf; break;
    case COND_S:  v = sf; break;
    case COND_P:  v = pf; break;
    case COND_L:  v = sf != of; break;
    default:      v = zf || sf != of; break;    // COND_LE
    }
    return (cc & COND_NEGATE) ? !v : v;
}

#define COND_MASK 0xF

// SETcc r/m8: store 1 if the condition holds, else 0.
static int emu_setcc(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    return store(m, operand_linear(in, r), 1, cond_holds(in->opcode & COND_MASK, r->eflags));
}

// POP r/m: read SS:(E)SP (SP alone on a 16-bit stack), then store at the destination,
// whose address uses ESP already incremented as the CPU computes it. ESP is committed
// only once the store succeeded.
static int emu_pop(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    int w = in->opsize, ss = r->stack32 ? 4 : 2;
    u32 sp = reg_get(r, INSN_ESP, ss), val;
    if (load(m, r->seg_base[INSN_SEG_SS] + sp, w, &val))
        return EMU_FAULT;
    struct emu_regs after = *r;
    reg_set(&after, INSN_ESP, ss, sp + (u32)w);
    u32 lin = after.seg_base[in->mem.seg] + decode_ea(in, after.gpr);
    if (store(m, lin, w, val))
        return EMU_FAULT;
    r->gpr[INSN_ESP] = after.gpr[INSN_ESP];
    return EMU_OK;
}

// MOVS/STOS with or without REP (F2 and F3 both repeat these). Destination ES:(E)DI,
// source seg:(E)SI with DS unless overridden. (E)CX/(E)SI/(E)DI are updated at the
// address size (16-bit keeps the high halves) after every completed iteration, so a
// fault leaves the progress the CPU would. Returns STRING_MORE when a REP stopped at the
// end of the first destination page with iterations left.
static int emu_string(const struct insn *in, struct emu_regs *r, const struct emu_mem *m)
{
    int w = in->width, as = in->addrsize;
    u32 amask = size_mask(as);
    bool rep = in->rep != 0, movs = in->cls == INSN_MOVS;
    int src_seg = in->seg_override != INSN_SEG_NONE ? in->seg_override : INSN_SEG_DS;
    u32 delta = (r->eflags & EMU_FLAG_DF) ? (u32)-w : (u32)w;
    u32 count = rep ? r->gpr[INSN_ECX] & amask : 1;
    u32 es = r->seg_base[INSN_SEG_ES];
    u32 first_page = (es + (r->gpr[INSN_EDI] & amask)) >> PAGE_SHIFT;
    while (count) {
        u32 di = r->gpr[INSN_EDI] & amask, si = r->gpr[INSN_ESI] & amask, val;
        if (movs) {
            if (load(m, r->seg_base[src_seg] + si, w, &val))
                return EMU_FAULT;
        } else {
            val = reg_get(r, INSN_EAX, w);
        }
        if (store(m, es + di, w, val))
            return EMU_FAULT;
        reg_set(r, INSN_EDI, as, di + delta);
        if (movs)
            reg_set(r, INSN_ESI, as, si + delta);
        if (!rep)
            break;
        reg_set(r, INSN_ECX, as, --count);
        u32 next = es + (r->gpr[INSN_EDI] & amask);
        if (count && (next >> PAGE_SHIFT) != first_page)
            return STRING_MORE;
    }
    return EMU_OK;
}

// See emulate.h.
int emulate_insn(const struct insn *insn, struct emu_regs *regs, const struct emu_mem *mem)
{
    int rc;
    switch (insn->cls) {
    case INSN_MOV_STORE: rc = emu_mov(insn, regs, mem); break;
    case INSN_XCHG:      rc = emu_xchg(insn, regs, mem); break;
    case INSN_CMPXCHG:   rc = emu_cmpxchg(insn, regs, mem); break;
    case INSN_CMPXCHG8B: rc = emu_cmpxchg8b(insn, regs, mem); break;
    case INSN_XADD:      rc = emu_xadd(insn, regs, mem); break;
    case INSN_ALU:       rc = emu_alu(insn, regs, mem); break;
    case INSN_INCDEC:    rc = emu_incdec(insn, regs, mem); break;
    case INSN_BITOP:     rc = emu_bitop(insn, regs, mem); break;
    case INSN_NOTNEG:    rc = emu_notneg(insn, regs, mem); break;
    case INSN_SETCC:     rc = emu_setcc(insn, regs, mem); break;
    case INSN_POP_MEM:   rc = emu_pop(insn, regs, mem); break;
    case INSN_MOVS:
    case INSN_STOS:      rc = emu_string(insn, regs, mem); break;
    default:             return EMU_UNSUPPORTED;
    }
    if (rc == STRING_MORE)
        return EMU_OK;
    if (rc == EMU_OK) {
        u32 eip = regs->eip + insn->len;
        regs->eip = regs->default32 ? eip : eip & IP16_MASK;
    }
    return rc;
}
