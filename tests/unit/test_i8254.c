// test_i8254.c — the PIT: modes, IRQ 0 timing and catch-up, latches, port 0x61 gate/out.
#include "unit.h"
#include "fake_devenv.h"
#include "vmm/dev/i8254.h"

static struct fake F;
static struct iobus *B;

static struct i8254 *setup(void)
{
    fake_init(&F);
    B = iobus_create(0);
    struct i8254 *pit = i8254_create(&F.env);
    i8254_attach(pit, B);
    return pit;
}

static void teardown(struct i8254 *pit)
{
    i8254_destroy(pit);
    iobus_destroy(B);
}

// VM time of PIT tick `t` (first ns at which it has elapsed).
static u64 tick_ns(u64 t) { return (t * 1000000000ULL + 1193181) / 1193182; }

static void program(u8 cw, int port, u16 count)
{
    iobus_out(B, 0x43, 1, cw);
    iobus_out(B, port, 1, count & 0xff);
    iobus_out(B, port, 1, count >> 8);
}

static u16 read_word(int port)
{
    u16 lo = (u16)iobus_in(B, port, 1);
    return (u16)(lo | iobus_in(B, port, 1) << 8);
}

TEST(i8254_no_irq_until_programmed)
{
    struct i8254 *pit = setup();
    CHECK_EQ(i8254_next_event_ns(pit), UINT64_MAX);
    F.now = 1000000000;
    i8254_tick(pit, F.now);
    CHECK_EQ(F.rises[0], 0);
    teardown(pit);
}

TEST(i8254_mode2_periodic_ticks)
{
    struct i8254 *pit = setup();
    F.now = 5000;
    u64 t0 = 5000ULL * 1193182 / 1000000000;   // load tick
    program(0x34, 0x40, 11932);
    u64 ev = i8254_next_event_ns(pit);
    CHECK_EQ(ev, tick_ns(t0 + 11932));
    F.now = ev - 1;
    i8254_tick(pit, F.now);
    CHECK_EQ(F.rises[0], 0);
    F.now = ev;
    i8254_tick(pit, F.now);
    CHECK_EQ(F.rises[0], 1);
    CHECK_EQ(F.line[0], 0);                     // a pulse: the PIC latched the edge
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(t0 + 2 * 11932));
    teardown(pit);
}

TEST(i8254_catch_up_one_tick_then_regrid)
{
    struct i8254 *pit = setup();
    program(0x34, 0x40, 1000);
    F.now = tick_ns(5 * 1000 + 300);            // five edges overdue
    i8254_tick(pit, F.now);
    CHECK_EQ(F.rises[0], 1);
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(6 * 1000));
    i8254_tick(pit, F.now);
    CHECK_EQ(F.rises[0], 1);
    teardown(pit);
}

TEST(i8254_mode2_counter_reads)
{
    struct i8254 *pit = setup();
    program(0x34, 0x40, 1000);
    CHECK_EQ(read_word(0x40), 1000);
    F.now = tick_ns(250);
    CHECK_EQ(read_word(0x40), 750);
    F.now = tick_ns(1999);
    CHECK_EQ(read_word(0x40), 1);
    F.now = tick_ns(2000);
    CHECK_EQ(read_word(0x40), 1000);             // reloaded
    teardown(pit);
}

TEST(i8254_mode4_one_shot)
{
    struct i8254 *pit = setup();
    program(0x38, 0x40, 500);                    // Linux 6.1's clock event device
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(501));
    F.now = tick_ns(501);
    i8254_tick(pit, F.now);
    CHECK_EQ(F.rises[0], 1);
    CHECK_EQ(i8254_next_event_ns(pit), UINT64_MAX);
    F.now = tick_ns(10000);
    i8254_tick(pit, F.now);
    CHECK_EQ(F.rises[0], 1);
    iobus_out(B, 0x40, 1, 100);                  // rearm: new count restarts
    iobus_out(B, 0x40, 1, 0);
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(10000 + 101));
    teardown(pit);
}

TEST(i8254_mode4_rearm_before_expiry_restarts)
{
    struct i8254 *pit = setup();
    program(0x38, 0x40, 500);
    F.now = tick_ns(300);
    iobus_out(B, 0x40, 1, 0xe8); iobus_out(B, 0x40, 1, 0x03);   // 1000
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(300 + 1001));
    teardown(pit);
}

TEST(i8254_mode0_terminal_count_and_wrap)
{
    struct i8254 *pit = setup();
    program(0x30, 0x40, 100);
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(100));
    F.now = tick_ns(40);
    CHECK_EQ(read_word(0x40), 60);
    F.now = tick_ns(100);
    i8254_tick(pit, F.now);
    CHECK_EQ(F.rises[0], 1);
    F.now = tick_ns(103);
    CHECK_EQ(read_word(0x40), 0xfffd);           // keeps counting down after zero
    CHECK_EQ(i8254_next_event_ns(pit), UINT64_MAX);
    teardown(pit);
}

TEST(i8254_mode0_first_byte_stops_counting)
{
    struct i8254 *pit = setup();
    program(0x30, 0x40, 100);
    iobus_out(B, 0x40, 1, 50);                   // LSB only: counting disabled
    CHECK_EQ(i8254_next_event_ns(pit), UINT64_MAX);
    F.now = tick_ns(10);
    iobus_out(B, 0x40, 1, 0);
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(60));
    teardown(pit);
}

TEST(i8254_latch_command_freezes_value)
{
    struct i8254 *pit = setup();
    program(0x34, 0x40, 1000);
    F.now = tick_ns(100);
    iobus_out(B, 0x43, 1, 0x00);                 // latch counter 0
    F.now = tick_ns(400);
    iobus_out(B, 0x43, 1, 0x00);                 // second latch ignored until read
    CHECK_EQ(read_word(0x40), 900);
    CHECK_EQ(read_word(0x40), 600);              // live again
    teardown(pit);
}

TEST(i8254_readback_status_and_count)
{
    struct i8254 *pit = setup();
    iobus_out(B, 0x43, 1, 0x34);
    iobus_out(B, 0x43, 1, 0xe2);                 // read-back status of counter 0
    CHECK_EQ(iobus_in(B, 0x40, 1), 0x40 | 0x80 | 0x34);   // null count, OUT high, mode 2
    iobus_out(B, 0x40, 1, 0xe8); iobus_out(B, 0x40, 1, 0x03);
    F.now = tick_ns(10);
    iobus_out(B, 0x43, 1, 0xc2);                 // status and count
    CHECK_EQ(iobus_in(B, 0x40, 1), 0x80 | 0x34);
    CHECK_EQ(read_word(0x40), 990);
    teardown(pit);
}

TEST(i8254_lsb_and_msb_only_access)
{
    struct i8254 *pit = setup();
    iobus_out(B, 0x43, 1, 0x14);                 // LSB only, mode 2
    iobus_out(B, 0x40, 1, 200);
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(200));
    F.now = tick_ns(50);
    CHECK_EQ(iobus_in(B, 0x40, 1), 150);
    CHECK_EQ(iobus_in(B, 0x40, 1), 150);
    iobus_out(B, 0x43, 1, 0x24);                 // MSB only
    iobus_out(B, 0x40, 1, 0x02);                 // count 0x200
    F.now = tick_ns(50 + 0x100);
    CHECK_EQ(iobus_in(B, 0x40, 1), 0x01);
    teardown(pit);
}

TEST(i8254_bcd_counting)
{
    struct i8254 *pit = setup();
    program(0x35, 0x40, 0x1000);                 // BCD 1000, mode 2
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(1000));
    F.now = tick_ns(1);
    CHECK_EQ(read_word(0x40), 0x0999);
    teardown(pit);
}

TEST(i8254_mode2_new_count_waits_for_period_end)
{
    struct i8254 *pit = setup();
    program(0x34, 0x40, 1000);
    F.now = tick_ns(300);
    iobus_out(B, 0x40, 1, 0xf4); iobus_out(B, 0x40, 1, 0x01);   // 500
    CHECK_EQ(read_word(0x40), 700);              // old period goes on
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(1000));
    F.now = tick_ns(1000);
    i8254_tick(pit, F.now);
    CHECK_EQ(i8254_next_event_ns(pit), tick_ns(1500));
    F.now = tick_ns(1100);
    CHECK_EQ(read_word(0x40), 400);
    teardown(pit);
}

TEST(i8254_channel2_gate_and_out_via_port61)
{
    struct i8254 *pit = setup();
    // Linux's pit_calibrate_tsc: gate high, speaker off, counter 2 mode 0, poll OUT.
    iobus_out(B, 0x61, 1, (iobus_in(B, 0x61, 1) & ~0x02) | 0x01);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x0f, 0x01);
    program(0xb0, 0x42, 11932);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0);
    F.now = tick_ns(11931);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0);
    F.now = tick_ns(11932);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0x20);
    CHECK_EQ(F.rises[0], 0);                     // counter 2 raises no IRQ
    teardown(pit);
}

TEST(i8254_channel2_gate_low_suspends_mode0)
{
    struct i8254 *pit = setup();
    program(0xb0, 0x42, 1000);                   // gate low: loaded, not counting
    F.now = tick_ns(500);
    CHECK_EQ(read_word(0x42), 1000);
    iobus_out(B, 0x61, 1, 0x01);
    F.now = tick_ns(700);
    CHECK_EQ(read_word(0x42), 800);
    iobus_out(B, 0x61, 1, 0x00);
    F.now = tick_ns(5000);
    CHECK_EQ(read_word(0x42), 800);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0);
    teardown(pit);
}

TEST(i8254_channel2_mode3_square_wave)
{
    struct i8254 *pit = setup();
    iobus_out(B, 0x61, 1, 0x03);
    program(0xb6, 0x42, 100);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0x20);
    F.now = tick_ns(25);
    CHECK_EQ(read_word(0x42), 50);               // counts down by two
    F.now = tick_ns(50);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0);
    F.now = tick_ns(100);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0x20);
    iobus_out(B, 0x61, 1, 0x02);                 // gate low forces OUT high
    F.now = tick_ns(160);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0x20);
    teardown(pit);
}

TEST(i8254_channel2_mode1_gate_trigger)
{
    struct i8254 *pit = setup();
    program(0xb2, 0x42, 100);                    // mode 1: waits for a gate edge
    F.now = tick_ns(50);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0x20);
    iobus_out(B, 0x61, 1, 0x01);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0);    // low from the trigger
    F.now = tick_ns(150);
    CHECK_EQ(iobus_in(B, 0x61, 1) & 0x20, 0x20);
    teardown(pit);
}

TEST(i8254_refresh_bit_toggles)
{
    struct i8254 *pit = setup();
    u8 a = iobus_in(B, 0x61, 1) & 0x10;
    F.now = tick_ns(18);
    u8 b = iobus_in(B, 0x61, 1) & 0x10;
    CHECK(a != b);
    teardown(pit);
}

TEST(i8254_control_port_reads_floating)
{
    struct i8254 *pit = setup();
    CHECK_EQ(iobus_in(B, 0x43, 1), 0xff);
    teardown(pit);
}
