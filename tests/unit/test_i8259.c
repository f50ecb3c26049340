// test_i8259.c — the 8259A pair: init words, priorities, EOIs, cascade, poll, ELCR.
#include "unit.h"
#include "fake_devenv.h"
#include "vmm/dev/i8259.h"

static struct fake F;

// The pair as Linux programs it: vectors 0x20/0x28, cascade on 2, 8086 mode, unmasked.
static struct i8259 *setup(struct iobus **busp, bool aeoi)
{
    fake_init(&F);
    struct iobus *bus = iobus_create(0);
    struct i8259 *pic = i8259_create(&F.env);
    i8259_attach(pic, bus);
    iobus_out(bus, 0x20, 1, 0x11); iobus_out(bus, 0x21, 1, 0x20);
    iobus_out(bus, 0x21, 1, 0x04); iobus_out(bus, 0x21, 1, aeoi ? 0x03 : 0x01);
    iobus_out(bus, 0xa0, 1, 0x11); iobus_out(bus, 0xa1, 1, 0x28);
    iobus_out(bus, 0xa1, 1, 0x02); iobus_out(bus, 0xa1, 1, aeoi ? 0x03 : 0x01);
    iobus_out(bus, 0x21, 1, 0x00); iobus_out(bus, 0xa1, 1, 0x00);
    *busp = bus;
    return pic;
}

static void teardown(struct i8259 *pic, struct iobus *bus)
{
    i8259_destroy(pic);
    iobus_destroy(bus);
}

static void pulse(struct i8259 *pic, int irq)
{
    i8259_set_irq(pic, irq, 1);
    i8259_set_irq(pic, irq, 0);
}

TEST(i8259_power_on_masks_everything)
{
    fake_init(&F);
    struct iobus *bus = iobus_create(0);
    struct i8259 *pic = i8259_create(&F.env);
    i8259_attach(pic, bus);
    CHECK_EQ(iobus_in(bus, 0x21, 1), 0xff);
    pulse(pic, 0);
    CHECK(!i8259_has_intr(pic));
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x01);   // latched in IRR all the same
    teardown(pic, bus);
}

TEST(i8259_edge_deliver_and_eoi)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    pulse(pic, 0);
    CHECK(i8259_has_intr(pic));
    CHECK_EQ(i8259_intack(pic), 0x20);
    CHECK(!i8259_has_intr(pic));
    iobus_out(bus, 0x20, 1, 0x0b);             // OCW3: read ISR
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x01);
    pulse(pic, 0);                             // a second tick waits behind the first
    CHECK(!i8259_has_intr(pic));
    iobus_out(bus, 0x20, 1, 0x20);             // non-specific EOI
    CHECK(i8259_has_intr(pic));
    CHECK_EQ(i8259_intack(pic), 0x20);
    teardown(pic, bus);
}

TEST(i8259_edge_needs_a_new_rise)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, true);
    i8259_set_irq(pic, 4, 1);
    CHECK_EQ(i8259_intack(pic), 0x24);
    i8259_set_irq(pic, 4, 1);                  // still high: no new edge
    CHECK(!i8259_has_intr(pic));
    i8259_set_irq(pic, 4, 0);
    i8259_set_irq(pic, 4, 1);
    CHECK(i8259_has_intr(pic));
    teardown(pic, bus);
}

TEST(i8259_priority_and_nesting)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    pulse(pic, 4);
    pulse(pic, 1);
    CHECK_EQ(i8259_intack(pic), 0x21);         // IRQ 1 beats IRQ 4
    CHECK(!i8259_has_intr(pic));               // 4 waits for 1's EOI
    pulse(pic, 0);
    CHECK_EQ(i8259_intack(pic), 0x20);         // 0 nests over 1
    iobus_out(bus, 0x20, 1, 0x20);             // EOI clears the highest: 0
    iobus_out(bus, 0x20, 1, 0x0b);
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x02);
    iobus_out(bus, 0x20, 1, 0x61);             // specific EOI of 1
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x00);
    CHECK_EQ(i8259_intack(pic), 0x24);
    teardown(pic, bus);
}

TEST(i8259_irr_read_and_mask)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    iobus_out(bus, 0x21, 1, 0x08);
    pulse(pic, 3);
    CHECK(!i8259_has_intr(pic));
    iobus_out(bus, 0x20, 1, 0x0a);             // OCW3: read IRR
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x08);
    CHECK_EQ(iobus_in(bus, 0x21, 1), 0x08);
    iobus_out(bus, 0x21, 1, 0x00);
    CHECK_EQ(i8259_intack(pic), 0x23);
    teardown(pic, bus);
}

TEST(i8259_cascade_slave)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    pulse(pic, 14);
    CHECK(i8259_has_intr(pic));
    CHECK_EQ(i8259_intack(pic), 0x2e);
    iobus_out(bus, 0xa0, 1, 0x0b);
    CHECK_EQ(iobus_in(bus, 0xa0, 1), 0x40);
    iobus_out(bus, 0x20, 1, 0x0b);
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x04);
    pulse(pic, 8);                             // higher on the slave, but master 2 busy
    CHECK(!i8259_has_intr(pic));
    iobus_out(bus, 0xa0, 1, 0x20);
    iobus_out(bus, 0x20, 1, 0x20);
    CHECK_EQ(i8259_intack(pic), 0x28);
    teardown(pic, bus);
}

TEST(i8259_slave_mask_blocks_cascade)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    iobus_out(bus, 0xa1, 1, 0x40);
    pulse(pic, 14);
    CHECK(!i8259_has_intr(pic));
    iobus_out(bus, 0xa1, 1, 0x00);
    CHECK(i8259_has_intr(pic));
    CHECK_EQ(i8259_intack(pic), 0x2e);
    teardown(pic, bus);
}

TEST(i8259_spurious_irq7_and_15)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    CHECK_EQ(i8259_intack(pic), 0x27);         // nothing pending: spurious 7, no ISR
    iobus_out(bus, 0x20, 1, 0x0b);
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x00);
    // A level line that drops between INTR and INTA leaves a spurious IRQ 15 on the
    // slave; the master still has its cascade line in service.
    iobus_out(bus, 0x4d1, 1, 0x08);            // IRQ 11 level
    i8259_set_irq(pic, 11, 1);
    CHECK(i8259_has_intr(pic));
    i8259_set_irq(pic, 11, 0);
    CHECK(!i8259_has_intr(pic));
    CHECK_EQ(i8259_intack(pic), 0x27);
    teardown(pic, bus);
}

TEST(i8259_auto_eoi)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, true);
    pulse(pic, 0);
    CHECK_EQ(i8259_intack(pic), 0x20);
    iobus_out(bus, 0x20, 1, 0x0b);
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x00);    // never in service
    pulse(pic, 0);
    CHECK_EQ(i8259_intack(pic), 0x20);
    teardown(pic, bus);
}

TEST(i8259_poll_mode)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    iobus_out(bus, 0x20, 1, 0x0c);
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x00);    // poll with nothing pending
    pulse(pic, 5);
    iobus_out(bus, 0x20, 1, 0x0c);
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x85);
    iobus_out(bus, 0x20, 1, 0x0b);
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x20);    // the poll acknowledged it
    CHECK(!i8259_has_intr(pic));
    teardown(pic, bus);
}

TEST(i8259_level_via_elcr)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    iobus_out(bus, 0x4d0, 1, 0xff);
    CHECK_EQ(iobus_in(bus, 0x4d0, 1), 0xf8);   // IRQ 0-2 are always edge
    iobus_out(bus, 0x4d1, 1, 0xff);
    CHECK_EQ(iobus_in(bus, 0x4d1, 1), 0xde);
    i8259_set_irq(pic, 5, 1);
    CHECK_EQ(i8259_intack(pic), 0x25);
    iobus_out(bus, 0x20, 1, 0x20);
    CHECK(i8259_has_intr(pic));                // still high: requests again
    CHECK_EQ(i8259_intack(pic), 0x25);
    i8259_set_irq(pic, 5, 0);
    iobus_out(bus, 0x20, 1, 0x20);
    CHECK(!i8259_has_intr(pic));
    teardown(pic, bus);
}

TEST(i8259_rotation)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    iobus_out(bus, 0x20, 1, 0xc3);             // set priority: IRQ 3 lowest, 4 highest
    pulse(pic, 1);
    pulse(pic, 6);
    CHECK_EQ(i8259_intack(pic), 0x26);
    iobus_out(bus, 0x20, 1, 0xa0);             // rotate on non-specific EOI: 6 lowest
    CHECK_EQ(i8259_intack(pic), 0x21);
    teardown(pic, bus);
}

TEST(i8259_special_mask_mode)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    pulse(pic, 1);
    CHECK_EQ(i8259_intack(pic), 0x21);
    iobus_out(bus, 0x21, 1, 0x02);             // mask the line in service
    iobus_out(bus, 0x20, 1, 0x68);             // OCW3: set special mask mode
    pulse(pic, 5);                             // lower priority, yet allowed now
    CHECK_EQ(i8259_intack(pic), 0x25);
    teardown(pic, bus);
}

TEST(i8259_icw1_resets_state)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    pulse(pic, 3);
    CHECK_EQ(i8259_intack(pic), 0x23);
    iobus_out(bus, 0x20, 1, 0x11); iobus_out(bus, 0x21, 1, 0x30);
    iobus_out(bus, 0x21, 1, 0x04); iobus_out(bus, 0x21, 1, 0x01);
    iobus_out(bus, 0x20, 1, 0x0b);
    CHECK_EQ(iobus_in(bus, 0x20, 1), 0x00);
    CHECK_EQ(iobus_in(bus, 0x21, 1), 0x00);
    pulse(pic, 3);
    CHECK_EQ(i8259_intack(pic), 0x33);
    teardown(pic, bus);
}

TEST(i8259_cascade_line_is_not_a_device_line)
{
    struct iobus *bus;
    struct i8259 *pic = setup(&bus, false);
    i8259_set_irq(pic, 2, 1);
    CHECK(unit_log_contains("i8259 set_irq bad line irq=2"));
    CHECK(!i8259_has_intr(pic));
    teardown(pic, bus);
}

TEST(i8259_any_unmasked_follows_the_masks)
{
    fake_init(&F);
    struct iobus *bus = iobus_create(0);
    struct i8259 *pic = i8259_create(&F.env);
    i8259_attach(pic, bus);
    CHECK(!i8259_any_unmasked(pic));           // power-on: every line masked
    teardown(pic, bus);
    pic = setup(&bus, false);
    CHECK(i8259_any_unmasked(pic));
    iobus_out(bus, 0x21, 1, 0xfb);             // only the cascade open, the slave all masked
    iobus_out(bus, 0xa1, 1, 0xff);
    CHECK(!i8259_any_unmasked(pic));
    iobus_out(bus, 0xa1, 1, 0x7f);             // IRQ 15 open behind the cascade
    CHECK(i8259_any_unmasked(pic));
    iobus_out(bus, 0x21, 1, 0xff);             // the cascade itself masked
    CHECK(!i8259_any_unmasked(pic));
    iobus_out(bus, 0x21, 1, 0xfe);             // IRQ 0 open
    CHECK(i8259_any_unmasked(pic));
    teardown(pic, bus);
}
