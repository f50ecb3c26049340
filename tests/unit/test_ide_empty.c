// test_ide_empty.c — empty IDE channels: each Linux probe sees no device at once.
#include "unit.h"
#include "fake_devenv.h"
#include "vmm/dev/ide_empty.h"

static struct fake F;
static struct iobus *B;

static struct ide_empty *setup(void)
{
    fake_init(&F);
    B = iobus_create(0);
    struct ide_empty *ide = ide_empty_create(&F.env);
    ide_empty_attach(ide, B);
    return ide;
}

static void teardown(struct ide_empty *ide)
{
    ide_empty_destroy(ide);
    iobus_destroy(B);
}

TEST(ide_empty_status_not_busy_everywhere)
{
    struct ide_empty *ide = setup();
    static const u16 base[2] = { 0x1f0, 0x170 }, ctl[2] = { 0x3f6, 0x376 };
    for (int c = 0; c < 2; c++) {
        for (int drive = 0; drive < 2; drive++) {
            iobus_out(B, base[c] + 6, 1, drive ? 0xb0 : 0xa0);
            CHECK_EQ(iobus_in(B, base[c] + 7, 1), 0x7f);
            CHECK_EQ(iobus_in(B, base[c] + 7, 1) & 0x80, 0);   // BSY clear: no wait
            CHECK_EQ(iobus_in(B, ctl[c], 1), 0x7f);
        }
    }
    CHECK(!unit_log_contains("unhandled"));
    teardown(ide);
}

TEST(ide_empty_old_ide_select_readback_fails)
{
    struct ide_empty *ide = setup();
    iobus_out(B, 0x1f6, 1, 0xa0);                 // do_probe: SELECT_DRIVE
    CHECK(iobus_in(B, 0x1f6, 1) != 0xa0);
    iobus_out(B, 0x176, 1, 0xb0);
    CHECK(iobus_in(B, 0x176, 1) != 0xb0);
    teardown(ide);
}

TEST(ide_empty_libata_devchk_and_classify)
{
    struct ide_empty *ide = setup();
    iobus_out(B, 0x1f2, 1, 0x55); iobus_out(B, 0x1f3, 1, 0xaa);
    iobus_out(B, 0x1f2, 1, 0xaa); iobus_out(B, 0x1f3, 1, 0x55);
    iobus_out(B, 0x1f2, 1, 0x55); iobus_out(B, 0x1f3, 1, 0xaa);
    CHECK(!(iobus_in(B, 0x1f2, 1) == 0x55 && iobus_in(B, 0x1f3, 1) == 0xaa));
    u8 err = (u8)iobus_in(B, 0x1f1, 1);
    CHECK(err != 0x00 && err != 0x01 && err != 0x81);   // -> ATA_DEV_NONE
    teardown(ide);
}

TEST(ide_empty_data_port_widths)
{
    struct ide_empty *ide = setup();
    CHECK_EQ(iobus_in(B, 0x1f0, 2), 0xff7f);
    CHECK_EQ(iobus_in(B, 0x170, 4), 0xff7fff7f);
    teardown(ide);
}

TEST(ide_empty_bus_master_registers)
{
    struct ide_empty *ide = setup();
    ide_empty_bm_out(ide, 0, 1, 0xff);
    CHECK_EQ(ide_empty_bm_in(ide, 0, 1), 0x09);
    ide->bm[2] = 0x06;                            // error and interrupt latched
    ide_empty_bm_out(ide, 2, 1, 0x24);            // clear interrupt, set DMA0 capable
    CHECK_EQ(ide_empty_bm_in(ide, 2, 1), 0x22);
    ide_empty_bm_out(ide, 12, 4, 0x12345677);
    CHECK_EQ(ide_empty_bm_in(ide, 12, 4), 0x12345674);   // PRD pointer is dword aligned
    CHECK(unit_log_contains("bus master started with no drive"));
    teardown(ide);
}
