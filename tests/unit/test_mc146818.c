// test_mc146818.c — the RTC: clock and formats, UIP pulse, SET/divider, IRQ 8, CMOS bytes.
#include "unit.h"
#include "fake_devenv.h"
#include "vmm/dev/mc146818.h"

static struct fake F;
static struct iobus *B;

#define EPOCH 1700000000ULL   // Tuesday 2023-11-14 22:13:20 UTC
#define MS 1000000ULL
#define S 1000000000ULL

static struct mc146818 *setup(u64 ram)
{
    fake_init(&F);
    B = iobus_create(0);
    struct mc146818 *rtc = mc146818_create(&F.env, EPOCH, ram);
    mc146818_attach(rtc, B);
    return rtc;
}

static void teardown(struct mc146818 *rtc)
{
    mc146818_destroy(rtc);
    iobus_destroy(B);
}

static u8 rd(u8 reg) { iobus_out(B, 0x70, 1, reg); return (u8)iobus_in(B, 0x71, 1); }
static void wr(u8 reg, u8 v) { iobus_out(B, 0x70, 1, reg); iobus_out(B, 0x71, 1, v); }

TEST(mc146818_time_at_creation_bcd_24h)
{
    struct mc146818 *rtc = setup(128 << 20);
    CHECK_EQ(rd(0), 0x20); CHECK_EQ(rd(2), 0x13); CHECK_EQ(rd(4), 0x22);
    CHECK_EQ(rd(6), 3);    CHECK_EQ(rd(7), 0x14); CHECK_EQ(rd(8), 0x11);
    CHECK_EQ(rd(9), 0x23); CHECK_EQ(rd(0x32), 0x20);
    CHECK_EQ(rd(0x0a), 0x26); CHECK_EQ(rd(0x0b), 0x02); CHECK_EQ(rd(0x0d), 0x80);
    teardown(rtc);
}

TEST(mc146818_clock_advances_with_vm_time)
{
    struct mc146818 *rtc = setup(128 << 20);
    F.now = 1500 * MS;
    CHECK_EQ(rd(0), 0x21);
    F.now = 40 * S;                               // 22:14:00
    CHECK_EQ(rd(0), 0x00); CHECK_EQ(rd(2), 0x14);
    F.now = 2 * 3600 * S;                         // past midnight: Wednesday the 15th
    CHECK_EQ(rd(4), 0x00); CHECK_EQ(rd(7), 0x15); CHECK_EQ(rd(6), 4);
    teardown(rtc);
}

TEST(mc146818_uip_pulses_before_each_update)
{
    struct mc146818 *rtc = setup(128 << 20);
    F.now = 997 * MS;
    CHECK_EQ(rd(0x0a) & 0x80, 0);
    F.now = 998 * MS;
    CHECK_EQ(rd(0x0a) & 0x80, 0x80);
    CHECK_EQ(rd(0), 0x20);                        // still the old second
    F.now = S;
    CHECK_EQ(rd(0x0a) & 0x80, 0);
    CHECK_EQ(rd(0), 0x21);
    F.now = S + 999 * MS;
    CHECK_EQ(rd(0x0a) & 0x80, 0x80);              // once every second
    teardown(rtc);
}

TEST(mc146818_binary_and_12_hour)
{
    struct mc146818 *rtc = setup(128 << 20);
    wr(0x0b, 0x04);                               // binary, 12-hour
    F.now = S;                                    // the next update uses the new format
    CHECK_EQ(rd(0), 21);
    CHECK_EQ(rd(4), 0x80 | 10);                   // 10 PM
    CHECK_EQ(rd(9), 23);
    teardown(rtc);
}

TEST(mc146818_set_time_with_set_bit)
{
    struct mc146818 *rtc = setup(128 << 20);
    F.now = 300 * MS;
    wr(0x0b, 0x82);                               // SET: updates stop
    wr(0, 0x59); wr(2, 0x59); wr(4, 0x23); wr(7, 0x31); wr(8, 0x12); wr(9, 0x99);
    F.now = 5 * S;
    CHECK_EQ(rd(0), 0x59);                        // frozen while SET
    CHECK_EQ(rd(0x0a) & 0x80, 0);
    wr(0x0b, 0x02);                               // 2099-12-31 23:59:59, phase kept
    F.now = 5 * S + 999 * MS;
    CHECK_EQ(rd(0), 0x59);
    F.now = 6 * S;
    CHECK_EQ(rd(0), 0x00); CHECK_EQ(rd(7), 0x01); CHECK_EQ(rd(8), 0x01);
    CHECK_EQ(rd(9), 0x00); CHECK_EQ(rd(0x32), 0x21);
    teardown(rtc);
}

TEST(mc146818_divider_restart_updates_500ms_later)
{
    struct mc146818 *rtc = setup(128 << 20);
    F.now = 200 * MS;
    wr(0x0a, 0x76);                               // divider reset
    wr(0, 0x10);
    F.now = 3 * S;
    CHECK_EQ(rd(0), 0x10);
    wr(0x0a, 0x26);
    F.now = 3 * S + 499 * MS;
    CHECK_EQ(rd(0), 0x10);
    F.now = 3 * S + 500 * MS;
    CHECK_EQ(rd(0), 0x11);
    teardown(rtc);
}

TEST(mc146818_periodic_interrupt_and_reg_c)
{
    struct mc146818 *rtc = setup(128 << 20);
    CHECK_EQ(mc146818_next_event_ns(rtc), UINT64_MAX);
    wr(0x0b, 0x42);                               // PIE at the BIOS rate 1024 Hz
    u64 ev = mc146818_next_event_ns(rtc);
    CHECK_EQ(ev, 976563);                         // 32 ticks of 32.768 kHz, rounded up
    mc146818_tick(rtc, ev - 1);
    CHECK_EQ(F.line[8], 0);
    F.now = ev;
    mc146818_tick(rtc, F.now);
    CHECK_EQ(F.line[8], 1);
    CHECK_EQ(mc146818_next_event_ns(rtc), UINT64_MAX);   // line up until C is read
    CHECK_EQ(rd(0x0c), 0xc0);
    CHECK_EQ(F.line[8], 0);
    CHECK_EQ(rd(0x0c), 0x00);
    CHECK_EQ(mc146818_next_event_ns(rtc), 1953125);
    teardown(rtc);
}

TEST(mc146818_periodic_rate_select)
{
    struct mc146818 *rtc = setup(128 << 20);
    wr(0x0a, 0x2f);                               // 2 Hz
    wr(0x0b, 0x42);
    CHECK_EQ(mc146818_next_event_ns(rtc), 500 * MS);
    wr(0x0a, 0x23);                               // 8192 Hz
    CHECK_EQ(mc146818_next_event_ns(rtc), 122071);
    teardown(rtc);
}

TEST(mc146818_flags_set_without_enable)
{
    struct mc146818 *rtc = setup(128 << 20);
    F.now = 1100 * MS;
    CHECK_EQ(rd(0x0c), 0x50);                     // PF and UF, but no IRQF
    CHECK_EQ(F.rises[8], 0);
    teardown(rtc);
}

TEST(mc146818_update_ended_interrupt)
{
    struct mc146818 *rtc = setup(128 << 20);
    wr(0x0a, 0x20);                               // no periodic rate
    F.now = 400 * MS;
    wr(0x0b, 0x12);
    CHECK_EQ(mc146818_next_event_ns(rtc), S);
    F.now = S;
    mc146818_tick(rtc, F.now);
    CHECK_EQ(F.line[8], 1);
    CHECK_EQ(rd(0x0c), 0x90);
    wr(0x0b, 0x82);                               // SET clears UIE
    CHECK_EQ(rd(0x0b), 0x82);
    teardown(rtc);
}

TEST(mc146818_alarm_interrupt)
{
    struct mc146818 *rtc = setup(128 << 20);
    wr(0x0a, 0x20);
    wr(1, 0x23); wr(3, 0xc0); wr(5, 0xff);        // at :23 of any minute and hour
    wr(0x0b, 0x22);
    F.now = 2 * S;
    mc146818_tick(rtc, F.now);
    CHECK_EQ(F.line[8], 0);
    F.now = 3 * S;
    mc146818_tick(rtc, F.now);
    CHECK_EQ(F.line[8], 1);
    CHECK_EQ(rd(0x0c), 0xb0);
    teardown(rtc);
}

TEST(mc146818_memory_bytes)
{
    struct mc146818 *rtc = setup(128 << 20);
    CHECK_EQ(rd(0x15) | rd(0x16) << 8, 640);
    CHECK_EQ(rd(0x17) | rd(0x18) << 8, 0xffff);
    CHECK_EQ(rd(0x30) | rd(0x31) << 8, 0xffff);
    CHECK_EQ(rd(0x34) | rd(0x35) << 8, (128 - 16) * 16);
    CHECK_EQ(rd(0x10), 0);
    CHECK_EQ(rd(0x12), 0);
    unsigned sum = 0;
    for (int i = 0x10; i < 0x2e; i++) sum += rd((u8)i);
    CHECK_EQ(rd(0x2e) << 8 | rd(0x2f), sum);
    teardown(rtc);
    rtc = setup(32 << 20);
    CHECK_EQ(rd(0x17) | rd(0x18) << 8, 31 * 1024);
    CHECK_EQ(rd(0x34) | rd(0x35) << 8, 256);
    teardown(rtc);
}

TEST(mc146818_index_port_and_nmi_bit)
{
    struct mc146818 *rtc = setup(128 << 20);
    CHECK_EQ(iobus_in(B, 0x70, 1), 0xff);
    iobus_out(B, 0x70, 1, 0x80 | 0x0d);
    CHECK_EQ(iobus_in(B, 0x71, 1), 0x80);
    wr(0x40, 0x5a);                               // plain CMOS RAM
    CHECK_EQ(rd(0x40), 0x5a);
    wr(0x0c, 0xff);
    CHECK(unit_log_contains("mc146818 write to read-only register 0xc"));
    teardown(rtc);
}

// Found by fuzz_mc146818: a date before 1970 made show() encode negative fields (C's %
// keeps the sign), a UBSan report on the host and garbage time registers in the VMM.
TEST(mc146818_clock_runs_across_1970_from_a_date_before_it)
{
    struct mc146818 *rtc = setup(128 << 20);
    wr(0x0b, 0x82);                               // SET, BCD, 24-hour
    wr(0x32, 0x19); wr(9, 0x69); wr(8, 0x12); wr(7, 0x31);
    wr(4, 0x23); wr(2, 0x59); wr(0, 0x58);       // 1969-12-31 23:59:58
    wr(0x0b, 0x02);
    F.now = 1500 * MS;
    CHECK_EQ(rd(0), 0x59); CHECK_EQ(rd(2), 0x59); CHECK_EQ(rd(4), 0x23);
    CHECK_EQ(rd(6), 4);                           // a Wednesday
    CHECK_EQ(rd(9), 0x69); CHECK_EQ(rd(0x32), 0x19);
    F.now = 2500 * MS;                            // 1970-01-01 00:00:00, a Thursday
    CHECK_EQ(rd(0), 0x00); CHECK_EQ(rd(4), 0x00); CHECK_EQ(rd(7), 0x01);
    CHECK_EQ(rd(8), 0x01); CHECK_EQ(rd(9), 0x70); CHECK_EQ(rd(6), 5);
    teardown(rtc);
}

// Found by fuzz_mc146818: writes to REG_C/REG_D, an unsupported divider and REG_B.DSE
// logged a line each time (a console flood from a guest loop). Now once each per VM.
TEST(mc146818_guest_triggered_lines_logged_once)
{
    struct mc146818 *rtc = setup(128 << 20);
    for (int i = 0; i < 3; i++) {
        wr(0x0c, 0x00);
        wr(0x0d, 0x00);
        wr(0x0a, 0x06);                           // divider 000: unsupported
        wr(0x0b, 0x03);                           // DSE
    }
    CHECK_EQ(unit_log_count("mc146818 write to read-only register"), 1);
    CHECK_EQ(unit_log_count("mc146818 divider"), 1);
    CHECK_EQ(unit_log_count("mc146818 daylight saving"), 1);
    teardown(rtc);
}
