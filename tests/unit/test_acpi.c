// test_acpi.c — the ACPI tables as an OS finds them: RSDP scan, checksums, FADT, DSDT AML.
#include "unit.h"
#include "vmm/acpi.h"
#include "vmm/dev/acpi_pm.h"
#include <stdlib.h>

#define RAM (2u << 20)

static u32 rd(const u8 *p, int n)
{
    u32 v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static int sum(const u8 *p, u32 len)
{
    u8 s = 0;
    for (u32 i = 0; i < len; i++) s += p[i];
    return s;
}

// The RSDP as Linux looks for it: "RSD PTR " on a 16-byte boundary in 0xe0000-0xfffff
// with a valid checksum; 0 if none.
static u32 find_rsdp(const u8 *ram)
{
    for (u32 a = 0xe0000; a < 0x100000; a += 16)
        if (!memcmp(ram + a, "RSD PTR ", 8) && sum(ram + a, 20) == 0) return a;
    return 0;
}

// A table at `gpa` inside the ACPI block, signature `sig`, checksum valid.
static int table_ok(const u8 *ram, u32 gpa, const char *sig)
{
    if (gpa < ACPI_BASE || gpa + 36 > ACPI_BASE + ACPI_SIZE) return 0;
    u32 len = rd(ram + gpa + 4, 4);
    return !memcmp(ram + gpa, sig, 4) && gpa + len <= ACPI_BASE + ACPI_SIZE && sum(ram + gpa, len) == 0;
}

// The FADT the RSDT lists.
static u32 find_fadt(const u8 *ram)
{
    u32 rsdt = rd(ram + find_rsdp(ram) + 16, 4);
    u32 n = (rd(ram + rsdt + 4, 4) - 36) / 4;
    for (u32 i = 0; i < n; i++) {
        u32 t = rd(ram + rsdt + 36 + 4 * i, 4);
        if (!memcmp(ram + t, "FACP", 4)) return t;
    }
    return 0;
}

// Decode the PkgLength at `p`: the body's end, with *skip set to the length's own bytes.
static const u8 *pkg_end(const u8 *p, int *skip)
{
    int follow = p[0] >> 6;
    u32 len = follow ? p[0] & 0xf : p[0] & 0x3f;
    for (int i = 0; i < follow; i++) len |= (u32)p[1 + i] << (4 + 8 * i);
    *skip = 1 + follow;
    return p + len;
}

static u8 *build(void)
{
    u8 *ram = calloc(1, RAM);
    memset(ram + 0xe0000, 0xcc, 0x20000);       // whatever was there: every byte gets written
    if (!acpi_build(ram, RAM, 0)) { free(ram); return NULL; }
    return ram;
}

TEST(acpi_rsdp_found_by_scan)
{
    u8 *ram = build();
    CHECK(ram);
    u32 rsdp = find_rsdp(ram);
    CHECK_EQ(rsdp, ACPI_BASE);
    CHECK_EQ(ram[rsdp + 15], 0);                      // revision 0: ACPI 1.0, RSDT
    CHECK(!memcmp(ram + rsdp + 9, "MYRMEX", 6));
    u32 rsdt = rd(ram + rsdp + 16, 4);
    CHECK(table_ok(ram, rsdt, "RSDT"));
    CHECK_EQ(rd(ram + rsdt + 4, 4), 36 + 4);          // one entry: the FADT
    free(ram);
}

TEST(acpi_fadt_fields)
{
    u8 *ram = build();
    CHECK(ram);
    u32 f = find_fadt(ram);
    CHECK(table_ok(ram, f, "FACP"));
    const u8 *t = ram + f;
    CHECK_EQ(rd(t + 4, 4), 244);
    CHECK_EQ(t[8], 3);
    CHECK_EQ(rd(t + 46, 2), ACPI_PM_SCI_IRQ);
    CHECK_EQ(rd(t + 48, 4), 0);                       // no SMI_CMD: always in ACPI mode
    CHECK_EQ(rd(t + 56, 4), 0x600);                   // PM1a_EVT_BLK
    CHECK_EQ(rd(t + 64, 4), 0x604);                   // PM1a_CNT_BLK
    CHECK_EQ(rd(t + 76, 4), 0x608);                   // PM_TMR_BLK
    CHECK_EQ(rd(t + 80, 4), 0);                       // no GPE0
    CHECK_EQ(t[88], 4);
    CHECK_EQ(t[89], 2);
    CHECK_EQ(t[91], 4);
    CHECK_EQ(t[108], 0x32);                           // CMOS century register
    CHECK_EQ(rd(t + 109, 2), 3);                      // legacy devices and an 8042
    u32 flags = rd(t + 112, 4);
    CHECK(flags & (1u << 10));                        // RESET_REG_SUP
    CHECK(!(flags & (1u << 8)));                      // TMR_VAL_EXT clear: 24-bit timer
    CHECK_EQ(t[116], 1);                              // reset register: system I/O
    CHECK_EQ(t[117], 8);
    CHECK_EQ(t[118], 0);
    CHECK_EQ(rd(t + 120, 4), 0xcf9);
    CHECK_EQ(rd(t + 124, 4), 0);
    CHECK_EQ(t[128], 6);
    u32 facs = rd(t + 36, 4);
    CHECK(!memcmp(ram + facs, "FACS", 4));
    CHECK_EQ(rd(ram + facs + 4, 4), 64);
    CHECK_EQ(facs % 64, 0);
    CHECK(table_ok(ram, rd(t + 40, 4), "DSDT"));
    free(ram);
}

// The DSDT's AML: \_S5 = Package { 5, 5, 0, 0 }, then Scope(\_SB) holding Device(PCI0),
// every PkgLength ending exactly where its enclosing object does.
TEST(acpi_dsdt_aml_structure)
{
    u8 *ram = build();
    CHECK(ram);
    u32 d = rd(ram + find_fadt(ram) + 40, 4);
    const u8 *p = ram + d + 36, *end = ram + d + rd(ram + d + 4, 4);
    static const u8 s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 5, 0x0a, 5, 0x00, 0x00 };
    CHECK(!memcmp(p, s5, sizeof s5));
    p += sizeof s5;
    int skip;
    CHECK_EQ(p[0], 0x10);                             // ScopeOp
    const u8 *scope_end = pkg_end(p + 1, &skip);
    CHECK(scope_end == end);
    p += 1 + skip;
    CHECK(!memcmp(p, "\\_SB_", 5));
    p += 5;
    CHECK(p[0] == 0x5b && p[1] == 0x82);              // DeviceOp
    const u8 *dev_end = pkg_end(p + 2, &skip);
    CHECK(dev_end == scope_end);
    p += 2 + skip;
    static const u8 hid[] = { 'P', 'C', 'I', '0', 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03 };
    CHECK(!memcmp(p, hid, sizeof hid));
    p += sizeof hid;
    CHECK(!memcmp(p, "\x08_CRS\x11", 6));
    const u8 *buf_end = pkg_end(p + 6, &skip);
    CHECK(buf_end == dev_end);
    p += 6 + skip;
    CHECK_EQ(p[0], 0x0a);                             // BufferSize as a byte
    u32 n = p[1];
    p += 2;
    CHECK(p + n == buf_end);
    // Descriptors: bus 0-0xff, I/O 0-0xcf7, I/O 0xd00-0xffff, VGA, RAM top-0xfebfffff, end.
    CHECK(p[0] == 0x88 && p[3] == 2 && rd(p + 8, 2) == 0 && rd(p + 10, 2) == 0xff && rd(p + 14, 2) == 0x100);
    p += 16;
    CHECK(p[0] == 0x88 && p[3] == 1 && rd(p + 8, 2) == 0 && rd(p + 10, 2) == 0xcf7 && rd(p + 14, 2) == 0xcf8);
    p += 16;
    CHECK(p[0] == 0x88 && p[3] == 1 && rd(p + 8, 2) == 0xd00 && rd(p + 10, 2) == 0xffff);
    p += 16;
    CHECK(p[0] == 0x87 && p[3] == 0 && rd(p + 10, 4) == 0xa0000 && rd(p + 14, 4) == 0xbffff);
    p += 26;
    CHECK(p[0] == 0x87 && rd(p + 10, 4) == RAM && rd(p + 14, 4) == 0xfebfffff &&
          rd(p + 22, 4) == 0xfebfffff - RAM + 1);
    p += 26;
    CHECK(p[0] == 0x79 && p + 2 == buf_end);
    free(ram);
}

TEST(acpi_needs_the_bios_area)
{
    u8 ram[0x1000];
    CHECK(!acpi_build(ram, sizeof ram, 0));
}
