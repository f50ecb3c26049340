// pci.h — PCI configuration mechanism 1 and bus 0 of an i440FX/PIIX3 PC.
//
// 0xcf8 (dword only) is CONFIG_ADDRESS; 0xcfc-0xcff carry byte/word/dword config data.
// Byte and word cycles to 0xcf8-0xcfb are not config cycles on a 440FX: they go out
// to the bus, where only the PIIX3's Reset Control register answers, at 0xcf9 (byte);
// the rest float. So Linux's type 1 probe (outb 0xcfb, then dword 0xcf8 read-back)
// succeeds and its type 2 probe (byte 0xcf8/0xcfa reading back 0) fails, as on the
// real chipset.
// Devices: 00:00.0 host bridge (82441FX), 00:01.0 ISA bridge (PIIX3, multi-function),
// 00:01.1 IDE (PIIX3, both channels in legacy mode; BAR 4 = bus-master registers, set
// to 0xc000 with I/O and bus mastering enabled, as a BIOS leaves it). Absent functions
// read all ones. Writes to chipset registers we do not model are stored and logged
// once per register.
#pragma once
#include "kernel/types.h"
#include "vmm/dev/dev.h"
#include "vmm/dev/iobus.h"

#define PCI_ADDR_PORT   0xcf8
#define PCI_RC_PORT     0xcf9   // PIIX3 Reset Control
#define PCI_DATA_PORT   0xcfc
#define PCI_ADDR_ENABLE 0x80000000u
#define PCI_ADDR_MASK   0x80fffffcu   // the bits CONFIG_ADDRESS keeps
#define PCI_RC_SRST     0x02          // hard (system) reset rather than CPU-only
#define PCI_RC_RCPU     0x04          // 0 -> 1 resets

// Configuration header
#define PCI_VENDOR_ID   0x00
#define PCI_DEVICE_ID   0x02
#define PCI_COMMAND     0x04
#define PCI_STATUS      0x06
#define PCI_REVISION    0x08
#define PCI_PROG_IF     0x09
#define PCI_SUBCLASS    0x0a
#define PCI_CLASS       0x0b
#define PCI_CACHE_LINE  0x0c
#define PCI_LATENCY     0x0d
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR4        0x20
#define PCI_INT_LINE    0x3c
#define PCI_DEVSPEC     0x40          // device-specific registers from here
#define PCI_CMD_IO      0x0001
#define PCI_CMD_MEM     0x0002
#define PCI_CMD_MASTER  0x0004
#define PCI_STATUS_DEVSEL_MED 0x0200
#define PCI_STATUS_FAST_B2B   0x0080
#define PCI_HEADER_MULTI 0x80
#define PCI_BAR_IO      0x01

#define PCI_VENDOR_INTEL  0x8086
#define PCI_DEV_82441FX   0x1237
#define PCI_DEV_PIIX3_ISA 0x7000
#define PCI_DEV_PIIX3_IDE 0x7010
#define PIIX_IDETIM_PRI   0x40        // IDE timing, bit 15 = channel decode enable
#define PIIX_IDETIM_SEC   0x42
#define PIIX_IDETIM_IDE   0x8000
#define PIIX_PIRQRC       0x60        // PIRQ route control A-D, 0x80 = disabled
#define PCI_IDE_BM_BASE   0xc000
#define PCI_IDE_BM_SIZE   16

enum { PCI_FN_HOST, PCI_FN_ISA, PCI_FN_IDE, PCI_NFUNCS };

struct pci_func {
    u8 cfg[256];
    u8 wmask[256];            // writable bits per byte
    u8 logged[32];            // device-specific registers already reported
    const char *name;
};

struct pci {
    struct devenv env;
    struct iobus *bus;        // to move the bus-master block with BAR 4
    u32 addr;                 // CONFIG_ADDRESS
    u8 rc;                    // Reset Control
    struct pci_func fn[PCI_NFUNCS];
    u16 bm_base;              // where the bus-master block is mapped, 0 = unmapped
    u32 (*bm_in)(void *dev, u16 off, int size);
    void (*bm_out)(void *dev, u16 off, int size, u32 val);
    void *bm_dev;
};

// Create bus 0 with its three functions; `bus` is where BAR 4 gets mapped.
struct pci *pci_create(const struct devenv *env, struct iobus *bus);
void pci_destroy(struct pci *pci);
// Claim 0xcf8-0xcff on the bus given at creation.
bool pci_attach(struct pci *pci);
// Connect the IDE function's bus-master registers (offset-based handlers) and map them
// at BAR 4 while the function's I/O decode is on.
void pci_set_ide_bm(struct pci *pci, u32 (*in)(void *dev, u16 off, int size),
                    void (*out)(void *dev, u16 off, int size, u32 val), void *dev);
