// pci.c — configuration mechanism 1, PIIX3 reset control, 440FX/PIIX3 config spaces.
#include "vmm/dev/pci.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "vmm/dev/loglimit.h"

static void put8(struct pci_func *f, int off, u8 v) { f->cfg[off] = v; }

static void put16(struct pci_func *f, int off, u16 v)
{
    f->cfg[off] = (u8)v;
    f->cfg[off + 1] = (u8)(v >> 8);
}

static u16 get16(const struct pci_func *f, int off)
{
    return (u16)(f->cfg[off] | f->cfg[off + 1] << 8);
}

// The common header: IDs, class, status; cache line, latency and interrupt line are
// plain read/write; device-specific registers are read/write storage.
static void header(struct pci_func *f, const char *name, u16 dev, u8 rev, u32 class,
                   u16 cmd, u8 htype)
{
    f->name = name;
    put16(f, PCI_VENDOR_ID, PCI_VENDOR_INTEL);
    put16(f, PCI_DEVICE_ID, dev);
    put16(f, PCI_COMMAND, cmd);
    put16(f, PCI_STATUS, PCI_STATUS_DEVSEL_MED | PCI_STATUS_FAST_B2B);
    put8(f, PCI_REVISION, rev);
    put8(f, PCI_PROG_IF, (u8)class);
    put8(f, PCI_SUBCLASS, (u8)(class >> 8));
    put8(f, PCI_CLASS, (u8)(class >> 16));
    put8(f, PCI_HEADER_TYPE, htype);
    f->wmask[PCI_CACHE_LINE] = f->wmask[PCI_LATENCY] = f->wmask[PCI_INT_LINE] = 0xff;
    for (int i = PCI_DEVSPEC; i < 256; i++) f->wmask[i] = 0xff;
}

// The function at CONFIG_ADDRESS, or NULL when absent.
static struct pci_func *target(struct pci *pci)
{
    u32 a = pci->addr;
    u32 busno = a >> 16 & 0xff, dev = a >> 11 & 0x1f, fn = a >> 8 & 7;
    if (busno != 0) return NULL;
    if (dev == 0 && fn == 0) return &pci->fn[PCI_FN_HOST];
    if (dev == 1 && fn == 0) return &pci->fn[PCI_FN_ISA];
    if (dev == 1 && fn == 1) return &pci->fn[PCI_FN_IDE];
    return NULL;
}

static u32 bm_trampoline_in(void *dev, u16 port, int size)
{
    struct pci *pci = dev;
    return pci->bm_in(pci->bm_dev, (u16)(port - pci->bm_base), size);
}

static void bm_trampoline_out(void *dev, u16 port, int size, u32 val)
{
    struct pci *pci = dev;
    pci->bm_out(pci->bm_dev, (u16)(port - pci->bm_base), size, val);
}

// Map the bus-master block where BAR 4 and the I/O enable say, unmapping the old place.
static void remap_bm(struct pci *pci)
{
    struct pci_func *f = &pci->fn[PCI_FN_IDE];
    u16 base = 0;
    if (pci->bm_in && (get16(f, PCI_COMMAND) & PCI_CMD_IO))
        base = get16(f, PCI_BAR4) & ~(PCI_IDE_BM_SIZE - 1);
    if (base == pci->bm_base) return;
    if (pci->bm_base) iobus_unregister(pci->bus, pci->bm_base);
    pci->bm_base = 0;
    if (base && iobus_register(pci->bus, base, PCI_IDE_BM_SIZE, IOBUS_SZALL,
                               bm_trampoline_in, bm_trampoline_out, pci, "piix-bmide"))
        pci->bm_base = base;
}

static u32 config_read(struct pci *pci, int off, int size)
{
    struct pci_func *f = target(pci);
    if (!f) return 0xffffffffu;
    u32 v = 0;
    for (int i = 0; i < size; i++) v |= (u32)f->cfg[off + i] << (8 * i);
    return v;
}

static void config_write(struct pci *pci, int off, int size, u32 val)
{
    struct pci_func *f = target(pci);
    if (!f) return;                        // master abort: the write goes nowhere
    for (int i = 0; i < size; i++) {
        int o = off + i;
        u8 v = (u8)(val >> (8 * i)), m = f->wmask[o];
        f->cfg[o] = (u8)((f->cfg[o] & ~m) | (v & m));
        bool known = f == &pci->fn[PCI_FN_IDE] && o >= PIIX_IDETIM_PRI && o < PIIX_IDETIM_SEC + 2;
        if (o >= PCI_DEVSPEC && !known && !(f->logged[o / 8] & (1u << (o % 8)))) {
            f->logged[o / 8] |= (u8)(1u << (o % 8));
            if (loglimit_allow(pci->env.vm_id, LOGSRC_PCI))
                log_info("vm=%d pci %s register 0x%x=0x%x stored, not modeled", pci->env.vm_id,
                         f->name, o, v);
        }
    }
    if (f == &pci->fn[PCI_FN_IDE]) remap_bm(pci);
}

static u32 pci_io_in(void *dev, u16 port, int size)
{
    struct pci *pci = dev;
    if (port >= PCI_DATA_PORT) {
        if (!(pci->addr & PCI_ADDR_ENABLE)) return 0xffffffffu;   // not a config cycle
        return config_read(pci, (pci->addr & 0xfc) + (port - PCI_DATA_PORT), size);
    }
    if (port == PCI_ADDR_PORT && size == 4) return pci->addr;
    if (port == PCI_RC_PORT && size == 1) return pci->rc;
    return 0xffffffffu;                    // byte/word cycles at 0xcf8-0xcfb float
}

static void pci_io_out(void *dev, u16 port, int size, u32 val)
{
    struct pci *pci = dev;
    if (port >= PCI_DATA_PORT) {
        if (pci->addr & PCI_ADDR_ENABLE)
            config_write(pci, (pci->addr & 0xfc) + (port - PCI_DATA_PORT), size, val);
        return;
    }
    if (port == PCI_ADDR_PORT && size == 4) {
        pci->addr = val & PCI_ADDR_MASK;
        return;
    }
    if (port == PCI_RC_PORT && size == 1) {
        pci->rc = val & PCI_RC_SRST;
        if (val & PCI_RC_RCPU) pci->env.reset(pci->env.ctx, "cf9");
        return;
    }
    // Byte writes to 0xcf8/0xcfa/0xcfb (Linux's type 1 and 2 probes) reach nothing.
}

// Create bus 0 with its three functions.
struct pci *pci_create(const struct devenv *env, struct iobus *bus)
{
    struct pci *pci = kzalloc(sizeof *pci);
    if (!pci) return NULL;
    pci->env = *env;
    pci->bus = bus;
    header(&pci->fn[PCI_FN_HOST], "00:00.0", PCI_DEV_82441FX, 0x02, 0x060000,
           PCI_CMD_MEM | PCI_CMD_MASTER, 0);
    header(&pci->fn[PCI_FN_ISA], "00:01.0", PCI_DEV_PIIX3_ISA, 0x00, 0x060100,
           PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER, PCI_HEADER_MULTI);
    for (int i = 0; i < 4; i++) put8(&pci->fn[PCI_FN_ISA], PIIX_PIRQRC + i, 0x80);
    struct pci_func *ide = &pci->fn[PCI_FN_IDE];
    // Prog-if 0x80: bus-master capable, both channels fixed in legacy (compatibility) mode.
    header(ide, "00:01.1", PCI_DEV_PIIX3_IDE, 0x00, 0x010180, PCI_CMD_IO | PCI_CMD_MASTER, 0);
    ide->wmask[PCI_COMMAND] = PCI_CMD_IO | PCI_CMD_MASTER;
    put16(ide, PCI_BAR4, PCI_IDE_BM_BASE | PCI_BAR_IO);
    ide->wmask[PCI_BAR4] = (u8)~(PCI_IDE_BM_SIZE - 1);   // 16 bytes of I/O, 16-bit decode
    ide->wmask[PCI_BAR4 + 1] = 0xff;
    put16(ide, PIIX_IDETIM_PRI, PIIX_IDETIM_IDE);
    put16(ide, PIIX_IDETIM_SEC, PIIX_IDETIM_IDE);
    return pci;
}

void pci_destroy(struct pci *pci)
{
    kfree(pci);
}

// Claim 0xcf8-0xcff.
bool pci_attach(struct pci *pci)
{
    return iobus_register(pci->bus, PCI_ADDR_PORT, 8, IOBUS_SZALL, pci_io_in, pci_io_out,
                          pci, "pci");
}

// Connect the IDE bus-master registers and map them at BAR 4.
void pci_set_ide_bm(struct pci *pci, u32 (*in)(void *dev, u16 off, int size),
                    void (*out)(void *dev, u16 off, int size, u32 val), void *dev)
{
    pci->bm_in = in;
    pci->bm_out = out;
    pci->bm_dev = dev;
    remap_bm(pci);
}
