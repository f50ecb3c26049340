// test_acpi_pm.c — the ACPI PM timer (rate, wrap), PM1 status/enable, SCI, S5 power-off.
#include "unit.h"
#include "fake_devenv.h"
#include "vmm/dev/acpi_pm.h"

#define NS 1000000000ULL
#define TMR 0x608
#define EVT_STS 0x600
#define EVT_EN 0x602
#define CNT 0x604

static struct fake F;
static struct iobus *B;
static int stops;
static const char *stop_reason;

static void fake_stop(void *ctx, const char *reason)
{
    stops++;
    stop_reason = reason;
}

static struct acpi_pm *setup(void)
{
    fake_init(&F);
    stops = 0;
    stop_reason = "";
    B = iobus_create(0);
    struct acpi_pm *pm = acpi_pm_create(&F.env, fake_stop);
    acpi_pm_attach(pm, B);
    return pm;
}

static void teardown(struct acpi_pm *pm)
{
    acpi_pm_destroy(pm);
    iobus_destroy(B);
}

// VM time at which PM timer tick `t` has elapsed (ceiling).
static u64 tick_ns(u64 t) { return (t * NS + ACPI_PM_TMR_HZ - 1) / ACPI_PM_TMR_HZ; }

TEST(acpi_pm_timer_rate)
{
    struct acpi_pm *pm = setup();
    CHECK_EQ(iobus_in(B, TMR, 4), 0);
    F.now = NS;                                    // one second: 3579545 ticks
    CHECK_EQ(iobus_in(B, TMR, 4), 3579545);
    F.now = NS / 1000;                             // 1 ms: 3579.545 -> 3579
    CHECK_EQ(iobus_in(B, TMR, 4), 3579);
    F.now = tick_ns(1000) - 1;
    CHECK_EQ(iobus_in(B, TMR, 4), 999);
    F.now = tick_ns(1000);
    CHECK_EQ(iobus_in(B, TMR, 4), 1000);
    // Exact over long runs: 10 hours of VM time do not drift (ns * HZ overflows 64 bits).
    F.now = 36000 * NS;
    CHECK_EQ(iobus_in(B, TMR, 4), (36000ULL * 3579545) & 0xffffff);
    teardown(pm);
}

TEST(acpi_pm_timer_wraps_at_24_bits)
{
    struct acpi_pm *pm = setup();
    F.now = tick_ns(0xffffff);
    CHECK_EQ(iobus_in(B, TMR, 4), 0xffffff);
    F.now = tick_ns(0x1000000);
    CHECK_EQ(iobus_in(B, TMR, 4), 0);              // upper byte stays 0 (TMR_VAL_EXT clear)
    F.now = tick_ns(0x1000005);
    CHECK_EQ(iobus_in(B, TMR, 4), 5);
    CHECK_EQ(iobus_in(B, TMR + 1, 1), 0);          // bytes of the same count
    iobus_out(B, TMR, 4, 0x12345678);              // read-only
    CHECK_EQ(iobus_in(B, TMR, 4), 5);
    teardown(pm);
}

TEST(acpi_pm_tmr_sts_write_one_to_clear)
{
    struct acpi_pm *pm = setup();
    CHECK_EQ(iobus_in(B, EVT_STS, 2), 0);
    F.now = tick_ns(1 << 23) - 1;
    CHECK_EQ(iobus_in(B, EVT_STS, 2), 0);
    F.now = tick_ns(1 << 23);                      // bit 23 of the count changes
    CHECK_EQ(iobus_in(B, EVT_STS, 2), ACPI_PM1_TMR);
    iobus_out(B, EVT_STS, 2, 0);                   // writing 0 keeps it
    CHECK_EQ(iobus_in(B, EVT_STS, 2), ACPI_PM1_TMR);
    iobus_out(B, EVT_STS, 2, 0xfffe);              // other bits: nothing to clear
    CHECK_EQ(iobus_in(B, EVT_STS, 2), ACPI_PM1_TMR);
    iobus_out(B, EVT_STS, 2, ACPI_PM1_TMR);
    CHECK_EQ(iobus_in(B, EVT_STS, 2), 0);
    F.now = tick_ns(2 << 23);
    CHECK_EQ(iobus_in(B, EVT_STS, 2), ACPI_PM1_TMR);
    // A dword write to the block clears status and sets the enables at once.
    iobus_out(B, EVT_STS, 4, ACPI_PM1_TMR | 0xffffu << 16);
    CHECK_EQ(iobus_in(B, EVT_STS, 4), (u32)ACPI_PM1_EN_RW << 16);
    CHECK_EQ(iobus_in(B, EVT_EN, 2), ACPI_PM1_EN_RW);
    teardown(pm);
}

TEST(acpi_pm_sci_on_timer_overflow)
{
    struct acpi_pm *pm = setup();
    CHECK_EQ(acpi_pm_next_event_ns(pm), UINT64_MAX);   // TMR_EN clear: no SCI
    iobus_out(B, EVT_EN, 2, ACPI_PM1_TMR);
    CHECK_EQ(acpi_pm_next_event_ns(pm), tick_ns(1 << 23));
    F.now = tick_ns(1 << 23);
    acpi_pm_tick(pm, F.now);
    CHECK_EQ(F.line[ACPI_PM_SCI_IRQ], 1);
    CHECK_EQ(acpi_pm_next_event_ns(pm), UINT64_MAX);   // raised: nothing more to time
    iobus_out(B, EVT_STS, 2, ACPI_PM1_TMR);
    CHECK_EQ(F.line[ACPI_PM_SCI_IRQ], 0);
    CHECK_EQ(acpi_pm_next_event_ns(pm), tick_ns(2 << 23));
    // SCI_EN clear (legacy mode): the status still sets, the line stays low.
    iobus_out(B, CNT, 2, 0);
    F.now = tick_ns(2 << 23);
    acpi_pm_tick(pm, F.now);
    CHECK_EQ(iobus_in(B, EVT_STS, 2), ACPI_PM1_TMR);
    CHECK_EQ(F.line[ACPI_PM_SCI_IRQ], 0);
    iobus_out(B, CNT, 2, ACPI_PM1_SCI_EN);
    CHECK_EQ(F.line[ACPI_PM_SCI_IRQ], 1);
    teardown(pm);
}

TEST(acpi_pm_control_and_s5_power_off)
{
    struct acpi_pm *pm = setup();
    CHECK_EQ(iobus_in(B, CNT, 2), ACPI_PM1_SCI_EN);    // ACPI mode from the start
    u16 s5 = ACPI_PM_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT;
    iobus_out(B, CNT, 2, ACPI_PM1_SCI_EN | s5);         // type first, as ACPICA does
    CHECK_EQ(stops, 0);
    CHECK_EQ(iobus_in(B, CNT, 2), ACPI_PM1_SCI_EN | s5);
    iobus_out(B, CNT, 2, ACPI_PM1_SCI_EN | s5 | ACPI_PM1_SLP_EN);
    CHECK_EQ(stops, 1);
    CHECK_STR(stop_reason, "poweroff");
    CHECK_EQ(iobus_in(B, CNT, 2) & ACPI_PM1_SLP_EN, 0); // write-only
    teardown(pm);
}

TEST(acpi_pm_s5_by_byte_write)
{
    struct acpi_pm *pm = setup();
    iobus_out(B, CNT + 1, 1, (ACPI_PM1_SLP_EN | ACPI_PM_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT) >> 8);
    CHECK_EQ(stops, 1);
    CHECK_STR(stop_reason, "poweroff");
    CHECK_EQ(iobus_in(B, CNT, 1), ACPI_PM1_SCI_EN);     // the low byte was kept
    teardown(pm);
}

TEST(acpi_pm_other_sleep_type_stops_loudly)
{
    struct acpi_pm *pm = setup();
    unit_log_reset();
    iobus_out(B, CNT, 2, ACPI_PM1_SLP_EN | 1 << ACPI_PM1_SLP_TYP_SHIFT);
    CHECK_EQ(stops, 1);
    CHECK_STR(stop_reason, "bad-sleep");
    CHECK(unit_log_contains("vm=0 acpi-pm sleep slp-typ=1 not supported"));
    teardown(pm);
}

TEST(acpi_pm_gap_is_undecoded)
{
    struct acpi_pm *pm = setup();
    CHECK_EQ(iobus_in(B, 0x606, 2), 0xffff);
    teardown(pm);
}
