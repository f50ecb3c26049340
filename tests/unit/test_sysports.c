// test_sysports.c — port 0x80 and System Control Port A (0x92).
#include "unit.h"
#include "fake_devenv.h"
#include "vmm/dev/sysports.h"

TEST(sysports_post_port_is_silent)
{
    struct fake f;
    fake_init(&f);
    struct iobus *bus = iobus_create(0);
    struct sysports *sp = sysports_create(&f.env);
    sysports_attach(sp, bus);
    iobus_out(bus, 0x80, 1, 0x12);
    CHECK_EQ(iobus_in(bus, 0x80, 1), 0xff);
    CHECK(!unit_log_contains("unhandled"));
    sysports_destroy(sp);
    iobus_destroy(bus);
}

TEST(sysports_port92_a20_and_reset)
{
    struct fake f;
    fake_init(&f);
    struct iobus *bus = iobus_create(0);
    struct sysports *sp = sysports_create(&f.env);
    sysports_attach(sp, bus);
    CHECK_EQ(iobus_in(bus, 0x92, 1), 0x02);       // A20 on from the start
    iobus_out(bus, 0x92, 1, 0x00);
    CHECK_EQ(iobus_in(bus, 0x92, 1), 0x00);
    CHECK_EQ(f.resets, 0);
    iobus_out(bus, 0x92, 1, 0x03);
    CHECK_EQ(f.resets, 1);
    CHECK_STR(f.reset_why, "port92");
    CHECK_EQ(iobus_in(bus, 0x92, 1), 0x02);
    sysports_destroy(sp);
    iobus_destroy(bus);
}
