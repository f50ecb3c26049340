// ide_empty.c — IDE channels with nothing attached: floating taskfile, idle bus master.
#include "vmm/dev/ide_empty.h"
#include "kernel/heap.h"
#include "kernel/log.h"

// Writable bits of each bus-master byte (status error/irq are write-1-to-clear).
static const u8 bm_wmask[8] = {
    IDE_BM_CMD_START | IDE_BM_CMD_READ, 0, IDE_BM_ST_DMA0 | IDE_BM_ST_DMA1, 0,
    0xfc, 0xff, 0xff, 0xff,
};

static u32 ide_empty_io_in(void *dev, u16 port, int size)
{
    // Data port cycles are 16 bits wide: the high byte has no pull-down.
    u32 word = IDE_EMPTY_FLOAT_HI << 8 | IDE_EMPTY_FLOAT;
    if (size == 1) return IDE_EMPTY_FLOAT;
    if (size == 2) return word;
    return word << 16 | word;
}

static void ide_empty_io_out(void *dev, u16 port, int size, u32 val)
{
    // No drive latches anything: probes read back floating values.
}

struct ide_empty *ide_empty_create(const struct devenv *env)
{
    struct ide_empty *ide = kzalloc(sizeof *ide);
    if (ide) ide->env = *env;
    return ide;
}

void ide_empty_destroy(struct ide_empty *ide)
{
    kfree(ide);
}

// Claim both channels' command blocks and control registers. 0x3f7/0x377 stay
// unclaimed: 0x3f7 belongs to the floppy controller.
bool ide_empty_attach(struct ide_empty *ide, struct iobus *bus)
{
    return iobus_register(bus, IDE_EMPTY_PRI_PORT, 8, IOBUS_SZALL, ide_empty_io_in,
                          ide_empty_io_out, ide, "ide0") &&
           iobus_register(bus, IDE_EMPTY_PRI_CTL, 1, IOBUS_SZ8, ide_empty_io_in,
                          ide_empty_io_out, ide, "ide0-ctl") &&
           iobus_register(bus, IDE_EMPTY_SEC_PORT, 8, IOBUS_SZALL, ide_empty_io_in,
                          ide_empty_io_out, ide, "ide1") &&
           iobus_register(bus, IDE_EMPTY_SEC_CTL, 1, IOBUS_SZ8, ide_empty_io_in,
                          ide_empty_io_out, ide, "ide1-ctl");
}

// Bus-master registers: command, status, PRD pointer per channel.
u32 ide_empty_bm_in(void *dev, u16 off, int size)
{
    struct ide_empty *ide = dev;
    u32 v = 0;
    for (int i = 0; i < size; i++) v |= (u32)ide->bm[(off + i) % IDE_BM_SIZE] << (8 * i);
    return v;
}

void ide_empty_bm_out(void *dev, u16 off, int size, u32 val)
{
    struct ide_empty *ide = dev;
    for (int i = 0; i < size; i++) {
        int o = (off + i) % IDE_BM_SIZE;
        u8 v = (u8)(val >> (8 * i)), m = bm_wmask[o % 8];
        u8 keep = ide->bm[o] & ~m;
        if (o % 8 == IDE_BM_STATUS) keep &= ~(v & (IDE_BM_ST_ERROR | IDE_BM_ST_IRQ));
        v = keep | (v & m);
        // With no drive a started transfer has nothing to move: it stays idle.
        if (o % 8 == IDE_BM_CMD && (v & IDE_BM_CMD_START) && !ide->start_warned) {
            ide->start_warned = true;
            log_warn("vm=%d ide bus master started with no drive attached", ide->env.vm_id);
        }
        ide->bm[o] = v;
    }
}
