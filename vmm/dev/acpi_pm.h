// acpi_pm.h — the ACPI fixed hardware: PM1a event and control blocks, PM timer, SCI.
//
// The registers the FADT (vmm/acpi.c) points at, at I/O ports ACPI_PM_BASE.. (where
// QEMU's chipsets put theirs):
//   +0 PM1a_STS (16 bit, write 1 to clear)  +2 PM1a_EN (16 bit)
//   +4 PM1a_CNT (16 bit)                    +8 PM_TMR (32 bit read, 24-bit count)
// Any access size works within a block; the blocks are separate port ranges (6-7 is
// not decoded). The PM timer counts at 3.579545 MHz from the VM's clock (devenv.now_ns):
// computed, never stepped, so it runs at exactly the rate of the PIT and the guest TSC.
// The only event source is the timer: TMR_STS sets each time bit 23 of the count
// changes, and with TMR_EN and SCI_EN the SCI (ISA IRQ 9, level) is raised until the
// guest clears TMR_STS. There are no power or sleep buttons, no RTC wake and no GPEs
// (the FADT says so). The system is always in ACPI mode (no SMI_CMD): SCI_EN starts set.
// SLP_EN with the S5 sleep type powers the VM off; any other sleep type stops it as
// unsupported. Writes to the timer are ignored, as the hardware does.
#pragma once
#include "kernel/types.h"
#include "vmm/dev/dev.h"
#include "vmm/dev/iobus.h"

#define ACPI_PM_BASE      0x600
#define ACPI_PM_EVT_PORT  (ACPI_PM_BASE + 0)
#define ACPI_PM_EVT_LEN   4
#define ACPI_PM_CNT_PORT  (ACPI_PM_BASE + 4)
#define ACPI_PM_CNT_LEN   2
#define ACPI_PM_TMR_PORT  (ACPI_PM_BASE + 8)
#define ACPI_PM_TMR_LEN   4
#define ACPI_PM_SCI_IRQ   9
#define ACPI_PM_TMR_HZ    3579545ULL
#define ACPI_PM_TMR_MASK  0xffffff     // 24-bit counter (FADT TMR_VAL_EXT clear)
#define ACPI_PM_TMR_MSB   23           // TMR_STS sets when this bit changes

// PM1 status / enable
#define ACPI_PM1_TMR      0x0001       // TMR_STS / TMR_EN
#define ACPI_PM1_EN_RW    0x0721       // TMR, GBL, PWRBTN, SLPBTN, RTC enables: stored
// PM1 control
#define ACPI_PM1_SCI_EN   0x0001
#define ACPI_PM1_BM_RLD   0x0002
#define ACPI_PM1_GBL_RLS  0x0004       // write-only, to firmware: there is none
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_TYP  0x1c00
#define ACPI_PM1_SLP_EN   0x2000       // write-only: enter the sleep state in SLP_TYP
#define ACPI_PM1_CNT_RW   (ACPI_PM1_SCI_EN | ACPI_PM1_BM_RLD | ACPI_PM1_SLP_TYP)

// The SLP_TYP value of S5 (soft off): the DSDT's \_S5 package carries it.
#define ACPI_PM_SLP_TYP_S5 5

// How the device ends its VM: reason "poweroff" (S5) or "bad-sleep" (a sleep type it
// does not support). Called with the devenv's ctx.
typedef void (*acpi_pm_stop_fn)(void *ctx, const char *reason);

struct acpi_pm {
    struct devenv env;
    acpi_pm_stop_fn stop;
    u16 en;                   // PM1_EN
    u16 cnt;                  // PM1_CNT (stored bits)
    u64 tmr_seen;             // bit-23 periods counted when TMR_STS was last cleared
    bool sci;                 // the level last driven on the SCI line
};

struct acpi_pm *acpi_pm_create(const struct devenv *env, acpi_pm_stop_fn stop);
void acpi_pm_destroy(struct acpi_pm *pm);
// Claim the event, control and timer blocks on `bus`.
bool acpi_pm_attach(struct acpi_pm *pm, struct iobus *bus);
// The PM timer's 24-bit count at VM time `now`.
u32 acpi_pm_timer(u64 now);
// The earliest VM time (ns) at which the SCI must be raised, or UINT64_MAX.
u64 acpi_pm_next_event_ns(struct acpi_pm *pm);
// Bring the SCI line up to `now`.
void acpi_pm_tick(struct acpi_pm *pm, u64 now);
