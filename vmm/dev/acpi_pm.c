// acpi_pm.c — ACPI PM1a event/control registers, the 3.579545 MHz PM timer, the SCI.
//
// Like the PIT, the timer is computed from the VM's clock at each read: count =
// ns * 3579545 / 1e9 (split to stay within 64 bits), mod 2^24. TMR_STS is "the count's
// bit-23 period has moved on since the guest last cleared it", so it needs no state
// updated in the background either.
#include "vmm/dev/acpi_pm.h"
#include "kernel/heap.h"
#include "kernel/log.h"

#define NS_PER_S 1000000000ULL

// PM timer ticks elapsed by VM time `ns` (floor).
static u64 ns_to_ticks(u64 ns)
{
    return ns / NS_PER_S * ACPI_PM_TMR_HZ + ns % NS_PER_S * ACPI_PM_TMR_HZ / NS_PER_S;
}

// The first VM time (ns) at which tick `t` has been reached (ceiling).
static u64 ticks_to_ns(u64 t)
{
    return t / ACPI_PM_TMR_HZ * NS_PER_S + (t % ACPI_PM_TMR_HZ * NS_PER_S + ACPI_PM_TMR_HZ - 1) / ACPI_PM_TMR_HZ;
}

// Bit-23 periods of the count completed by VM time `now`.
static u64 periods(u64 now)
{
    return ns_to_ticks(now) >> ACPI_PM_TMR_MSB;
}

// The PM timer's 24-bit count at VM time `now`.
u32 acpi_pm_timer(u64 now)
{
    return (u32)(ns_to_ticks(now) & ACPI_PM_TMR_MASK);
}

static u64 now_ns(struct acpi_pm *pm)
{
    return pm->env.now_ns(pm->env.ctx);
}

// PM1_STS at `now`: only TMR_STS can be set.
static u16 status(struct acpi_pm *pm, u64 now)
{
    return periods(now) != pm->tmr_seen ? ACPI_PM1_TMR : 0;
}

// True when a set TMR_STS raises the SCI.
static bool sci_armed(struct acpi_pm *pm)
{
    return (pm->cnt & ACPI_PM1_SCI_EN) && (pm->en & ACPI_PM1_TMR);
}

// Drive the SCI line to what the registers say at `now`.
static void update_sci(struct acpi_pm *pm, u64 now)
{
    bool level = sci_armed(pm) && (status(pm, now) & ACPI_PM1_TMR);
    if (level == pm->sci) return;
    pm->sci = level;
    pm->env.set_irq(pm->env.ctx, ACPI_PM_SCI_IRQ, level);
}

// The low `size` bytes' mask (size 1, 2 or 4).
static u32 ones(int size)
{
    return size == 4 ? ~0U : (1U << (8 * size)) - 1;
}

// SLP_EN was written: enter the sleep state SLP_TYP names.
static void enter_sleep(struct acpi_pm *pm)
{
    unsigned typ = (pm->cnt & ACPI_PM1_SLP_TYP) >> ACPI_PM1_SLP_TYP_SHIFT;
    if (typ == ACPI_PM_SLP_TYP_S5) {
        log_info("vm=%d acpi-pm power-off slp-typ=%u", pm->env.vm_id, typ);
        pm->stop(pm->env.ctx, "poweroff");
        return;
    }
    log_err("vm=%d acpi-pm sleep slp-typ=%u not supported (only S5=%u)", pm->env.vm_id, typ,
            ACPI_PM_SLP_TYP_S5);
    pm->stop(pm->env.ctx, "bad-sleep");
}

static u32 acpi_pm_io_in(void *dev, u16 port, int size)
{
    struct acpi_pm *pm = dev;
    u64 now = now_ns(pm);
    update_sci(pm, now);
    if (port >= ACPI_PM_TMR_PORT) return acpi_pm_timer(now) >> (8 * (port - ACPI_PM_TMR_PORT));
    if (port >= ACPI_PM_CNT_PORT) return (u32)pm->cnt >> (8 * (port - ACPI_PM_CNT_PORT));
    u32 evt = status(pm, now) | (u32)pm->en << 16;
    return evt >> (8 * (port - ACPI_PM_EVT_PORT));
}

static void acpi_pm_io_out(void *dev, u16 port, int size, u32 val)
{
    struct acpi_pm *pm = dev;
    u64 now = now_ns(pm);
    if (port >= ACPI_PM_TMR_PORT) return;          // read-only: ignored
    if (port >= ACPI_PM_CNT_PORT) {
        int shift = 8 * (port - ACPI_PM_CNT_PORT);
        u32 mask = ones(size) << shift;
        val <<= shift;
        pm->cnt = (u16)(((pm->cnt & ~mask) | (val & mask)) & ACPI_PM1_CNT_RW);
        update_sci(pm, now);
        if (val & mask & ACPI_PM1_SLP_EN) enter_sleep(pm);
        return;
    }
    int shift = 8 * (port - ACPI_PM_EVT_PORT);
    u32 mask = ones(size) << shift;
    val <<= shift;
    if (val & mask & ACPI_PM1_TMR) pm->tmr_seen = periods(now);   // write 1 to clear
    u32 en_mask = mask >> 16 & ACPI_PM1_EN_RW;
    pm->en = (u16)((pm->en & ~en_mask) | (val >> 16 & en_mask));
    update_sci(pm, now);
}

struct acpi_pm *acpi_pm_create(const struct devenv *env, acpi_pm_stop_fn stop)
{
    struct acpi_pm *pm = kzalloc(sizeof *pm);
    if (!pm) return NULL;
    pm->env = *env;
    pm->stop = stop;
    pm->cnt = ACPI_PM1_SCI_EN;                     // always in ACPI mode
    pm->tmr_seen = periods(now_ns(pm));
    return pm;
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
    kfree(pm);
}

// Claim the three blocks (6-7, between control and timer, stays undecoded).
bool acpi_pm_attach(struct acpi_pm *pm, struct iobus *bus)
{
    return iobus_register(bus, ACPI_PM_EVT_PORT, ACPI_PM_EVT_LEN, IOBUS_SZALL, acpi_pm_io_in,
                          acpi_pm_io_out, pm, "acpi-pm1-evt") &&
           iobus_register(bus, ACPI_PM_CNT_PORT, ACPI_PM_CNT_LEN, IOBUS_SZALL, acpi_pm_io_in,
                          acpi_pm_io_out, pm, "acpi-pm1-cnt") &&
           iobus_register(bus, ACPI_PM_TMR_PORT, ACPI_PM_TMR_LEN, IOBUS_SZALL, acpi_pm_io_in,
                          acpi_pm_io_out, pm, "acpi-pm-tmr");
}

// The earliest VM time (ns) at which the SCI must be raised, or UINT64_MAX.
u64 acpi_pm_next_event_ns(struct acpi_pm *pm)
{
    if (!sci_armed(pm) || pm->sci) return UINT64_MAX;
    return ticks_to_ns((pm->tmr_seen + 1) << ACPI_PM_TMR_MSB);
}

// Bring the SCI line up to `now`.
void acpi_pm_tick(struct acpi_pm *pm, u64 now)
{
    update_sci(pm, now);
}
