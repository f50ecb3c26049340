// test_i8042.c — the keyboard controller: self test, command byte, A20, reset, no devices.
#include "unit.h"
#include "fake_devenv.h"
#include "vmm/dev/i8042.h"

static struct fake F;
static struct iobus *B;

static struct i8042 *setup(void)
{
    fake_init(&F);
    B = iobus_create(0);
    struct i8042 *k = i8042_create(&F.env);
    i8042_attach(k, B);
    return k;
}

static void teardown(struct i8042 *k)
{
    i8042_destroy(k);
    iobus_destroy(B);
}

static u8 st(void) { return (u8)iobus_in(B, 0x64, 1); }
static u8 rd(void) { return (u8)iobus_in(B, 0x60, 1); }
static void cmd(u8 c) { iobus_out(B, 0x64, 1, c); }
static void dat(u8 v) { iobus_out(B, 0x60, 1, v); }

TEST(i8042_self_test_and_interface_tests)
{
    struct i8042 *k = setup();
    CHECK_EQ(st() & 0x03, 0);                    // output empty, input free
    cmd(0xaa);
    CHECK_EQ(st() & 0x01, 1);
    CHECK_EQ(rd(), 0x55);
    CHECK_EQ(st() & 0x01, 0);
    cmd(0xab);
    CHECK_EQ(rd(), 0x00);
    cmd(0xa9);
    CHECK_EQ(rd(), 0x00);
    teardown(k);
}

TEST(i8042_command_byte_and_irq1)
{
    struct i8042 *k = setup();
    cmd(0x20);
    CHECK_EQ(F.line[1], 1);                      // KBDINT set by firmware
    CHECK_EQ(rd(), 0x45);
    CHECK_EQ(F.line[1], 0);
    cmd(0x60); dat(0x44);                        // interrupts off
    cmd(0x20);
    CHECK_EQ(F.line[1], 0);
    CHECK_EQ(rd(), 0x44);
    cmd(0xa7);
    cmd(0x20);
    CHECK_EQ(rd() & 0x20, 0x20);
    cmd(0xa8);
    cmd(0x20);
    CHECK_EQ(rd() & 0x20, 0x00);
    teardown(k);
}

TEST(i8042_a20_starts_enabled_and_output_port)
{
    struct i8042 *k = setup();
    cmd(0xd0);
    CHECK_EQ(rd() & 0x03, 0x03);
    cmd(0xd1); dat(0x01);                        // A20 off, reset line high
    cmd(0xd0);
    CHECK_EQ(rd() & 0x03, 0x01);
    cmd(0xdf);
    cmd(0xd0);
    CHECK_EQ(rd() & 0x02, 0x02);
    CHECK_EQ(F.resets, 0);
    teardown(k);
}

TEST(i8042_reset_by_pulse_and_output_port)
{
    struct i8042 *k = setup();
    cmd(0xff);                                   // pulse nothing
    CHECK_EQ(F.resets, 0);
    cmd(0xfe);
    CHECK_EQ(F.resets, 1);
    CHECK_STR(F.reset_why, "i8042");
    cmd(0xd1); dat(0x02);                        // reset bit written 0
    CHECK_EQ(F.resets, 2);
    teardown(k);
}

TEST(i8042_keyboard_absent_times_out)
{
    struct i8042 *k = setup();
    dat(0xff);                                   // keyboard reset command
    CHECK_EQ(st() & 0x41, 0x41);                 // data with the timeout bit
    CHECK_EQ(F.line[1], 1);
    CHECK_EQ(rd(), 0xfe);
    CHECK_EQ(st() & 0x41, 0x00);
    teardown(k);
}

TEST(i8042_aux_loop_and_absent_mouse)
{
    struct i8042 *k = setup();
    cmd(0x60); dat(0x47);                        // both interrupts on
    cmd(0xd3); dat(0x5a);                        // Linux's aux loopback test
    CHECK_EQ(st() & 0x21, 0x21);
    CHECK_EQ(F.line[12], 1);
    CHECK_EQ(rd(), 0x5a);
    CHECK_EQ(F.line[12], 0);
    cmd(0xd4); dat(0xf2);                        // to the mouse: nobody answers
    CHECK_EQ(st() & 0x61, 0x61);
    CHECK_EQ(rd(), 0xfe);
    teardown(k);
}

TEST(i8042_unknown_command_logged)
{
    struct i8042 *k = setup();
    cmd(0xc0);
    CHECK(unit_log_contains("i8042 unhandled command 0xc0"));
    teardown(k);
}

// Found by fuzz_i8042: every write of an unhandled command logged a line, so a guest in
// a loop flooded the console. Now once per command value.
TEST(i8042_unhandled_command_logged_once_per_value)
{
    struct i8042 *k = setup();
    for (int i = 0; i < 3; i++) cmd(0xc5);
    CHECK_EQ(unit_log_count("i8042 unhandled command 0xc5"), 1);
    cmd(0xc6);
    CHECK_EQ(unit_log_count("i8042 unhandled command 0xc6"), 1);
    teardown(k);
}
