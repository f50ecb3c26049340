// test_pci.c — config mechanism 1, Linux's type 1/2 probes, bus 0 devices, BARs, 0xcf9.
#include "unit.h"
#include "fake_devenv.h"
#include "vmm/dev/pci.h"
#include "vmm/dev/ide_empty.h"

static struct fake F;
static struct iobus *B;

static struct pci *setup(void)
{
    fake_init(&F);
    B = iobus_create(0);
    struct pci *pci = pci_create(&F.env, B);
    pci_attach(pci);
    return pci;
}

static void teardown(struct pci *pci)
{
    pci_destroy(pci);
    iobus_destroy(B);
}

static u32 cfg_read(int dev, int fn, int off, int size)
{
    iobus_out(B, 0xcf8, 4, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
    return iobus_in(B, (u16)(0xcfc + (off & 3)), size);
}

static void cfg_write(int dev, int fn, int off, int size, u32 v)
{
    iobus_out(B, 0xcf8, 4, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
    iobus_out(B, (u16)(0xcfc + (off & 3)), size, v);
}

TEST(pci_linux_type1_probe_succeeds)
{
    struct pci *pci = setup();
    iobus_out(B, 0xcfb, 1, 0x01);
    u32 tmp = iobus_in(B, 0xcf8, 4);
    iobus_out(B, 0xcf8, 4, 0x80000000u);
    CHECK_EQ(iobus_in(B, 0xcf8, 4), 0x80000000u);
    iobus_out(B, 0xcf8, 4, tmp);
    CHECK(!unit_log_contains("unhandled"));
    teardown(pci);
}

TEST(pci_linux_type2_probe_fails)
{
    struct pci *pci = setup();
    iobus_out(B, 0xcfb, 1, 0x00);
    iobus_out(B, 0xcf8, 1, 0x00);
    iobus_out(B, 0xcfa, 1, 0x00);
    CHECK_EQ(iobus_in(B, 0xcf8, 1), 0xff);
    CHECK_EQ(iobus_in(B, 0xcfa, 1), 0xff);
    teardown(pci);
}

TEST(pci_bus0_devices)
{
    struct pci *pci = setup();
    CHECK_EQ(cfg_read(0, 0, 0x00, 4), 0x12378086);
    CHECK_EQ(cfg_read(0, 0, 0x0a, 2), 0x0600);    // pci_sanity_check: host bridge class
    CHECK_EQ(cfg_read(0, 0, 0x0e, 1), 0x00);
    CHECK_EQ(cfg_read(1, 0, 0x00, 4), 0x70008086);
    CHECK_EQ(cfg_read(1, 0, 0x08, 4), 0x06010000);
    CHECK_EQ(cfg_read(1, 0, 0x0e, 1), 0x80);      // multi-function
    CHECK_EQ(cfg_read(1, 1, 0x00, 4), 0x70108086);
    CHECK_EQ(cfg_read(1, 1, 0x08, 4), 0x01018000);
    CHECK_EQ(cfg_read(1, 1, 0x41, 1) & 0x80, 0x80);   // primary channel decode on
    CHECK_EQ(cfg_read(1, 1, 0x43, 1) & 0x80, 0x80);
    CHECK_EQ(cfg_read(1, 1, 0x20, 4), 0xc001);
    CHECK_EQ(cfg_read(1, 1, 0x10, 4), 0);         // legacy mode: no BAR 0-3
    teardown(pci);
}

TEST(pci_absent_reads_all_ones)
{
    struct pci *pci = setup();
    CHECK_EQ(cfg_read(2, 0, 0, 4), 0xffffffffu);
    CHECK_EQ(cfg_read(1, 2, 0, 2), 0xffff);
    CHECK_EQ(cfg_read(0, 1, 0, 4), 0xffffffffu);
    iobus_out(B, 0xcf8, 4, 0x80010000u);          // bus 1
    CHECK_EQ(iobus_in(B, 0xcfc, 4), 0xffffffffu);
    iobus_out(B, 0xcf8, 4, 0x00000000u);          // enable bit clear
    CHECK_EQ(iobus_in(B, 0xcfc, 4), 0xffffffffu);
    teardown(pci);
}

TEST(pci_read_only_ids_and_writable_header)
{
    struct pci *pci = setup();
    cfg_write(0, 0, 0x00, 4, 0);
    CHECK_EQ(cfg_read(0, 0, 0x00, 4), 0x12378086);
    cfg_write(1, 1, 0x3c, 1, 14);
    CHECK_EQ(cfg_read(1, 1, 0x3c, 1), 14);
    cfg_write(1, 1, 0x0d, 1, 0x40);
    CHECK_EQ(cfg_read(1, 1, 0x0d, 1), 0x40);
    teardown(pci);
}

TEST(pci_bar4_sizing)
{
    struct pci *pci = setup();
    cfg_write(1, 1, 0x20, 4, 0xffffffffu);
    CHECK_EQ(cfg_read(1, 1, 0x20, 4), 0xfff1);    // 16 bytes of I/O, 16-bit decode
    cfg_write(1, 1, 0x20, 4, 0xc000);
    CHECK_EQ(cfg_read(1, 1, 0x20, 4), 0xc001);
    teardown(pci);
}

TEST(pci_bus_master_block_follows_bar4)
{
    struct pci *pci = setup();
    struct ide_empty *ide = ide_empty_create(&F.env);
    pci_set_ide_bm(pci, ide_empty_bm_in, ide_empty_bm_out, ide);
    iobus_out(B, 0xc002, 1, 0x60);
    CHECK_EQ(iobus_in(B, 0xc002, 1), 0x60);
    cfg_write(1, 1, 0x20, 4, 0xd000);
    CHECK_EQ(iobus_in(B, 0xd002, 1), 0x60);
    CHECK_EQ(iobus_in(B, 0xc002, 1), 0xff);       // no longer there
    cfg_write(1, 1, 0x04, 2, 0x0004);             // I/O decode off
    CHECK_EQ(iobus_in(B, 0xd002, 1), 0xff);
    cfg_write(1, 1, 0x04, 2, 0x0005);
    CHECK_EQ(iobus_in(B, 0xd002, 1), 0x60);
    ide_empty_destroy(ide);
    teardown(pci);
}

TEST(pci_reset_control_cf9)
{
    struct pci *pci = setup();
    iobus_out(B, 0xcf9, 1, 0x02);
    CHECK_EQ(F.resets, 0);
    CHECK_EQ(iobus_in(B, 0xcf9, 1), 0x02);
    iobus_out(B, 0xcf9, 1, 0x06);
    CHECK_EQ(F.resets, 1);
    CHECK_STR(F.reset_why, "cf9");
    iobus_out(B, 0xcf8, 4, 0x80000004u);          // a dword at 0xcf8 is not a reset
    CHECK_EQ(F.resets, 1);
    teardown(pci);
}

TEST(pci_unmodeled_register_logged_once)
{
    struct pci *pci = setup();
    cfg_write(1, 0, 0x82, 1, 0x02);               // Linux's PIIX3 passive-release quirk
    CHECK(unit_log_contains("pci 00:01.0 register 0x82=0x2 stored, not modeled"));
    CHECK_EQ(cfg_read(1, 0, 0x82, 1), 0x02);
    unit_log_reset();
    cfg_write(1, 0, 0x82, 1, 0x00);
    CHECK(!unit_log_contains("0x82"));
    teardown(pci);
}

// A guest may access the data window at any offset and size: the last register of the
// space must not let an access run past it (ASan would report it).
TEST(pci_unaligned_access_at_end_of_config_space_stays_inside)
{
    struct pci *pci = setup();
    for (int off = 0xfc; off <= 0xff; off++)
        for (int size = 1; size <= 4; size <<= 1) {
            cfg_write(0, 0, off, size, 0xffffffffu);
            (void)cfg_read(0, 0, off, size);
            (void)cfg_read(1, 1, off, size);
        }
    CHECK_EQ(cfg_read(0, 0, 0, 2), 0x8086);
    teardown(pci);
}
