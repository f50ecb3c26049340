// devprog.h — a PC's device models wired as vm.c wires them, driven by a fuzzed program.
//
// The input is a program of operations run against one instance of every device model
// (PIC, PIT, UART, RTC, KBC, system ports, empty IDE, PCI) on one iobus: port reads and
// writes of size 1, 2 or 4, time advancing with the PIT/RTC ticks the VM loop would make,
// interrupt acknowledges, UART receive bytes and raw IRQ line changes. A harness names the
// ports it cares about (`focus`); most port operations pick one of them, the rest pick a
// claimed port or any port. Invariants checked: IRQ numbers stay 0-15, INTA vectors are
// bytes, reads return no bits beyond their size, the next timer event is never in the
// past once ticked, and the iobus ownership table stays consistent with its ranges.
#pragma once
#include "kernel/types.h"

// One operation's first byte: the low 3 bits pick the kind.
enum devprog_op { DP_IO_A, DP_IO_B, DP_IO_C, DP_IO_D, DP_TIME, DP_INTA, DP_RX, DP_IRQ, DP_NOPS };
// For the I/O kinds: bits 3-4 size (1, 2, 4, 1), bit 5 write, bits 6-7 port choice.
#define DP_SIZE(op)    (((op) >> 3) & 3)
#define DP_WRITE       0x20
#define DP_PORT(op)    ((op) >> 6)
enum devprog_port { DP_PORT_FOCUS, DP_PORT_FOCUS2, DP_PORT_CLAIMED, DP_PORT_RAW };

// Run `data` as a program against a fresh machine; `focus` lists `nfocus` ports.
void devprog_run(const u8 *data, unsigned long len, const u16 *focus, int nfocus);
// Seed programs, built from named operations (ports written in full, as DP_PORT_RAW).
struct dpseed { u8 b[1024]; int n; };
void dps_out(struct dpseed *s, u16 port, int size, u32 val);
void dps_in(struct dpseed *s, u16 port, int size);
void dps_time(struct dpseed *s, u8 kind, u16 step);   // see advance() for `kind`
void dps_op(struct dpseed *s, enum devprog_op op, u8 arg);   // DP_INTA, DP_RX, DP_IRQ
void dps_pic_init(struct dpseed *s);    // both PICs programmed as Linux does, all unmasked
void dps_add(const struct dpseed *s);   // hand the program to the driver as a seed
// Give the driver dictionary tokens for accesses to each focus port (byte out/in forms).
void devprog_tokens(const u16 *focus, int nfocus);
