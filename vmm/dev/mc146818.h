// mc146818.h — the MC146818A real-time clock and CMOS RAM (ports 0x70/0x71, IRQ 8).
//
// Time of day: the host's wall clock at creation (seconds since 1970) advanced by the
// VM's clock (devenv.now_ns), so it runs at the same rate as the PIT and the guest TSC.
// The update cycle is real: each second ends with REG_A.UIP high for its last 2.228 ms
// (see MC146818_UIP_NS), then the time registers show the next second (2.4 and 2.6 spin
// on both edges; 6.1 retries while it is high). The
// guest may set the time (REG_B.SET, writes to the time registers) and stop/restart the
// divider (REG_A.DV: the first update then comes 500 ms after the restart).
// Interrupts on IRQ 8: periodic (REG_A rate), alarm and update-ended; REG_C holds the
// flags and reading it clears them and releases the line. Flags are sets, not counts:
// if the VM polls late, several missed periodic interrupts become one.
// CMOS RAM holds the memory sizes for the VM's RAM and says: no floppy, no hard disk.
#pragma once
#include "kernel/types.h"
#include "vmm/dev/dev.h"
#include "vmm/dev/iobus.h"

#define MC146818_PORT 0x70   // index (bit 7: NMI mask, ignored); 0x71 data
#define MC146818_IRQ  8

// Registers
#define MC146818_SEC        0x00
#define MC146818_SEC_ALARM  0x01
#define MC146818_MIN        0x02
#define MC146818_MIN_ALARM  0x03
#define MC146818_HOUR       0x04
#define MC146818_HOUR_ALARM 0x05
#define MC146818_WDAY       0x06   // 1 = Sunday
#define MC146818_MDAY       0x07
#define MC146818_MONTH      0x08
#define MC146818_YEAR       0x09
#define MC146818_REG_A      0x0a
#define MC146818_REG_B      0x0b
#define MC146818_REG_C      0x0c
#define MC146818_REG_D      0x0d
#define MC146818_FLOPPY     0x10   // drive types: 0 = none
#define MC146818_DISKS      0x12   // hard disk types: 0 = none (2.4 trusts this)
#define MC146818_BASE_LO    0x15   // base memory in KiB
#define MC146818_EXT_LO     0x17   // memory above 1 MiB in KiB (capped at 0xffff)
#define MC146818_CSUM_HI    0x2e   // checksum of 0x10-0x2d, big-endian
#define MC146818_EXT2_LO    0x30   // the same, as POST reports it
#define MC146818_CENTURY    0x32
#define MC146818_HIGH_LO    0x34   // memory above 16 MiB in 64 KiB units (capped)
// REG_A
#define MC146818_A_UIP      0x80
#define MC146818_A_DV       0x70   // divider: 010 = 32.768 kHz running, 11x = reset
#define MC146818_A_DV_RUN   0x20
#define MC146818_A_RS       0x0f   // periodic rate select
// REG_B
#define MC146818_B_SET      0x80
#define MC146818_B_PIE      0x40
#define MC146818_B_AIE      0x20
#define MC146818_B_UIE      0x10
#define MC146818_B_SQWE     0x08
#define MC146818_B_DM       0x04   // binary (else BCD)
#define MC146818_B_24H      0x02
#define MC146818_B_DSE      0x01
// REG_C
#define MC146818_C_IRQF     0x80
#define MC146818_C_PF       0x40
#define MC146818_C_AF       0x20
#define MC146818_C_UF       0x10
// REG_D
#define MC146818_D_VRT      0x80   // valid RAM and time
#define MC146818_ALARM_ANY  0xc0   // an alarm byte of 11xxxxxx matches every value
#define MC146818_HOUR_PM    0x80   // 12-hour mode

// UIP rises 244 us before the update (tBUC) and stays up through the 1984 us update
// cycle (tUC at 32.768 kHz); the registers show the new second when it falls.
#define MC146818_UIP_NS     (244000ULL + 1984000ULL)

// Guest-triggered log lines, each logged once per VM so a loop cannot flood the console.
#define MC146818_LOGGED_DIVIDER  0x01
#define MC146818_LOGGED_DSE      0x02
#define MC146818_LOGGED_READONLY 0x04

struct mc146818 {
    struct devenv env;
    u8 cmos[128];             // time registers as last updated, A-D, RAM
    u8 index;
    s64 base_ns;              // VM time at which second `base_sec` began
    s64 base_sec;             // seconds since 1970
    s64 shown_sec;            // the second the time registers hold
    u64 pf_index;             // periodic boundaries already flagged
    bool irq_level;
    u8 logged;                // MC146818_LOGGED_* lines already logged (once each per VM)
};

// Create the RTC: time `epoch_s` (seconds since 1970, UTC) now, in BCD 24-hour mode
// as PC firmware sets it; CMOS memory sizes from `ram_bytes`.
struct mc146818 *mc146818_create(const struct devenv *env, u64 epoch_s, u64 ram_bytes);
void mc146818_destroy(struct mc146818 *rtc);
// Claim 0x70-0x71 on `bus`.
bool mc146818_attach(struct mc146818 *rtc, struct iobus *bus);
// The earliest VM time (ns) at which IRQ 8 must be raised, or UINT64_MAX.
u64 mc146818_next_event_ns(struct mc146818 *rtc);
// Bring the clock and flags up to `now`, raising IRQ 8 if an enabled flag got set.
void mc146818_tick(struct mc146818 *rtc, u64 now);
