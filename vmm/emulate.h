// emulate.h — executes one decoded guest instruction that writes memory.
//
// Used when a guest store hits a write-protected page (its own page tables under shadow
// paging): the #PF exit carries no decode information, so the VMM decodes the instruction
// (decode.h) and performs it here against the guest's registers and memory callbacks.
//
// Supported (memory destination only): MOV 88/89, C6/C7 /0, A2/A3; XCHG 86/87; CMPXCHG
// 0F B0/B1; CMPXCHG8B 0F C7 /1; XADD 0F C0/C1; ADD/OR/ADC/SBB/AND/SUB/XOR r/m,r and
// 80/81/82/83; BTS/BTR/BTC 0F AB/B3/BB and 0F BA /5-/7; INC/DEC FE/FF /0-/1; MOVS A4/A5 and
// STOS AA/AB with or without REP; NOT/NEG F6/F7 /2-/3; SETcc 0F 90-9F; POP 8F /0; byte,
// word (66) and dword sizes; 16-bit addressing.
//
// Semantics the caller must know:
// - Every memory access goes through the callbacks with the exact size the instruction
//   uses (1, 2, 4, or 8 for CMPXCHG8B) at its linear address, even when it crosses a page;
//   the callbacks split and translate as they need.
// - LOCK and XCHG's implicit lock are not made atomic here: the read and the write are two
//   callbacks. The caller must keep other vCPUs off the page meanwhile (or run one vCPU).
// - CMPXCHG/CMPXCHG8B whose comparison fails do not write (the CPU writes the old value
//   back; that changes nothing but would show up as a needless page-table update).
// - REP MOVS/STOS run iterations while the destination stays in the page where the first
//   destination element starts; if the count is not exhausted there, EIP is left on the
//   instruction (ECX/ESI/EDI hold the progress) so the guest re-executes it and the next
//   page is written natively or traps again. This bounds one exit to one page of work.
// - Segment limits, access rights, alignment checks and IOPL are not checked: the guest
//   executed the instruction up to its page fault, so those checks already passed.
#pragma once
#include "kernel/types.h"
#include "vmm/decode.h"

// Results of emulate_insn().
#define EMU_OK           0
#define EMU_FAULT        (-1)   // a callback failed: state kept as far as it got
#define EMU_UNSUPPORTED  (-2)   // not an instruction this emulator executes; nothing done

// EFLAGS bits the emulator reads or writes.
#define EMU_FLAG_CF BIT(0)
#define EMU_FLAG_PF BIT(2)
#define EMU_FLAG_AF BIT(4)
#define EMU_FLAG_ZF BIT(6)
#define EMU_FLAG_SF BIT(7)
#define EMU_FLAG_DF BIT(10)
#define EMU_FLAG_OF BIT(11)
#define EMU_FLAGS_ARITH (EMU_FLAG_CF | EMU_FLAG_PF | EMU_FLAG_AF | EMU_FLAG_ZF | \
                         EMU_FLAG_SF | EMU_FLAG_OF)

// The guest state the emulator works on. gpr in encoding order (enum insn_gpr),
// seg_base in enum insn_seg order. default32 is CS.D (it decides EIP wrap at 64 KiB);
// stack32 is SS.B (POP uses ESP, else SP).
struct emu_regs {
    u32 gpr[8];          // EAX ECX EDX EBX ESP EBP ESI EDI
    u32 eip;
    u32 eflags;
    u32 seg_base[6];     // ES CS SS DS FS GS
    int default32;
    int stack32;
};

// Guest memory by linear address. Each returns 0, or a negative value meaning "fault:
// stop here"; the callback itself records what the caller needs to inject the #PF.
struct emu_mem {
    void *ctx;
    int (*read)(void *ctx, u32 linear, void *buf, int len);
    int (*write)(void *ctx, u32 linear, const void *buf, int len);
};

// Execute one decoded instruction. EMU_OK: done, EIP advanced past it (or left on a REP
// instruction that still has iterations to run, see above), flags as the CPU sets them.
// EMU_FAULT: a callback failed; registers hold the completed REP iterations, EIP is not
// advanced and nothing of a single (non-REP) instruction is committed to registers.
// EMU_UNSUPPORTED: nothing was done.
int emulate_insn(const struct insn *insn, struct emu_regs *regs, const struct emu_mem *mem);
