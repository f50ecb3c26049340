// decode.h — x86 instruction decoder for 32-bit (and 16-bit) guest code.
//
// The VMM decodes guest instructions itself because TCG gives no next-RIP and no decode
// assists, and because #PF exits on write-protected page tables never carry decode
// information. decode_insn() knows the length of every valid instruction of the one-byte,
// 0F, 0F 38 and 0F 3A maps (and VEX-encoded ones), and fills in the structured fields the
// exit handlers and the write emulator (emulate.h) need.
#pragma once
#include "kernel/types.h"

#define INSN_MAX_LEN 15          // the architectural limit; longer is #GP

// decode_insn() errors (all negative).
#define DECODE_EINVAL  (-1)      // undefined or invalid opcode
#define DECODE_ETRUNC  (-2)      // the bytes end before the instruction does
#define DECODE_ETOOLONG (-3)     // more than INSN_MAX_LEN bytes

// Opcode maps.
enum insn_map { INSN_MAP_1, INSN_MAP_0F, INSN_MAP_0F38, INSN_MAP_0F3A };

// Segment registers, in the order of the SVM VMCB and of emu_regs.seg_base.
enum insn_seg { INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS,
                INSN_SEG_NONE = -1 };

// General registers in encoding order (32-bit names; 16/8-bit forms share the numbers).
enum insn_gpr { INSN_EAX, INSN_ECX, INSN_EDX, INSN_EBX, INSN_ESP, INSN_EBP, INSN_ESI,
                INSN_EDI, INSN_GPR_COUNT, INSN_REG_NONE = -1 };

// Prefix bits in insn.prefixes.
#define INSN_PFX_OPSIZE   BIT(0)   // 66
#define INSN_PFX_ADDRSIZE BIT(1)   // 67
#define INSN_PFX_LOCK     BIT(2)   // F0
#define INSN_PFX_REPNE    BIT(3)   // F2
#define INSN_PFX_REP      BIT(4)   // F3
#define INSN_PFX_SEG      BIT(5)   // any segment override (see seg_override)
#define INSN_PFX_VEX      BIT(6)   // VEX-encoded (C4/C5); map and opcode come from it

// What an instruction is, as far as the VMM cares. Memory-writing classes are set only
// when the destination really is memory (ModRM mod != 3, or a string/moffs form).
enum insn_class {
    INSN_OTHER,
    // Privileged and intercepted instructions.
    INSN_MOV_TO_CR,      // 0F 22: cr = CR number (LOCK adds 8: AMD's CR8 alias), rm = GPR
    INSN_MOV_FROM_CR,    // 0F 20: cr = CR number, rm = destination GPR
    INSN_MOV_TO_DR,      // 0F 23: cr = DR number, rm = GPR
    INSN_MOV_FROM_DR,    // 0F 21
    INSN_CLTS,           // 0F 06
    INSN_LMSW,           // 0F 01 /6 (source is r/m16)
    INSN_SMSW,           // 0F 01 /4 (destination is r/m)
    INSN_INVLPG,         // 0F 01 /7, memory operand only
    INSN_HLT,            // F4
    INSN_CPUID,          // 0F A2
    INSN_RDMSR,          // 0F 32
    INSN_WRMSR,          // 0F 30
    INSN_RDTSC,          // 0F 31
    INSN_RDTSCP,         // 0F 01 F9
    INSN_RDPMC,          // 0F 33
    INSN_INVD,           // 0F 08
    INSN_WBINVD,         // 0F 09
    INSN_IN,             // E4/E5 (port = imm) and EC/ED (port in DX); size = operand width
    INSN_OUT,            // E6/E7, EE/EF
    INSN_INS,            // 6C/6D, rep honoured by the caller
    INSN_OUTS,           // 6E/6F
    INSN_PAUSE,          // F3 90
    INSN_INT3,           // CC
    INSN_INT,            // CD ib
    INSN_IRET,           // CF
    INSN_VMRUN,          // 0F 01 D8
    INSN_VMMCALL,        // 0F 01 D9
    INSN_VMLOAD,         // 0F 01 DA
    INSN_VMSAVE,         // 0F 01 DB
    INSN_STGI,           // 0F 01 DC
    INSN_CLGI,           // 0F 01 DD
    INSN_SKINIT,         // 0F 01 DE
    INSN_INVLPGA,        // 0F 01 DF
    INSN_VMCALL,         // 0F 01 C1 (Intel)
    INSN_MONITOR,        // 0F 01 C8
    INSN_MWAIT,          // 0F 01 C9
    INSN_XSETBV,         // 0F 01 D1
    // Instructions that write a memory operand (what emulate_insn() executes).
    INSN_MOV_STORE,      // 88/89, C6/C7 /0, A2/A3
    INSN_XCHG,           // 86/87 with memory
    INSN_CMPXCHG,        // 0F B0/B1
    INSN_CMPXCHG8B,      // 0F C7 /1
    INSN_XADD,           // 0F C0/C1
    INSN_ALU,            // ADD/OR/ADC/SBB/AND/SUB/XOR r/m,r and 80-83 (not CMP)
    INSN_BITOP,          // BTS/BTR/BTC (0F AB/B3/BB, 0F BA /5-/7)
    INSN_INCDEC,         // FE/FF /0 /1
    INSN_MOVS,           // A4/A5
    INSN_STOS,           // AA/AB
    INSN_NOTNEG,         // F6/F7 /2 (NOT) and /3 (NEG)
    INSN_SETCC,          // 0F 90-9F
    INSN_POP_MEM,        // 8F /0
};

// A ModRM (or moffs) memory operand: seg:[base + index*scale + disp].
struct insn_mem {
    s8 base;             // enum insn_gpr, or INSN_REG_NONE
    s8 index;            // enum insn_gpr, or INSN_REG_NONE
    u8 scale;            // 1, 2, 4 or 8
    s8 seg;              // effective segment: the override, else SS for EBP/ESP/BP bases, else DS
    u32 disp;            // sign-extended displacement (or the moffs offset)
};

struct insn {
    u8 len;              // total length in bytes
    u8 map;              // enum insn_map
    u8 opcode;           // the opcode byte within its map
    u32 prefixes;        // INSN_PFX_* bits
    s8 seg_override;     // enum insn_seg, INSN_SEG_NONE without an override
    bool lock;           // F0
    u8 rep;              // 0, 0xF3 (REP/REPE) or 0xF2 (REPNE): the last of them wins
    u8 opsize;           // operand size: 2 or 4 (CS.D xor 66)
    u8 addrsize;         // address size: 2 or 4 (CS.D xor 67)
    u8 width;            // width of the main operand in bytes: 1 for byte forms, else opsize
    bool has_modrm;
    u8 modrm, mod, reg, rm;
    bool has_sib;
    u8 sib;
    u8 disp_size;        // 0, 1, 2 or 4
    s32 disp;            // sign-extended
    u8 imm_size;         // 0, 1, 2 or 4 bytes of the first immediate (raw, zero-extended)
    u32 imm;
    u8 imm2_size;        // second immediate: ENTER's level (1) or a far pointer's selector (2)
    u32 imm2;
    bool has_mem;        // mem is valid (ModRM with mod != 3, or A0-A3 moffs)
    struct insn_mem mem;
    u8 cls;              // enum insn_class
    u8 cr;               // CR/DR number for MOV CR/DR
};

// Decode one instruction from `bytes` (`avail` of them readable). `default32` is CS.D
// (1: 32-bit code segment, 0: 16-bit). Returns 0 and fills *out, or a DECODE_E* error.
int decode_insn(const u8 *bytes, int avail, int default32, struct insn *out);

// The effective address (segment offset) of the memory operand, wrapped to 16 bits for
// 16-bit addressing. 0 when the instruction has no memory operand.
u32 decode_ea(const struct insn *insn, const u32 gpr[8]);
