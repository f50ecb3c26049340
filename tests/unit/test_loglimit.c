// test_loglimit.c — the per-VM, per-source bound on guest-driven log lines, alone and as
// the port bus uses it for a sweep over every port.
#include "unit.h"
#include "vmm/dev/loglimit.h"
#include "vmm/dev/iobus.h"
#include "kernel/config.h"

// Occurrences of needle in the captured log.
static int count(const char *needle)
{
    int n = 0;
    for (const char *s = unit_log(); (s = strstr(s, needle)); s += strlen(needle)) n++;
    return n;
}

TEST(loglimit_bound_then_one_line_then_count)
{
    loglimit_reset(3);
    unit_log_reset();
    for (int i = 0; i < LOGLIMIT_LINES; i++) CHECK(loglimit_allow(3, LOGSRC_PCI));
    CHECK_EQ(count("suppressed further lines"), 0);
    for (int i = 0; i < 1000; i++) CHECK(!loglimit_allow(3, LOGSRC_PCI));
    CHECK_EQ(count("vm=3 log source=pci suppressed further lines\n"), 1);
    CHECK_EQ(loglimit_suppressed(3, LOGSRC_PCI), 1000);
    loglimit_report(3);
    CHECK(unit_log_contains("vm=3 log suppressed pci=1000\n"));
}

TEST(loglimit_sources_and_vms_are_independent)
{
    loglimit_reset(1);
    loglimit_reset(2);
    for (int i = 0; i < LOGLIMIT_LINES + 5; i++) loglimit_allow(1, LOGSRC_IO_REGISTER);
    CHECK(loglimit_allow(1, LOGSRC_PCI));
    CHECK(loglimit_allow(2, LOGSRC_IO_REGISTER));
    CHECK_EQ(loglimit_suppressed(1, LOGSRC_IO_REGISTER), 5);
    CHECK_EQ(loglimit_suppressed(2, LOGSRC_IO_REGISTER), 0);
    unit_log_reset();
    loglimit_report(2);
    CHECK_EQ(count("log suppressed"), 0);     // nothing refused: no line
}

TEST(loglimit_reset_starts_afresh)
{
    loglimit_reset(4);
    for (int i = 0; i < LOGLIMIT_LINES + 1; i++) loglimit_allow(4, LOGSRC_IO_REGISTER);
    CHECK(!loglimit_allow(4, LOGSRC_IO_REGISTER));
    loglimit_reset(4);
    CHECK(loglimit_allow(4, LOGSRC_IO_REGISTER));
    CHECK_EQ(loglimit_suppressed(4, LOGSRC_IO_REGISTER), 0);
}

TEST(loglimit_out_of_range_lets_lines_through)
{
    for (int i = 0; i < 3 * LOGLIMIT_LINES; i++) {
        CHECK(loglimit_allow(-1, LOGSRC_PCI));
        CHECK(loglimit_allow(MAX_VMS, LOGSRC_PCI));
        CHECK(loglimit_allow(0, LOGSRC_COUNT));
    }
    CHECK_EQ(loglimit_suppressed(MAX_VMS, LOGSRC_PCI), 0);
}

// A guest reading every port of an empty bus gets all ones, and the log holds at most
// LOGLIMIT_LINES `io unhandled` lines plus the one suppression line.
TEST(loglimit_bounds_an_unclaimed_port_sweep)
{
    struct iobus *bus = iobus_create(5);
    loglimit_reset(5);
    unit_log_reset();
    for (u32 p = 0; p < 0x10000; p++) CHECK_EQ(iobus_in(bus, (u16)p, 1), 0xff);
    CHECK_EQ(count("vm=5 io unhandled"), LOGLIMIT_LINES);
    CHECK_EQ(count("vm=5 log source=io-unhandled suppressed further lines\n"), 1);
    CHECK_EQ(loglimit_suppressed(5, LOGSRC_IO_UNHANDLED), 0x10000 - LOGLIMIT_LINES);
    iobus_destroy(bus);
}

// A range that cannot be claimed, registered again and again (a guest moving a BAR onto
// a taken port in a loop), logs within the bound.
TEST(loglimit_bounds_register_conflicts)
{
    struct iobus *bus = iobus_create(6);
    loglimit_reset(6);
    unit_log_reset();
    CHECK(iobus_register(bus, 0x100, 8, IOBUS_SZALL, NULL, NULL, NULL, "a"));
    for (int i = 0; i < 1000; i++) CHECK(!iobus_register(bus, 0x104, 8, IOBUS_SZALL, NULL, NULL, NULL, "b"));
    CHECK_EQ(count("vm=6 io register conflict"), LOGLIMIT_LINES);
    CHECK_EQ(count("vm=6 log source=io-register suppressed further lines\n"), 1);
    iobus_destroy(bus);
}
