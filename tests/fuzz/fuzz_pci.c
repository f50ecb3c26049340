// fuzz_pci.c — fuzz PCI configuration mechanism 1 and bus 0 through the VM's device set.
#include "tests/fuzz/devprog.h"
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/pci.h"

static const u16 focus[] = { PCI_ADDR_PORT, PCI_RC_PORT, PCI_ADDR_PORT + 2, PCI_ADDR_PORT + 3,
                             PCI_DATA_PORT, PCI_DATA_PORT + 1, PCI_DATA_PORT + 2,
                             PCI_DATA_PORT + 3, PCI_IDE_BM_BASE, PCI_IDE_BM_BASE + 2 };

// CONFIG_ADDRESS of bus 0, device `dev`, function `fn`, register `reg`.
static u32 cfg(int dev, int fn, int reg)
{
    return PCI_ADDR_ENABLE | (u32)dev << 11 | (u32)fn << 8 | (u32)reg;
}

// Seeds: Linux's type 1 probe, a scan of bus 0, BAR 4 sizing and moving, command register
// writes that switch the bus-master block off and on, device-specific registers, reset.
void fuzz_init(void)
{
    struct dpseed s = { .n = 0 };
    dps_out(&s, PCI_ADDR_PORT + 3, 1, 0x01);
    dps_in(&s, PCI_ADDR_PORT, 4);
    for (int d = 0; d < 3; d++) {
        dps_out(&s, PCI_ADDR_PORT, 4, cfg(d, 0, PCI_VENDOR_ID));
        dps_in(&s, PCI_DATA_PORT, 4);
    }
    dps_out(&s, PCI_ADDR_PORT, 4, cfg(1, 1, PCI_BAR4));
    dps_out(&s, PCI_DATA_PORT, 4, 0xffffffff);
    dps_in(&s, PCI_DATA_PORT, 4);
    dps_out(&s, PCI_DATA_PORT, 4, 0xd001);
    dps_in(&s, 0xd000, 1);
    dps_out(&s, PCI_ADDR_PORT, 4, cfg(1, 1, PCI_COMMAND));
    dps_out(&s, PCI_DATA_PORT, 2, 0);
    dps_in(&s, 0xd000, 1);
    dps_out(&s, PCI_DATA_PORT, 2, PCI_CMD_IO | PCI_CMD_MASTER);
    dps_out(&s, PCI_ADDR_PORT, 4, cfg(1, 1, PIIX_IDETIM_PRI));
    dps_out(&s, PCI_DATA_PORT + 2, 2, 0x8000);
    dps_out(&s, PCI_ADDR_PORT, 4, cfg(1, 0, PIIX_PIRQRC));
    dps_out(&s, PCI_DATA_PORT + 3, 1, 0x0b);
    dps_in(&s, PCI_DATA_PORT + 1, 2);
    dps_out(&s, PCI_ADDR_PORT, 4, cfg(0, 0, 0xfc));
    dps_in(&s, PCI_DATA_PORT + 3, 2);
    dps_add(&s);
    s.n = 0;
    dps_out(&s, PCI_ADDR_PORT, 4, cfg(1, 1, PCI_BAR4));
    dps_out(&s, PCI_DATA_PORT, 4, 0xfff1);                 // BAR at the top of port space
    dps_in(&s, 0xfff0, 4);
    dps_out(&s, PCI_DATA_PORT, 4, 0x3f1);                  // over the UART and IDE
    dps_out(&s, PCI_DATA_PORT, 4, 0xcf1);                  // over CONFIG_ADDRESS
    dps_out(&s, PCI_RC_PORT, 1, PCI_RC_RCPU | PCI_RC_SRST);
    dps_add(&s);
    devprog_tokens(focus, ARRAY_SIZE(focus));
}

// See fuzz.h: run the input as a device program focused on this chip's ports.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    devprog_run(data, len, focus, ARRAY_SIZE(focus));
}
