// acpi.c — build the VM's ACPI tables (ACPI 2.0 layouts; RSDP revision 0 with an RSDT).
//
// Tables are laid out one after the other from ACPI_BASE: RSDP, FACS, DSDT, FADT, RSDT.
// Multi-byte fields are stored byte by byte: several sit at odd offsets (FADT
// IAPC_BOOT_ARCH, GAS addresses), and the guest's layout is little-endian by definition.
#include "vmm/acpi.h"
#include "vmm/dev/acpi_pm.h"
#include "vmm/dev/mc146818.h"
#include "vmm/dev/pci.h"
#include "kernel/lib.h"
#include "kernel/log.h"

#define MAX_TABLES       8          // RSDT entries
#define HDR_LEN          36         // the common table header
#define HDR_CHECKSUM     9
#define RSDP_LEN         20         // ACPI 1.0 RSDP
#define RSDP_CHECKSUM    8
#define FACS_LEN         64
#define FACS_ALIGN       64
#define FADT_LEN         244        // ACPI 2.0 / 3.0 FADT
#define FADT_REV         3
#define DSDT_REV         1          // 32-bit AML integers
#define RSDT_REV         1
#define TABLE_ALIGN      16
#define OEM_TABLE_ID     "MYRMEXPC"
#define OEM_REV          1
#define CREATOR_ID       "MYRX"
#define CREATOR_REV      1

// FADT field offsets
#define FADT_FACS        36
#define FADT_DSDT        40
#define FADT_SCI_INT     46
#define FADT_PM1A_EVT    56
#define FADT_PM1A_CNT    64
#define FADT_PM_TMR      76
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN  91
#define FADT_P_LVL2_LAT  96
#define FADT_P_LVL3_LAT  98
#define FADT_CENTURY     108
#define FADT_BOOT_ARCH   109
#define FADT_FLAGS       112
#define FADT_RESET_REG   116
#define FADT_RESET_VALUE 128
#define C2_NONE          101        // a latency over 100 us: no C2
#define C3_NONE          1001       // over 1000 us: no C3
#define BOOT_LEGACY_DEVS 0x0001     // IAPC_BOOT_ARCH: ISA devices (RTC, serial, PIC, PIT)
#define BOOT_8042        0x0002     // ... and a keyboard controller
#define FLAG_WBINVD      (1u << 0)
#define FLAG_PROC_C1     (1u << 2)
#define FLAG_PWR_BUTTON  (1u << 4)  // set: no fixed power button
#define FLAG_SLP_BUTTON  (1u << 5)  // set: no fixed sleep button
#define FLAG_FIX_RTC     (1u << 6)  // set: no RTC wake status in PM1
#define FLAG_RESET_REG   (1u << 10)
#define GAS_SYSTEM_IO    1
#define GAS_ACCESS_BYTE  1
#define RESET_VALUE      (PCI_RC_SRST | PCI_RC_RCPU)

// AML opcodes and the resource descriptors _CRS uses
#define AML_ZERO         0x00
#define AML_ONE          0x01
#define AML_NAME         0x08
#define AML_BYTE         0x0a
#define AML_WORD         0x0b
#define AML_DWORD        0x0c
#define AML_SCOPE        0x10
#define AML_BUFFER       0x11
#define AML_PACKAGE      0x12
#define AML_EXT          0x5b
#define AML_DEVICE       0x82        // after AML_EXT
#define AML_PKG1_MAX     0x3f        // PkgLength in one byte
#define AML_PKG2_MAX     0xfff       // ... in two
#define EISA_PNP0A03     0x030ad041  // EisaId("PNP0A03"), PCI host bridge, compressed
#define RES_WORD_ADDR    0x88
#define RES_DWORD_ADDR   0x87
#define RES_WORD_LEN     13
#define RES_DWORD_LEN    23
#define RES_END          0x79
#define RES_MEMORY       0
#define RES_IO           1
#define RES_BUS          2
#define RES_PRODUCER_FIXED 0x0c      // _MIF, _MAF set; producer; positive decode
#define RES_IO_ENTIRE    0x03        // _RNG: ISA and non-ISA ranges
#define RES_MEM_RW_CACHE 0x03        // _RW, cacheable
#define RES_MEM_RW       0x01        // _RW, non-cacheable
#define AML_MAX          512
#define PCI_MMIO_END     0xfebfffffULL   // below the (future) I/O APIC and HPET

struct builder {
    u8 *ram;
    u32 at, end;                    // free space [at, end) in guest-physical addresses
    u32 tables[MAX_TABLES];         // RSDT entries
    int ntables;
};

struct aml {
    u8 buf[AML_MAX];
    u32 len;
    bool overflow;
};

static void put(u8 *p, u64 v, int bytes)
{
    for (int i = 0; i < bytes; i++) p[i] = (u8)(v >> (8 * i));
}

static u8 checksum(const u8 *p, u32 len)
{
    u8 sum = 0;
    for (u32 i = 0; i < len; i++) sum += p[i];
    return (u8)-sum;
}

// Reserve `size` zeroed bytes at the next `align`ed address; its guest address, or 0.
static u32 place(struct builder *b, u32 size, u32 align)
{
    u32 at = ALIGN_UP(b->at, align);
    if (at > b->end || size > b->end - at) return 0;
    b->at = at + size;
    memset(b->ram + at, 0, size);
    return at;
}

// The common header of the table at `gpa` (its checksum is set by finish()).
static void header(struct builder *b, u32 gpa, const char *sig, u32 len, u8 rev)
{
    u8 *t = b->ram + gpa;
    memcpy(t, sig, 4);
    put(t + 4, len, 4);
    t[8] = rev;
    memcpy(t + 10, ACPI_OEM_ID, 6);
    memcpy(t + 16, OEM_TABLE_ID, 8);
    put(t + 24, OEM_REV, 4);
    memcpy(t + 28, CREATOR_ID, 4);
    put(t + 32, CREATOR_REV, 4);
}

static void finish(struct builder *b, u32 gpa, u32 len)
{
    u8 *t = b->ram + gpa;
    t[HDR_CHECKSUM] = 0;
    t[HDR_CHECKSUM] = checksum(t, len);
}

// List table `gpa` in the RSDT (0: it could not be placed, so acpi_build fails).
static bool rsdt_add(struct builder *b, u32 gpa)
{
    if (!gpa || b->ntables == MAX_TABLES) return false;
    b->tables[b->ntables++] = gpa;
    return true;
}

static void aml_bytes(struct aml *a, const void *src, u32 n)
{
    if (n > AML_MAX - a->len) { a->overflow = true; return; }
    memcpy(a->buf + a->len, src, n);
    a->len += n;
}

static void aml_byte(struct aml *a, u8 v) { aml_bytes(a, &v, 1); }

// The shortest AML encoding of integer `v`.
static void aml_int(struct aml *a, u32 v)
{
    u8 b[4];
    put(b, v, 4);
    if (v <= AML_ONE) { aml_byte(a, (u8)v); return; }
    int n = v <= 0xff ? 1 : v <= 0xffff ? 2 : 4;
    aml_byte(a, n == 1 ? AML_BYTE : n == 2 ? AML_WORD : AML_DWORD);
    aml_bytes(a, b, n);
}

// Open a PkgLength-prefixed body: returns where its length byte goes.
static u32 aml_open(struct aml *a)
{
    aml_byte(a, 0);
    return a->len - 1;
}

// Close the body opened at `at`: its PkgLength (which counts its own bytes), in one or
// two bytes.
static void aml_close(struct aml *a, u32 at)
{
    if (a->overflow) return;
    u32 len = a->len - at;
    if (len <= AML_PKG1_MAX) { a->buf[at] = (u8)len; return; }
    len++;
    if (len > AML_PKG2_MAX || a->len == AML_MAX) { a->overflow = true; return; }
    memmove(a->buf + at + 2, a->buf + at + 1, a->len - at - 1);
    a->len++;
    a->buf[at] = (u8)(0x40 | (len & 0xf));
    a->buf[at + 1] = (u8)(len >> 4);
}

// Name(_S5, Package() { S5, S5, 0, 0 }): the SLP_TYP values for PM1a and PM1b.
static void aml_s5(struct aml *a)
{
    aml_byte(a, AML_NAME);
    aml_bytes(a, "_S5_", 4);
    aml_byte(a, AML_PACKAGE);
    u32 p = aml_open(a);
    aml_byte(a, 4);
    aml_int(a, ACPI_PM_SLP_TYP_S5);
    aml_int(a, ACPI_PM_SLP_TYP_S5);
    aml_int(a, 0);
    aml_int(a, 0);
    aml_close(a, p);
}

// A Word Address Space descriptor (bus numbers or I/O ports) the bridge produces.
static void res_word(struct aml *a, u8 type, u8 tflags, u16 min, u16 max)
{
    u8 d[3 + RES_WORD_LEN] = { RES_WORD_ADDR, RES_WORD_LEN, 0, type, RES_PRODUCER_FIXED, tflags };
    put(d + 8, min, 2);
    put(d + 10, max, 2);
    put(d + 14, (u32)max - min + 1, 2);
    aml_bytes(a, d, sizeof d);
}

// A DWord memory window the bridge produces.
static void res_mem(struct aml *a, u8 tflags, u32 min, u32 max)
{
    u8 d[3 + RES_DWORD_LEN] = { RES_DWORD_ADDR, RES_DWORD_LEN, 0, RES_MEMORY, RES_PRODUCER_FIXED, tflags };
    put(d + 10, min, 4);
    put(d + 14, max, 4);
    put(d + 22, max - min + 1, 4);
    aml_bytes(a, d, sizeof d);
}

// Scope(\_SB) { Device(PCI0) { _HID PNP0A03, _CRS: bus 0-255, the I/O ports but
// 0xcf8-0xcff, the VGA window and the addresses from the top of RAM to PCI_MMIO_END } }
static void aml_pci0(struct aml *a, u64 ram_size)
{
    aml_byte(a, AML_SCOPE);
    u32 scope = aml_open(a);
    aml_bytes(a, "\\_SB_", 5);
    aml_byte(a, AML_EXT);
    aml_byte(a, AML_DEVICE);
    u32 dev = aml_open(a);
    aml_bytes(a, "PCI0", 4);
    aml_byte(a, AML_NAME);
    aml_bytes(a, "_HID", 4);
    aml_byte(a, AML_DWORD);
    u8 hid[4];
    put(hid, EISA_PNP0A03, 4);
    aml_bytes(a, hid, 4);
    aml_byte(a, AML_NAME);
    aml_bytes(a, "_CRS", 4);
    aml_byte(a, AML_BUFFER);
    u32 buf = aml_open(a);
    struct aml res = { 0 };
    res_word(&res, RES_BUS, 0, 0, 0xff);
    res_word(&res, RES_IO, RES_IO_ENTIRE, 0, PCI_ADDR_PORT - 1);
    res_word(&res, RES_IO, RES_IO_ENTIRE, PCI_ADDR_PORT + 8, 0xffff);
    res_mem(&res, RES_MEM_RW_CACHE, 0xa0000, 0xbffff);
    if (ram_size <= PCI_MMIO_END) res_mem(&res, RES_MEM_RW, (u32)ram_size, (u32)PCI_MMIO_END);
    aml_byte(&res, RES_END);
    aml_byte(&res, 0);                               // checksum 0: "treat as valid"
    aml_int(a, res.len);
    aml_bytes(a, res.buf, res.len);
    a->overflow |= res.overflow;
    aml_close(a, buf);
    aml_close(a, dev);
    aml_close(a, scope);
}

static u32 build_dsdt(struct builder *b, u64 ram_size)
{
    struct aml a = { 0 };
    aml_s5(&a);
    aml_pci0(&a, ram_size);
    if (a.overflow) return 0;
    u32 len = HDR_LEN + a.len;
    u32 gpa = place(b, len, TABLE_ALIGN);
    if (!gpa) return 0;
    header(b, gpa, "DSDT", len, DSDT_REV);
    memcpy(b->ram + gpa + HDR_LEN, a.buf, a.len);
    finish(b, gpa, len);
    return gpa;
}

// The FACS: no checksum; firmware waking vector and global lock unused.
static u32 build_facs(struct builder *b)
{
    u32 gpa = place(b, FACS_LEN, FACS_ALIGN);
    if (!gpa) return 0;
    memcpy(b->ram + gpa, "FACS", 4);
    put(b->ram + gpa + 4, FACS_LEN, 4);
    return gpa;
}

static u32 build_fadt(struct builder *b, u32 facs, u32 dsdt)
{
    u32 gpa = place(b, FADT_LEN, TABLE_ALIGN);
    if (!gpa || !facs || !dsdt) return 0;
    u8 *t = b->ram + gpa;
    header(b, gpa, "FACP", FADT_LEN, FADT_REV);
    put(t + FADT_FACS, facs, 4);
    put(t + FADT_DSDT, dsdt, 4);
    put(t + FADT_SCI_INT, ACPI_PM_SCI_IRQ, 2);
    // SMI_CMD 0: always in ACPI mode. No PM1b, PM2 or GPE blocks.
    put(t + FADT_PM1A_EVT, ACPI_PM_EVT_PORT, 4);
    put(t + FADT_PM1A_CNT, ACPI_PM_CNT_PORT, 4);
    put(t + FADT_PM_TMR, ACPI_PM_TMR_PORT, 4);
    t[FADT_PM1_EVT_LEN] = ACPI_PM_EVT_LEN;
    t[FADT_PM1_CNT_LEN] = ACPI_PM_CNT_LEN;
    t[FADT_PM_TMR_LEN] = ACPI_PM_TMR_LEN;
    put(t + FADT_P_LVL2_LAT, C2_NONE, 2);
    put(t + FADT_P_LVL3_LAT, C3_NONE, 2);
    t[FADT_CENTURY] = MC146818_CENTURY;
    put(t + FADT_BOOT_ARCH, BOOT_LEGACY_DEVS | BOOT_8042, 2);
    put(t + FADT_FLAGS, FLAG_WBINVD | FLAG_PROC_C1 | FLAG_PWR_BUTTON | FLAG_SLP_BUTTON | FLAG_FIX_RTC |
                        FLAG_RESET_REG, 4);
    u8 *rr = t + FADT_RESET_REG;
    rr[0] = GAS_SYSTEM_IO;
    rr[1] = 8;                                        // bit width
    rr[3] = GAS_ACCESS_BYTE;
    put(rr + 4, PCI_RC_PORT, 8);
    t[FADT_RESET_VALUE] = RESET_VALUE;
    finish(b, gpa, FADT_LEN);
    return gpa;
}

static u32 build_rsdt(struct builder *b)
{
    u32 len = HDR_LEN + 4 * b->ntables;
    u32 gpa = place(b, len, TABLE_ALIGN);
    if (!gpa) return 0;
    header(b, gpa, "RSDT", len, RSDT_REV);
    for (int i = 0; i < b->ntables; i++) put(b->ram + gpa + HDR_LEN + 4 * i, b->tables[i], 4);
    finish(b, gpa, len);
    return gpa;
}

// The RSDP at `gpa` (revision 0: ACPI 1.0, RSDT only).
static void build_rsdp(struct builder *b, u32 gpa, u32 rsdt)
{
    u8 *p = b->ram + gpa;
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, ACPI_OEM_ID, 6);
    put(p + 16, rsdt, 4);
    p[RSDP_CHECKSUM] = checksum(p, RSDP_LEN);
}

// Write the tables into guest RAM at ACPI_BASE.
bool acpi_build(u8 *ram, u64 ram_size, int vm_id)
{
    struct builder b = { ram, ACPI_BASE, ACPI_BASE + ACPI_SIZE, { 0 }, 0 };
    if (ram_size < ACPI_BASE + ACPI_SIZE) return false;
    u32 rsdp = place(&b, RSDP_LEN, TABLE_ALIGN);
    u32 facs = build_facs(&b);
    u32 dsdt = build_dsdt(&b, ram_size);
    bool ok = rsdt_add(&b, build_fadt(&b, facs, dsdt));
    u32 rsdt = ok ? build_rsdt(&b) : 0;
    if (!rsdp || !rsdt) {
        log_err("vm=%d acpi tables do not fit in 0x%x-0x%x", vm_id, ACPI_BASE, ACPI_BASE + ACPI_SIZE);
        return false;
    }
    build_rsdp(&b, rsdp, rsdt);
    log_info("vm=%d acpi rsdp=0x%x rsdt=0x%x tables=%d pm-base=0x%x sci=%d", vm_id, rsdp, rsdt, b.ntables,
             ACPI_PM_BASE, ACPI_PM_SCI_IRQ);
    return true;
}
