// test_iobus.c — port dispatch: ranges, sizes, byte splitting, floating unclaimed ports.
#include "unit.h"
#include "vmm/dev/iobus.h"
#include "kernel/log.h"

struct rec { u16 port; int size; u32 val; int ins, outs; u8 regs[8]; };

static u32 rec_in(void *dev, u16 port, int size)
{
    struct rec *r = dev;
    r->ins++; r->port = port; r->size = size;
    return 0x11223344u >> (8 * (4 - size));
}

static void rec_out(void *dev, u16 port, int size, u32 val)
{
    struct rec *r = dev;
    r->outs++; r->port = port; r->size = size; r->val = val;
}

TEST(iobus_dispatch_by_size)
{
    struct iobus *bus = iobus_create(0);
    struct rec r = {0};
    CHECK(iobus_register(bus, 0xcf8, 8, IOBUS_SZALL, rec_in, rec_out, &r, "rec"));
    CHECK_EQ(iobus_in(bus, 0xcfc, 4), 0x11223344);
    CHECK_EQ(r.size, 4);
    iobus_out(bus, 0xcfe, 2, 0xabcd);
    CHECK_EQ(r.port, 0xcfe); CHECK_EQ(r.size, 2); CHECK_EQ(r.val, 0xabcd);
    iobus_destroy(bus);
}

TEST(iobus_splits_wide_access_to_byte_device)
{
    struct iobus *bus = iobus_create(0);
    struct rec r = {0};
    CHECK(iobus_register(bus, 0x20, 2, IOBUS_SZ8, rec_in, rec_out, &r, "pic"));
    CHECK_EQ(iobus_in(bus, 0x20, 2), 0x1111);   // two byte reads of 0x11
    CHECK_EQ(r.ins, 2); CHECK_EQ(r.size, 1);
    iobus_out(bus, 0x20, 2, 0x5566);
    CHECK_EQ(r.outs, 2); CHECK_EQ(r.port, 0x21); CHECK_EQ(r.val, 0x55);
    iobus_destroy(bus);
}

TEST(iobus_unclaimed_reads_ones_and_logs_once)
{
    struct iobus *bus = iobus_create(3);
    CHECK_EQ(iobus_in(bus, 0x2f8, 1), 0xff);
    CHECK_EQ(iobus_in(bus, 0x2f8, 2), 0xffff);
    CHECK_EQ(iobus_in(bus, 0x2f8, 4), 0xffffffff);
    iobus_out(bus, 0x2f8, 1, 0);
    CHECK(unit_log_contains("vm=3 io unhandled port=0x2f8 dir=in size=1"));
    const char *first = strstr(unit_log(), "port=0x2f8");
    CHECK(first && !strstr(first + 1, "port=0x2f8"));
    iobus_destroy(bus);
}

TEST(iobus_partly_claimed_access_splits)
{
    struct iobus *bus = iobus_create(0);
    struct rec r = {0};
    CHECK(iobus_register(bus, 0x61, 1, IOBUS_SZ8, rec_in, rec_out, &r, "p61"));
    CHECK_EQ(iobus_in(bus, 0x60, 2), 0x11ff);
    CHECK(unit_log_contains("port=0x60 dir=in size=1"));
    iobus_destroy(bus);
}

TEST(iobus_conflict_and_unregister)
{
    struct iobus *bus = iobus_create(0);
    struct rec r = {0};
    CHECK(iobus_register(bus, 0xc000, 16, IOBUS_SZALL, rec_in, rec_out, &r, "bm"));
    CHECK(!iobus_register(bus, 0xc008, 4, IOBUS_SZ8, rec_in, rec_out, &r, "x"));
    CHECK(unit_log_contains("conflict port=0xc008"));
    iobus_unregister(bus, 0xc000);
    CHECK_EQ(iobus_in(bus, 0xc000, 1), 0xff);
    CHECK(iobus_register(bus, 0xd000, 16, IOBUS_SZALL, rec_in, rec_out, &r, "bm"));
    CHECK_EQ(iobus_in(bus, 0xd002, 1), 0x11);
    iobus_destroy(bus);
}

TEST(iobus_dword_only_device_ignores_bytes)
{
    struct iobus *bus = iobus_create(0);
    struct rec r = {0};
    CHECK(iobus_register(bus, 0xf0, 4, IOBUS_SZ32, rec_in, rec_out, &r, "testdev"));
    CHECK_EQ(iobus_in(bus, 0xf0, 4), 0x11223344);
    CHECK_EQ(iobus_in(bus, 0xf0, 1), 0xff);
    CHECK_EQ(iobus_in(bus, 0xf2, 2), 0xffff);
    iobus_out(bus, 0xf1, 1, 0);
    CHECK_EQ(r.ins, 1); CHECK_EQ(r.outs, 0);
    CHECK(unit_log_contains("port=0xf0 dir=in size=1 dev=testdev takes no such size"));
    iobus_destroy(bus);
}
