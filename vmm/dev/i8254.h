// i8254.h — the 8254 programmable interval timer and the port 0x61 gate/out glue.
//
// Three counters clocked at 1.193182 MHz, derived from the VM's clock (devenv.now_ns) so
// that the PIT, the RTC and the guest's TSC agree. Counter 0 drives IRQ 0; counter 1 is
// the (unused) refresh timer; counter 2's gate and output appear in port 0x61 (speaker,
// and the TSC calibration loops of every Linux). Interrupts are not pushed by a host
// timer: the VM asks i8254_next_event_ns when IRQ 0 is due and calls i8254_tick then.
//
// Catch-up policy: if the VM calls i8254_tick late, past several periodic edges (modes
// 2 and 3), IRQ 0 gets ONE edge for all of them and the next edge is the first period
// boundary after `now`, on the original grid (the counter keeps its phase, so counter
// reads stay consistent with the interrupts). Missed ticks are dropped, never replayed:
// Linux 6.1 (one-shot, mode 4, TSC clocksource) and 2.6 (lost-tick accounting from the
// TSC/PIT) keep time from their clocksource; a burst of stale ticks would only make a
// guest that counts ticks (2.4 jiffies) run its timers late in bursts instead of losing
// the time outright.
#pragma once
#include "kernel/types.h"
#include "vmm/dev/dev.h"
#include "vmm/dev/iobus.h"

#define I8254_PORT       0x40      // counters 0-2 at 0x40-0x42, control word at 0x43
#define I8254_PORT61     0x61      // NMI status and control (PIIX): gate 2, out 2
#define I8254_IRQ        0
#define I8254_HZ         1193182ULL

// Control word (port 0x43)
#define I8254_CW_BCD       0x01
#define I8254_CW_MODE(v)   (((v) >> 1) & 7)
#define I8254_CW_RW(v)     (((v) >> 4) & 3)   // 0 latch, 1 LSB, 2 MSB, 3 LSB then MSB
#define I8254_CW_SC(v)     (((v) >> 6) & 3)   // counter select; 3 = read-back
#define I8254_RW_LATCH     0
#define I8254_RW_LSB       1
#define I8254_RW_MSB       2
#define I8254_RW_WORD      3
// Read-back command (SC = 3)
#define I8254_RB_NOCOUNT   0x20    // 0 = latch the counts
#define I8254_RB_NOSTATUS  0x10    // 0 = latch the status
#define I8254_RB_CNT(n)    (0x02 << (n))
// Status byte
#define I8254_ST_OUT       0x80
#define I8254_ST_NULL      0x40    // the written count is not loaded yet
// Port 0x61
#define I8254_P61_GATE2    0x01
#define I8254_P61_SPKR     0x02
#define I8254_P61_RW       0x0f    // the writable bits (gate, speaker, parity/IOCHK enables)
#define I8254_P61_REFRESH  0x10    // toggles with every DRAM refresh (counter 1, ~15 us)
#define I8254_P61_OUT2     0x20
#define I8254_REFRESH_TICKS 18     // the refresh period a BIOS programs, in PIT ticks

struct i8254_channel {
    u8 mode, rw, bcd;         // from the control word (modes 6, 7 folded to 2, 3)
    u8 read_msb, write_msb;   // next byte of a word read/write is the MSB
    u8 write_lsb;             // the LSB of a word write in progress
    u8 latch_bytes;           // latched count bytes left to read (0, 1 or 2)
    bool latch_msb;           // the next latched byte is the MSB
    u16 latched;
    bool status_latched;
    u8 status;
    u32 count;                // the period: 1..0x10000 (BCD 1..10000)
    bool loaded;              // a count was written since the control word
    bool gate;
    bool running;             // counting: elapsed = now - base; else elapsed = frozen
    u64 base, frozen;         // in PIT ticks
    bool pending;             // modes 2/3: a new count takes over at pending_at
    u32 pending_count;
    u64 pending_at;
};

struct i8254 {
    struct devenv env;
    struct i8254_channel ch[3];
    u8 port61;                // the writable bits of port 0x61
    u64 irq_next;             // PIT tick of the next IRQ 0 edge, or UINT64_MAX
};

// Create the PIT as firmware leaves it: counters unprogrammed, no IRQ 0 until the guest
// programs counter 0, gate 2 low.
struct i8254 *i8254_create(const struct devenv *env);
void i8254_destroy(struct i8254 *pit);
// Claim 0x40-0x43 and 0x61 on `bus`.
bool i8254_attach(struct i8254 *pit, struct iobus *bus);
// The earliest VM time (ns) at which IRQ 0 must be raised, or UINT64_MAX.
u64 i8254_next_event_ns(struct i8254 *pit);
// Raise the IRQ 0 edge due by `now` (see the catch-up policy above).
void i8254_tick(struct i8254 *pit, u64 now);
