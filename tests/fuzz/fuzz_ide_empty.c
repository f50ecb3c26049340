// fuzz_ide_empty.c — fuzz the empty IDE channels and their bus-master block (devprog.h).
#include "tests/fuzz/devprog.h"
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/ide_empty.h"
#include "vmm/dev/pci.h"

#define BM PCI_IDE_BM_BASE
static const u16 focus[] = {
    IDE_EMPTY_PRI_PORT, IDE_EMPTY_PRI_PORT + 1, IDE_EMPTY_PRI_PORT + 2, IDE_EMPTY_PRI_PORT + 6,
    IDE_EMPTY_PRI_PORT + 7, IDE_EMPTY_PRI_CTL, IDE_EMPTY_SEC_PORT, IDE_EMPTY_SEC_PORT + 6,
    IDE_EMPTY_SEC_PORT + 7, IDE_EMPTY_SEC_CTL, BM + IDE_BM_CMD, BM + IDE_BM_STATUS,
    BM + IDE_BM_PRD, BM + 8 + IDE_BM_CMD, BM + 8 + IDE_BM_STATUS, BM + 8 + IDE_BM_PRD,
};

// Seeds: a libata-style probe (select, status, device control reset, IDENTIFY), DMA
// start/stop and status clears on the bus-master block.
void fuzz_init(void)
{
    struct dpseed s = { .n = 0 };
    dps_out(&s, IDE_EMPTY_PRI_PORT + 6, 1, 0xa0);
    dps_in(&s, IDE_EMPTY_PRI_PORT + 7, 1);
    dps_out(&s, IDE_EMPTY_PRI_CTL, 1, 0x04);
    dps_out(&s, IDE_EMPTY_PRI_CTL, 1, 0x00);
    dps_out(&s, IDE_EMPTY_PRI_PORT + 2, 1, 0x55);
    dps_in(&s, IDE_EMPTY_PRI_PORT + 2, 1);
    dps_out(&s, IDE_EMPTY_PRI_PORT + 7, 1, 0xec);
    dps_in(&s, IDE_EMPTY_PRI_PORT, 2);
    dps_in(&s, IDE_EMPTY_PRI_PORT, 4);
    dps_out(&s, IDE_EMPTY_SEC_PORT + 6, 1, 0xb0);
    dps_in(&s, IDE_EMPTY_SEC_CTL, 1);
    dps_out(&s, BM + IDE_BM_PRD, 4, 0x1000);
    dps_out(&s, BM + IDE_BM_CMD, 1, IDE_BM_CMD_START | IDE_BM_CMD_READ);
    dps_in(&s, BM + IDE_BM_STATUS, 1);
    dps_out(&s, BM + IDE_BM_STATUS, 1, IDE_BM_ST_ERROR | IDE_BM_ST_IRQ | IDE_BM_ST_DMA0);
    dps_in(&s, BM + IDE_BM_PRD, 4);
    dps_in(&s, BM + 8 + IDE_BM_CMD, 2);
    dps_add(&s);
    devprog_tokens(focus, ARRAY_SIZE(focus));
}

// See fuzz.h: run the input as a device program focused on this chip's ports.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    devprog_run(data, len, focus, ARRAY_SIZE(focus));
}
