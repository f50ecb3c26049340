// acpi.c — cpu.elf: the ACPI tables as an OS finds them (RSDP scan, checksums, FADT),
// the PM timer's rate against the PIT, and (with poweroff=1) S5 soft-off through PM1a_CNT
#include "cpu.h"
#include "io.h"
#include "print.h"
#include "test.h"

#define SCAN_START    0xe0000u
#define SCAN_END      0x100000u
#define FADT_FACS     36
#define FADT_DSDT     40
#define FADT_PM1A_CNT 64
#define FADT_PM_TMR   76
#define FADT_FLAGS    112
#define TMR_VAL_EXT   (1u << 8)
#define TMR_MASK      0xffffffu
#define PIT_CH0       0x40
#define PIT_CMD       0x43
#define PIT_CH0_MODE2 0x34       // channel 0, lo/hi byte, mode 2, binary
#define PIT_LATCH0    0x00
#define SPAN_TICKS    143182u    // 40 ms of PM timer: within one 55 ms PIT period
#define BRACKET_MAX   1790u      // a PIT sample taken within 0.5 ms of PM timer
#define TRIES         10
#define RATE_MIN      2940u      // PM ticks per 1000 PIT ticks: 3000 within 2%
#define RATE_MAX      3060u
#define READS         100
#define OFF_WAIT_TICKS 3579545u  // 1 s of PM timer
#define AML_NAME      0x08
#define AML_PACKAGE   0x12
#define AML_BYTE      0x0a
#define SLP_TYP_SHIFT 10
#define SLP_TYP       (7u << SLP_TYP_SHIFT)
#define SLP_EN        (1u << 13)

static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)a; }

static int sum_ok(uint32_t a, uint32_t len) {
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; i++) s += *(volatile uint8_t *)(a + i);
    return s == 0;
}

// The RSDP: "RSD PTR " on a 16-byte boundary in the BIOS area, checksum valid; 0 if none.
static uint32_t find_rsdp(void) {
    for (uint32_t a = SCAN_START; a < SCAN_END; a += 16)
        if (rd32(a) == 0x20445352 && rd32(a + 4) == 0x20525450 && sum_ok(a, 20)) return a;
    return 0;
}

// The table with signature `sig` the RSDT lists (checksum valid), or 0.
static uint32_t find_table(uint32_t rsdt, uint32_t sig) {
    uint32_t n = (rd32(rsdt + 4) - 36) / 4;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = rd32(rsdt + 36 + 4 * i);
        if (rd32(t) == sig && sum_ok(t, rd32(t + 4))) return t;
    }
    return 0;
}

// The FADT found from the RSDP, every checksum on the way verified; 0 if any fails.
static uint32_t find_fadt(void) {
    uint32_t rsdp = find_rsdp();
    if (!rsdp) return 0;
    uint32_t rsdt = rd32(rsdp + 16);
    if (rd32(rsdt) != 0x54445352 || !sum_ok(rsdt, rd32(rsdt + 4))) return 0;   // "RSDT"
    return find_table(rsdt, 0x50434146);                                       // "FACP"
}

static uint16_t pit_read(void) {
    outb(PIT_CMD, PIT_LATCH0);
    uint8_t lo = inb(PIT_CH0);
    return (uint16_t)(lo | inb(PIT_CH0) << 8);
}

// A PIT count and the PM timer count at the same moment (bracketed by two reads close
// together); 0 when the vCPU was held up every time.
static int sample(uint16_t tmr, uint16_t *pit, uint32_t *pm) {
    for (int i = 0; i < TRIES; i++) {
        uint32_t a = inl(tmr);
        *pit = pit_read();
        uint32_t b = inl(tmr);
        if (((b - a) & TMR_MASK) < BRACKET_MAX) {
            *pm = a + ((b - a) & TMR_MASK) / 2;
            return 1;
        }
    }
    return 0;
}

// The PM timer counts 3 ticks per PIT tick (3.579545 vs 1.193182 MHz).
static void check_pm_rate(uint16_t tmr) {
    outb(PIT_CMD, PIT_CH0_MODE2);
    outb(PIT_CH0, 0);
    outb(PIT_CH0, 0);
    uint16_t p0 = 0, p1 = 0;
    uint32_t t0 = 0, t1 = 0;
    int ok = sample(tmr, &p0, &t0);
    while (ok && ((inl(tmr) - t0) & TMR_MASK) < SPAN_TICKS) {}
    ok = ok && sample(tmr, &p1, &t1);
    uint32_t pit = (uint16_t)(p0 - p1), pm = (t1 - t0) & TMR_MASK;
    uint32_t rate = pit ? pm * 10 / (pit / 100) : 0;
    test_check(ok && rate >= RATE_MIN && rate <= RATE_MAX, "acpi_pm_timer_rate",
               "sampled=%d pm=%u pit=%u: %u PM ticks per 1000 PIT ticks", ok, pm, pit, rate);
    uint64_t c0 = rdtsc();
    for (int i = 0; i < READS; i++) inl(tmr);
    gprintf("INFO acpi_pm_read: %u TSC cycles per PM timer read\n", (uint32_t)((rdtsc() - c0) / READS));
}

// Tables, timer port and rate.
void check_acpi(void) {
    uint32_t fadt = find_fadt();
    if (!test_check(fadt != 0, "acpi_tables", "no RSDP/RSDT/FADT with valid checksums in 0x%x-0x%x", SCAN_START,
                    SCAN_END))
        return;
    uint32_t facs = rd32(fadt + FADT_FACS), dsdt = rd32(fadt + FADT_DSDT);
    test_check(rd32(facs) == 0x53434146 && rd32(dsdt) == 0x54445344 && sum_ok(dsdt, rd32(dsdt + 4)),
               "acpi_facs_dsdt", "facs=%x dsdt=%x", facs, dsdt);
    uint16_t tmr = (uint16_t)rd32(fadt + FADT_PM_TMR);
    uint32_t v = inl(tmr);
    test_check(tmr && ((rd32(fadt + FADT_FLAGS) & TMR_VAL_EXT) || !(v & ~TMR_MASK)), "acpi_pm_timer_24bit",
               "port %x reads %x", tmr, v);
    gprintf("INFO acpi: fadt=0x%x pm_tmr=0x%x pm1a_cnt=0x%x\n", fadt, tmr, rd32(fadt + FADT_PM1A_CNT));
    check_pm_rate(tmr);
}

// \_S5's first element (SLP_TYPa) from the DSDT's AML, or -1.
static int s5_type(uint32_t dsdt) {
    uint32_t end = dsdt + rd32(dsdt + 4);
    for (uint32_t a = dsdt + 36; a + 8 < end; a++) {
        volatile uint8_t *p = (volatile uint8_t *)a;
        if (p[0] != AML_NAME || p[1] != '_' || p[2] != 'S' || p[3] != '5' || p[4] != '_' || p[5] != AML_PACKAGE)
            continue;
        p += 6 + 1 + (p[6] >> 6) + 1;        // PkgLength, NumElements
        return p[0] == AML_BYTE ? p[1] : p[0] <= 1 ? p[0] : -1;
    }
    return -1;
}

// Soft off: SLP_TYPa of \_S5 with SLP_EN to PM1a_CNT. Returns only if the VM runs on.
void acpi_poweroff(void) {
    uint32_t fadt = find_fadt();
    int typ = fadt ? s5_type(rd32(fadt + FADT_DSDT)) : -1;
    uint16_t cnt = fadt ? (uint16_t)rd32(fadt + FADT_PM1A_CNT) : 0;
    gprintf("INFO poweroff: fadt=0x%x slp_typ=%d pm1a_cnt=0x%x\n", fadt, typ, cnt);
    if (typ >= 0 && cnt) outw(cnt, (uint16_t)((inw(cnt) & ~SLP_TYP) | typ << SLP_TYP_SHIFT | SLP_EN));
    // QEMU acts on the request a little later: give it a second of PM timer.
    uint16_t tmr = fadt ? (uint16_t)rd32(fadt + FADT_PM_TMR) : 0;
    for (uint32_t t0 = tmr ? inl(tmr) : 0; tmr && ((inl(tmr) - t0) & TMR_MASK) < OFF_WAIT_TICKS;) {}
    test_fail("acpi_poweroff", "still running after S5 (fadt=0x%x slp_typ=%d)", fadt, typ);
}
