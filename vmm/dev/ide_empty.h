// ide_empty.h — the two legacy IDE channels with no drives attached, and their PIIX
// bus-master registers (until the IDE issue brings real drives).
//
// With nothing on the cable, no device drives the taskfile bus: every register read
// floats, except DD7, which the ATA spec has the host pull down. So every taskfile
// register reads 0x7f (the 16-bit data port 0xff7f) and writes latch nowhere. Why every
// Linux driver then concludes "absent" at once:
//  - old IDE driver (2.4, 2.6 drivers/ide): do_probe() selects the drive through the
//    device register (0xa0/0xb0) and reads it back; 0x7f differs, so "no interface"
//    (return 3) without issuing IDENTIFY. ide_port_wait_ready() (2.6.2x) sees BSY (bit 7)
//    clear, so it does not wait.
//  - libata (ata_piix, pata_legacy): ata_check_ready() sees BSY clear (ready);
//    ata_devchk() writes 0x55/0xaa to nsect/lbal and does not read them back, so no
//    device; ata_sff_dev_classify() sees error 0x7f (not 0x01/0x81) -> ATA_DEV_NONE.
// A floating 0xff would also be "absent" for libata, but the old driver's BSY poll and
// the ATA spec both favour 0x7f. CMOS register 0x12 (mc146818.c) lists no disks, which
// 2.4 otherwise trusts over the probe.
#pragma once
#include "kernel/types.h"
#include "vmm/dev/dev.h"
#include "vmm/dev/iobus.h"

#define IDE_EMPTY_PRI_PORT 0x1f0
#define IDE_EMPTY_PRI_CTL  0x3f6
#define IDE_EMPTY_SEC_PORT 0x170
#define IDE_EMPTY_SEC_CTL  0x376
#define IDE_EMPTY_FLOAT    0x7f     // DD7 pulled down, the rest floating high
#define IDE_EMPTY_FLOAT_HI 0xff     // DD15-DD8 have no pull-down

// Bus-master IDE registers (PIIX BMIBA block): 8 bytes per channel.
#define IDE_BM_SIZE        16
#define IDE_BM_CMD         0
#define IDE_BM_STATUS      2
#define IDE_BM_PRD         4
#define IDE_BM_CMD_START   0x01
#define IDE_BM_CMD_READ    0x08
#define IDE_BM_ST_ACTIVE   0x01
#define IDE_BM_ST_ERROR    0x02   // write 1 to clear
#define IDE_BM_ST_IRQ      0x04   // write 1 to clear
#define IDE_BM_ST_DMA0     0x20   // drive 0 DMA capable (software's note)
#define IDE_BM_ST_DMA1     0x40

struct ide_empty {
    struct devenv env;
    u8 bm[IDE_BM_SIZE];
    bool start_warned;
};

struct ide_empty *ide_empty_create(const struct devenv *env);
void ide_empty_destroy(struct ide_empty *ide);
// Claim 0x1f0-0x1f7, 0x3f6, 0x170-0x177 and 0x376 on `bus`.
bool ide_empty_attach(struct ide_empty *ide, struct iobus *bus);
// Bus-master register access at offset `off` (0-15) of the BAR 4 block; pci.c maps it
// wherever the guest puts BAR 4.
u32 ide_empty_bm_in(void *dev, u16 off, int size);
void ide_empty_bm_out(void *dev, u16 off, int size, u32 val);
